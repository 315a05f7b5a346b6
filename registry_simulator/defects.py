"""Injected data defects: what a real registry extract gets wrong, at configurable rates.

Every defect is counted per (defect, registry, column) and listed in the manifest, so tests
and data engineers know exactly what the pipeline must catch. Rates are per row of the
registry concerned (per family for the family-card defects). Row-level defects are drawn so
that one row carries at most one of them (duplicates are drawn among untouched rows and are
exact copies appended after the chunk's rows), which keeps the manifest counts exact.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .geography import unknown_kato
from .iin import digits_to_arrow, strings_to_digits

#: Money columns that can turn negative or absurd.
MONEY_COLUMNS: dict[str, str] = {
    "pension_contributions": "contribution_kzt",
    "entrepreneur_income": "declared_income_kzt",
    "pensions_benefits": "amount_kzt",
    "credit_bureau": "outstanding_kzt",
    "rent_contracts": "monthly_rent_kzt",
    "housing_costs": "utilities_kzt",
    "business_registry": "declared_income_12m_kzt",
}
#: The date column of each registry that can land in the future.
DATE_COLUMNS: dict[str, str] = {
    "population": "birth_date",
    "families": "registration_date",
    "family_links": "link_date",
    "pension_contributions": "month",
    "entrepreneur_income": "period_start",
    "pensions_benefits": "month",
    "real_estate": "registration_date",
    "vehicles": "registration_date",
    "credit_bureau": "open_date",
    "disability": "assigned_date",
    "health": "observation_start",
    "education": "start_date",
    "business_registry": "registration_date",
    "border_crossings": "crossing_date",
    "rent_contracts": "start_date",
    "housing_costs": "billing_month",
    "housing_waiting_list": "registration_date",
}
MONTH_COLUMNS = {"month", "billing_month"}
#: Columns that may arrive empty although the contract expects a value.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "population": ("iin", "birth_date", "sex", "address_kato"),
    "families": ("address_kato",),
    "family_links": ("iin", "role"),
    "pension_contributions": ("iin", "contribution_kzt"),
    "entrepreneur_income": ("iin", "declared_income_kzt"),
    "pensions_benefits": ("iin", "amount_kzt"),
    "real_estate": ("iin", "area_m2"),
    "vehicles": ("iin", "vehicle_type"),
    "credit_bureau": ("iin", "outstanding_kzt"),
    "disability": ("iin", "disability_group"),
    "health": ("iin", "icd10_code"),
    "education": ("iin", "institution_type"),
    "business_registry": ("iin",),
    "border_crossings": ("iin", "crossing_date"),
    "livestock": ("iin", "head_count"),
    "land_plots": ("iin", "area_ha"),
    "rent_contracts": ("iin", "monthly_rent_kzt"),
    "housing_costs": ("payer_iin", "utilities_kzt"),
    "housing_waiting_list": ("iin", "category"),
}
KATO_COLUMNS: dict[str, str] = {
    "population": "address_kato",
    "families": "address_kato",
    "real_estate": "kato",
    "land_plots": "kato",
    "housing_waiting_list": "kato",
}
IIN_COLUMNS = ("iin", "payer_iin")


@dataclass(frozen=True)
class DefectRates:
    """Defect rates (probability per row, or per family for the family-card defects)."""

    invalid_iin: float = 0.001
    duplicate_row: float = 0.001
    person_in_two_families: float = 0.0005
    deceased_in_family: float = 0.0005
    negative_amount: float = 0.0005
    absurd_amount: float = 0.0005
    future_date: float = 0.0005
    missing_value: float = 0.001
    unknown_kato: float = 0.001
    family_without_members: float = 0.0005

    def scaled(self, factor: float) -> DefectRates:
        """All rates multiplied by ``factor`` (0 turns every defect off)."""
        return DefectRates(**{k: v * factor for k, v in dataclasses.asdict(self).items()})

    def with_overrides(self, overrides: dict[str, float]) -> DefectRates:
        """Copy with some rates replaced (unknown names raise ``ValueError``)."""
        unknown = set(overrides) - set(self.names())
        if unknown:
            raise ValueError(f"unknown defect(s): {sorted(unknown)}; known: {self.names()}")
        return dataclasses.replace(self, **overrides)

    @staticmethod
    def names() -> list[str]:
        return [f.name for f in dataclasses.fields(DefectRates)]

    @property
    def any(self) -> bool:
        return any(v > 0 for v in dataclasses.asdict(self).values())


DefectCounts = Counter  # (defect, registry, column) -> rows affected


def _corrupt_iins(values: pa.Array) -> pa.Array:
    """Same IINs with a check digit that is wrong (the first weighting's digit + 1..9, mod 10)."""
    digits = strings_to_digits(values)
    # The correct check digit is unique, so any other last digit makes the IIN invalid.
    digits[:, 11] = (digits[:, 11] + 1 + np.arange(len(digits)) % 9) % 10
    return digits_to_arrow(digits)


def _single_array(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _replace(column: pa.Array, rows: np.ndarray, new_values: pa.Array) -> pa.Array:
    if len(rows) == 0:
        return column
    mask = np.zeros(len(column), bool)
    mask[rows] = True
    return pc.replace_with_mask(column, pa.array(mask), new_values)


def inject_row_defects(
    name: str,
    table: pa.Table,
    rates: DefectRates,
    rng: np.random.Generator,
    ref_days: int,
    counts: DefectCounts,
) -> pa.Table:
    """Apply the row-level defects to one registry chunk and count them."""
    if not rates.any or table.num_rows == 0:
        return table
    n = table.num_rows
    candidates: list[tuple[str, float]] = []
    iin_column = next((c for c in IIN_COLUMNS if c in table.column_names), None)
    if iin_column:
        candidates.append(("invalid_iin", rates.invalid_iin))
    if name in MONEY_COLUMNS:
        candidates += [("negative_amount", rates.negative_amount), ("absurd_amount", rates.absurd_amount)]
    if name in DATE_COLUMNS:
        candidates.append(("future_date", rates.future_date))
    if name in REQUIRED_COLUMNS:
        candidates.append(("missing_value", rates.missing_value))
    if name in KATO_COLUMNS:
        candidates.append(("unknown_kato", rates.unknown_kato))
    u = rng.random(n)
    bounds = np.cumsum([rate for _, rate in candidates])
    which = np.searchsorted(bounds, u, side="right")  # == len(candidates) means untouched
    columns = {c: _single_array(table.column(c)) for c in table.column_names}
    # Rows of different defects are disjoint, so each column is patched once with all its changes.
    patches: dict[str, list[tuple[np.ndarray, pa.Array]]] = {}

    def patch(column: str, rows: np.ndarray, values: pa.Array) -> None:
        patches.setdefault(column, []).append((rows, values))

    for k, (defect, _) in enumerate(candidates):
        rows = np.flatnonzero(which == k)
        if len(rows) == 0:
            continue
        if defect == "invalid_iin":
            assert iin_column is not None  # the defect is drawn only for registries with an IIN
            col = iin_column
            rows = rows[columns[col].take(pa.array(rows)).is_valid().to_numpy(zero_copy_only=False)]
            patch(col, rows, _corrupt_iins(columns[col].take(pa.array(rows))))
        elif defect in ("negative_amount", "absurd_amount"):
            col = MONEY_COLUMNS[name]
            old = np.nan_to_num(columns[col].take(pa.array(rows)).to_numpy(zero_copy_only=False), nan=1000.0)
            new = -np.maximum(old, 1.0) if defect == "negative_amount" else np.maximum(old, 1000.0) * 10_000
            patch(col, rows, pa.array(new, pa.float64()))
        elif defect == "future_date":
            col = DATE_COLUMNS[name]
            future = (ref_days + rng.integers(31, 3 * 365, len(rows))).astype("datetime64[D]")
            if col in MONTH_COLUMNS:
                future = future.astype("datetime64[M]").astype("datetime64[D]")
            patch(col, rows, pa.array(future.astype(np.int64).astype(np.int32), pa.date32()))
        elif defect == "missing_value":
            options = REQUIRED_COLUMNS[name]
            pick = rng.integers(0, len(options), len(rows))
            for j, col in enumerate(options):
                sub = rows[pick == j]
                if len(sub):
                    patch(col, sub, pa.nulls(len(sub), columns[col].type))
                    counts[(defect, name, col)] += len(sub)
            continue
        elif defect == "unknown_kato":
            col = KATO_COLUMNS[name]
            code = unknown_kato(_prefix_of(columns[col], rows))
            patch(col, rows, pa.array([code] * len(rows), pa.string()))
        counts[(defect, name, col)] += len(rows)
    for col, parts in patches.items():
        rows = np.concatenate([r for r, _ in parts])
        values = pa.concat_arrays([v.cast(columns[col].type) for _, v in parts])
        order = np.argsort(rows, kind="stable")
        columns[col] = _replace(columns[col], rows[order], values.take(pa.array(order)))
    table = pa.Table.from_arrays(list(columns.values()), schema=table.schema)
    if rates.duplicate_row > 0:
        untouched = np.flatnonzero(which == len(candidates))
        dup = untouched[rng.random(len(untouched)) < rates.duplicate_row]
        if len(dup):
            # Re-sent records: the copies follow the chunk's rows (no copy of the whole table).
            table = pa.concat_tables([table, table.take(pa.array(dup))])
            counts[("duplicate_row", name, "*")] += len(dup)
    return table


def _prefix_of(column: pa.Array, rows: np.ndarray) -> int:
    """Region prefix of the first non-null KATO among the rows (the chunk is one region)."""
    values = [v for v in column.take(pa.array(rows)).to_pylist() if v]
    return int(values[0][:2]) if values else 99


def inject_family_defects(
    tables: dict[str, pa.Table],
    rates: DefectRates,
    rng: np.random.Generator,
    empty_family_id_base: int,
    counts: DefectCounts,
) -> None:
    """Family-card defects: a person in two families, the deceased still linked, empty families."""
    if not rates.any:
        return
    links = tables["family_links"]
    families = tables["families"]
    population = tables["population"]
    family_ids = families.column("family_id").to_numpy()
    extra: list[pa.Table] = []

    n_links = links.num_rows
    moved = np.flatnonzero(rng.random(n_links) < rates.person_in_two_families)
    if len(moved) and len(family_ids) > 1:
        row = links.take(pa.array(moved))
        other = family_ids[rng.integers(0, len(family_ids), len(moved))]
        same = other == row.column("family_id").to_numpy()
        other = np.where(same, family_ids[(np.searchsorted(family_ids, other) + 1) % len(family_ids)], other)
        extra.append(
            row.set_column(0, "family_id", pa.array(other)).set_column(
                2, "role", pa.array(["other"] * len(moved), pa.string())
            )
        )
        counts[("person_in_two_families", "family_links", "iin")] += len(moved)

    dead_rows = np.flatnonzero(population.column("death_date").is_valid().to_numpy(zero_copy_only=False))
    n_dead_links = min(int(rng.binomial(len(family_ids), rates.deceased_in_family)), len(dead_rows))
    if n_dead_links:
        pick = np.sort(rng.choice(dead_rows, n_dead_links, replace=False))
        dead = population.take(pa.array(pick))
        link_day = (
            dead.column("death_date").to_numpy(zero_copy_only=False).astype("datetime64[D]").astype(np.int64)
        )
        extra.append(
            pa.table(
                {
                    "family_id": pa.array(family_ids[rng.integers(0, len(family_ids), n_dead_links)]),
                    "iin": dead.column("iin"),
                    "role": pa.array(["parent"] * n_dead_links, pa.string()),
                    "link_date": pa.array(
                        (link_day - rng.integers(400, 4000, n_dead_links)).astype(np.int32), pa.date32()
                    ),
                    "extract_as_of": links.column("extract_as_of").slice(0, n_dead_links),
                },
                schema=links.schema,
            )
        )
        counts[("deceased_in_family", "family_links", "iin")] += n_dead_links
    if extra:
        tables["family_links"] = pa.concat_tables([links, *extra])

    n_empty = int(rng.binomial(len(family_ids), rates.family_without_members))
    if n_empty:
        template = families.take(pa.array(rng.integers(0, families.num_rows, n_empty)))
        ids = empty_family_id_base + np.arange(n_empty, dtype=np.int64)
        tables["families"] = pa.concat_tables([families, template.set_column(0, "family_id", pa.array(ids))])
        counts[("family_without_members", "families", "family_id")] += n_empty
