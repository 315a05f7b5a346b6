"""What changed in a service's list against a basis: the changes files published with each snapshot.

A snapshot holds, per service and per basis, the rows a payment system must act on:

- basis `previous_version`: the version of the same period and region that was current when this
  one was written (a republication: after a correction, a re-delivered registry, a rule fix);
- basis `previous_month`: the current version of the previous period of the region.

Each change row is `added` (a payment that was not in the basis), `removed` (one that is no
longer due) or `amount_changed` (the same payment, another amount), keyed by the family and the
beneficiary, with both reference ids, levels and amounts before and after, the exact difference,
and one reason, the first that applies:

1. `correction_applied`: a correction of the family's registry data came into force since the
   basis (docs/corrections.md); `correction_withdrawn`: one in force in the basis no longer is;
2. `rule_changed`: the service's rule version differs from the basis';
3. `methodology_changed`: the scoring methodology version differs;
4. `level_moved`: the family's wellbeing level moved (the month's change explanations,
   `family_level_changes`, say why, indicator by indicator);
5. `data_changed`: the registries say something else about the family (income, members,
   housing, ...), or no longer hold it.

Control totals (`control_totals`) let a reader check a changes file against the two lists:
basis rows + added - removed = rows now, and basis amount + added - removed + amount changes =
amount now, exactly (decimals).

Pure functions over Arrow tables; the publisher (snapshot.py) writes what they return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.publication.schema import AMOUNT_TYPE, amount_total

CHANGES_SCHEMA_VERSION = "list_changes/1"
BASES = ("previous_version", "previous_month")
CHANGE_KINDS = ("added", "removed", "amount_changed")
REASONS = (
    "correction_applied",
    "correction_withdrawn",
    "rule_changed",
    "methodology_changed",
    "level_moved",
    "data_changed",
)

CHANGES_SCHEMA = pa.schema(
    [
        pa.field("period", pa.string(), nullable=False),
        pa.field("region", pa.string(), nullable=False),
        pa.field("service", pa.string(), nullable=False),
        pa.field("basis", pa.string(), nullable=False),
        pa.field("basis_version", pa.string(), nullable=False),
        pa.field("change", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("reference_id", pa.string(), nullable=True),  # this snapshot's; null when removed
        pa.field("basis_reference_id", pa.string(), nullable=True),  # the basis'; null when added
        pa.field("family_id", pa.int64(), nullable=False),
        pa.field("recipient_iin", pa.string(), nullable=False),  # now; the basis' when removed
        pa.field("beneficiary_iin", pa.string(), nullable=True),
        pa.field("level_before", pa.int8(), nullable=True),
        pa.field("level_after", pa.int8(), nullable=True),
        pa.field("amount_before_kzt", AMOUNT_TYPE, nullable=True),
        pa.field("amount_after_kzt", AMOUNT_TYPE, nullable=True),
        pa.field("amount_change_kzt", AMOUNT_TYPE, nullable=False),
    ]
)
CHANGE_COLUMNS = tuple(CHANGES_SCHEMA.names)
_KEY = ["family_id", "beneficiary_key"]
_KIND_ORDER = {kind: rank for rank, kind in enumerate(CHANGE_KINDS)}


@dataclass(frozen=True)
class ChangeFacts:
    """What the reasons need beyond the two lists (no personal data).

    `levels`: {period: {family_id: level}} of the families of the region, for the levels of
    families that are on one list only. `corrections`: {family_id: ids of the corrections of the
    log that concern it}, whatever their status (which ones were in force is in each manifest).
    Both may be empty (then levels come from the lists alone, and no change is put down to a
    correction).
    """

    levels: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    corrections: Mapping[int, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Basis:
    """A published snapshot that changes are computed against."""

    name: str  # one of BASES
    manifest: dict
    tables: Mapping[str, pa.Table]


def list_changes(
    basis: Basis,
    service: str,
    now: pa.Table,
    *,
    period: str,
    region: str,
    methodology_version: str,
    corrections_in_force: list[str] | None,
    facts: ChangeFacts,
) -> pa.Table:
    """The changes of one service's list `now` against `basis` (module docstring), in the
    order change kind, family, beneficiary."""
    before_table = basis.tables.get(service)
    before = _frame(before_table, "before") if before_table is not None else _empty_frame("before")
    after = _frame(now, "after")
    merged = before.merge(after, on=_KEY, how="outer", indicator=True)
    kinds = pd.Series(
        pd.Categorical.from_codes(
            merged["_merge"].map({"left_only": 1, "right_only": 0, "both": 2}).astype(int), list(CHANGE_KINDS)
        ),
        index=merged.index,
    )
    amount_moved = merged["amount_before"] != merged["amount_after"]
    keep = (kinds != "amount_changed") | amount_moved
    merged, kinds = merged.loc[keep].copy(), kinds.loc[keep]

    levels_before = _levels_of(basis, facts)
    levels_now = {**facts.levels.get(period, {}), **_list_levels(now)}
    merged["level_before"] = merged["level_before"].fillna(merged["family_id"].map(levels_before))
    merged["level_after"] = merged["level_after"].fillna(merged["family_id"].map(levels_now))
    merged["reason"] = _reasons(
        merged,
        rule_changed=_rule_version(basis.manifest, service) != _rule_version_of(now, basis, service),
        methodology_changed=basis.manifest["methodology_version"] != methodology_version,
        corrections_in_force=corrections_in_force,
        basis_in_force=basis.manifest.get("corrections", {}).get("in_force"),
        facts=facts,
    )
    zero = Decimal("0.00")
    merged["amount_change"] = [
        (after if isinstance(after, Decimal) else zero) - (before if isinstance(before, Decimal) else zero)
        for before, after in zip(merged["amount_before"], merged["amount_after"], strict=True)
    ]
    merged["change"] = kinds.astype(str)
    merged["rank"] = kinds.map(_KIND_ORDER).astype(int)
    merged = merged.sort_values(["rank", "family_id", "beneficiary_key"], kind="stable")
    count = len(merged)
    columns = {
        "period": pa.array([period] * count, pa.string()),
        "region": pa.array([region] * count, pa.string()),
        "service": pa.array([service] * count, pa.string()),
        "basis": pa.array([basis.name] * count, pa.string()),
        "basis_version": pa.array([basis.manifest["version"]] * count, pa.string()),
        "change": pa.array(merged["change"], pa.string()),
        "reason": pa.array(merged["reason"], pa.string()),
        "reference_id": _strings(merged["reference_id_after"]),
        "basis_reference_id": _strings(merged["reference_id_before"]),
        "family_id": pa.array(merged["family_id"], pa.int64()),
        "recipient_iin": _strings(merged["recipient_iin_after"].fillna(merged["recipient_iin_before"])),
        "beneficiary_iin": _strings(merged["beneficiary_key"].where(merged["beneficiary_key"] != "")),
        "level_before": _levels_array(merged["level_before"]),
        "level_after": _levels_array(merged["level_after"]),
        "amount_before_kzt": _amounts(merged["amount_before"]),
        "amount_after_kzt": _amounts(merged["amount_after"]),
        "amount_change_kzt": _amounts(merged["amount_change"]),
    }
    return pa.Table.from_pydict(columns, schema=CHANGES_SCHEMA)


def control_totals(changes: pa.Table) -> dict:
    """Rows and exact amounts per change kind of one changes file, as the manifest records them."""
    totals: dict = {"rows": changes.num_rows}
    for kind in CHANGE_KINDS:
        of_kind = changes.filter(pc.equal(changes["change"], kind))
        name = "amount_change_kzt" if kind == "amount_changed" else "amount_kzt"
        column = (
            "amount_change_kzt"
            if kind == "amount_changed"
            else ("amount_after_kzt" if kind == "added" else "amount_before_kzt")
        )
        totals[kind] = {"rows": of_kind.num_rows, name: str(amount_total(of_kind.column(column)))}
    return totals


def _frame(table: pa.Table, side: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "family_id": table.column("family_id").to_numpy(),
            "beneficiary_key": table.column("beneficiary_iin").fill_null("").to_pylist(),
            f"reference_id_{side}": table.column("reference_id").to_pylist(),
            f"recipient_iin_{side}": table.column("recipient_iin").to_pylist(),
            f"level_{side}": table.column("level").to_numpy().astype("float64"),
            f"amount_{side}": table.column("amount_kzt").to_pylist(),
            f"rule_version_{side}": table.column("rule_version").to_pylist(),
        }
    )
    return frame


def _empty_frame(side: str) -> pd.DataFrame:
    columns = [
        "family_id",
        "beneficiary_key",
        f"reference_id_{side}",
        f"recipient_iin_{side}",
        f"level_{side}",
    ]
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    frame["family_id"] = frame["family_id"].astype("int64")
    frame[f"level_{side}"] = frame[f"level_{side}"].astype("float64")
    frame[f"amount_{side}"] = pd.Series(dtype=object)
    frame[f"rule_version_{side}"] = pd.Series(dtype=object)
    return frame


def _list_levels(table: pa.Table) -> dict[int, int]:
    return dict(zip(table.column("family_id").to_pylist(), table.column("level").to_pylist(), strict=True))


def _levels_of(basis: Basis, facts: ChangeFacts) -> dict[int, int]:
    """The levels of the basis' period: its lists first (what it was computed with), then the scores."""
    levels = dict(facts.levels.get(basis.manifest["period"], {}))
    for table in basis.tables.values():
        levels |= _list_levels(table)
    return levels


def _rule_version(manifest: dict, service: str) -> str | None:
    """A service's rule version in a manifest (one for all, or `service=version;...`)."""
    recorded = manifest["rule_version"]
    if "=" not in recorded:
        return recorded
    return dict(item.split("=", 1) for item in recorded.split(";")).get(service)


def _rule_version_of(now: pa.Table, basis: Basis, service: str) -> str | None:
    versions = pc.unique(now.column("rule_version")).to_pylist()
    return versions[0] if versions else _rule_version(basis.manifest, service)


def _reasons(
    merged: pd.DataFrame,
    *,
    rule_changed: bool,
    methodology_changed: bool,
    corrections_in_force: list[str] | None,
    basis_in_force: list[str] | None,
    facts: ChangeFacts,
) -> pd.Series:
    now_ids = set(corrections_in_force or [])
    before_ids = set(basis_in_force or [])
    applied = {family for family, ids in facts.corrections.items() if ids & (now_ids - before_ids)}
    withdrawn = {family for family, ids in facts.corrections.items() if ids & (before_ids - now_ids)}
    reasons = pd.Series("data_changed", index=merged.index, dtype=object)
    moved = (
        merged["level_before"].notna()
        & merged["level_after"].notna()
        & (merged["level_before"] != merged["level_after"])
    )
    reasons[moved] = "level_moved"
    if methodology_changed:
        reasons[:] = "methodology_changed"
    if rule_changed:
        reasons[:] = "rule_changed"
    reasons[merged["family_id"].isin(withdrawn)] = "correction_withdrawn"
    reasons[merged["family_id"].isin(applied)] = "correction_applied"
    return reasons


def _strings(values: pd.Series) -> pa.Array:
    return pa.array([value if isinstance(value, str) else None for value in values], pa.string())


def _levels_array(values: pd.Series) -> pa.Array:
    return pa.array([None if pd.isna(value) else int(value) for value in values], pa.int8())


def _amounts(values: pd.Series) -> pa.Array:
    return pa.array([value if isinstance(value, Decimal) else None for value in values], AMOUNT_TYPE)
