"""Feed failures on demand: what a whole delivery gets wrong, as opposed to the row defects.

Row defects (`defects.py`) are the few bad records every real extract carries. A feed failure is
what goes wrong with a delivery: a source system exports an empty table, last month's file is sent
again, a column is renamed in a new release, a file is cut short in transfer, numbers arrive as
locale-formatted text, identifiers lose their leading zeros in a spreadsheet. Tests and the demo
make them here to show the platform catches each one (docs/landing.md, "Verification").

Each failure is applied to a month already written, then the manifest is re-signed (rows, sha256,
bytes), as an upstream system that re-exports would do: the checksums pass, and only the
platform's own verification can tell. The manifest is removed first and written last, so a reader
never sees it describe files that are still being changed. The manifest lists the failures applied.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kz_domain.iin import check_digits
from kz_domain.landing_contract import REGISTRIES

from .iin import digits_to_arrow, int_to_digits
from .writer import sha256_of, write_json_atomically

#: Registries whose staging tells two versions of one record apart by a key (and whose shifted
#: date stays a different value after staging): where a conflicting duplicate is a conflict.
CONFLICT_KEYED = frozenset({"population", "families", "health", "border_crossings"})
#: The seed offset of a month generated for a population unrelated to the previous month's.
UNRELATED_SEED_OFFSET = 7_919


@dataclass(frozen=True)
class Failure:
    """One kind of feed failure: its default registry and what it does."""

    name: str
    registry: str
    description: str


def _read(path: Path) -> pa.Table:
    return pq.read_table(path)


def _write(path: Path, table: pa.Table) -> None:
    pq.write_table(table, path, compression="zstd")


def _previous_eve(as_of: date) -> date:
    return as_of.replace(day=1) - timedelta(days=1)


def _replace_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    index = table.schema.get_field_index(name)
    return table.set_column(index, name, values)


def _empty(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    return table.slice(0, 0)


def _stale(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    as_of = table.column("extract_as_of")[0].as_py()
    stale = pa.array(np.full(table.num_rows, np.datetime64(_previous_eve(as_of), "D")), pa.date32())
    return _replace_column(table, "extract_as_of", stale)


def _renamed_column(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    name = next(n for n in table.column_names if n not in {"iin", "extract_as_of"})
    return table.rename_columns([f"{n}_v2" if n == name else n for n in table.column_names])


def _extra_column(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    return table.append_column("source_release", pa.array(["2.0"] * table.num_rows, pa.string()))


def _wrong_type(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    field = next(f for f in REGISTRIES[registry] if pa.types.is_date(f.type) and f.name != "extract_as_of")
    return _replace_column(table, field.name, pc.cast(table.column(field.name), pa.string()))


def _locale_numbers(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    field = next(f for f in REGISTRIES[registry] if pa.types.is_floating(f.type))
    values = table.column(field.name).to_numpy(zero_copy_only=False)
    # "123 456,00": a space for thousands and a decimal comma, as a Russian-locale export writes.
    text = [None if np.isnan(v) else f"{v:,.2f}".replace(",", " ").replace(".", ",") for v in values]
    return _replace_column(table, field.name, pa.array(text, pa.string()))


def _iin_as_integer(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    numbers = pc.cast(table.column("iin"), pa.int64(), safe=False)
    return _replace_column(table, "iin", numbers)


def _non_utf8(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    # A spreadsheet saved in Latin-1 adds a no-break space (0xA0) after some IINs: bytes that are
    # not UTF-8, in a column the contract types as text.
    column = table.column("iin").combine_chunks()
    values = column.to_pylist()
    hit = rng.random(len(values)) < 0.01
    hit[0] = True
    raw = [
        v.encode() + b"\xa0" if h and v is not None else (v.encode() if v is not None else None)
        for v, h in zip(values, hit, strict=True)
    ]
    binary = pa.array(raw, pa.binary())
    text = pa.Array.from_buffers(pa.string(), len(binary), binary.buffers(), binary.null_count)
    return _replace_column(table, "iin", text)


def _halved_volume(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    return table.take(np.arange(0, table.num_rows, 2))


def _conflicting_duplicates(table: pa.Table, registry: str, rng: np.random.Generator) -> pa.Table:
    # A second version of some records under the same key, with a different value: the source
    # exported an old and a new version of the record side by side.
    rows = np.sort(rng.choice(table.num_rows, size=min(5, table.num_rows), replace=False))
    copies = table.take(rows)
    field = next(f for f in REGISTRIES[registry] if pa.types.is_date(f.type) and f.name != "extract_as_of")
    days = copies.column(field.name).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    moved = pa.array(days + np.timedelta64(1, "D"), pa.date32())
    return pa.concat_tables([table, _replace_column(copies, field.name, moved)])


def _new_members(population: pa.Table, n: int, rng: np.random.Generator, template: pa.Table) -> pa.Table:
    """`n` new adults (born 1980-1999) with valid IINs that nobody in `population` has."""
    k = 4 * n  # some serials have no check digit, some IINs are taken
    birth = np.datetime64("1980-01-01") + rng.integers(0, 20 * 365, k).astype("timedelta64[D]")
    yymmdd = np.array([int(str(b).replace("-", "")[2:]) for b in birth], np.int64)
    first_eleven = np.c_[int_to_digits(yymmdd, 6), np.full(k, 3), int_to_digits(9000 + np.arange(k), 4)]
    check = check_digits(first_eleven)
    valid = np.flatnonzero(check >= 0)
    candidates = digits_to_arrow(np.c_[first_eleven[valid], check[valid]])
    taken = pc.is_in(candidates, value_set=pc.unique(population.column("iin"))).to_numpy(zero_copy_only=False)
    keep = valid[~taken][:n]
    iins = digits_to_arrow(np.c_[first_eleven[keep], check[keep]])
    first = template.slice(0, 1).to_pylist()[0]
    rows = pa.Table.from_pylist([first] * n, schema=population.schema)
    rows = _replace_column(rows, "iin", iins)
    rows = _replace_column(rows, "birth_date", pa.array(birth[keep], pa.date32()))
    rows = _replace_column(rows, "sex", pa.array(["M"] * n, pa.string()))  # century/sex digit 3
    return _replace_column(rows, "death_date", pa.nulls(n, pa.date32()))


def _clean_head(links: pa.Table, population: pa.Table, from_end: bool = False) -> int:
    """The row of the first (or, `from_end`, the last) family link of a head whose IIN is valid
    and appears once in `family_links` and once in `population`, alive: the two family-card
    failures of one month land on different families."""
    from kz_domain.iin import is_valid_iin

    alive = population.filter(pc.is_null(population.column("death_date")))
    counts = pc.value_counts(population.column("iin")).to_pylist()
    once = {c["values"] for c in counts if c["counts"] == 1}
    living = set(alive.column("iin").to_pylist()) & once
    link_counts = {c["values"]: c["counts"] for c in pc.value_counts(links.column("iin")).to_pylist()}
    order = zip(links.column("iin").to_pylist(), links.column("role").to_pylist(), strict=True)
    rows = list(enumerate(order))
    for row, (iin, role) in reversed(rows) if from_end else rows:
        if role == "head" and iin in living and link_counts.get(iin) == 1 and is_valid_iin(iin):
            return row
    raise ValueError("no family head without defects to build the failure on")


def _family_links_failure(size: int | None) -> Callable:
    def apply(month_dir: Path, rng: np.random.Generator) -> list[str]:
        links = _read(month_dir / "family_links.parquet")
        population = _read(month_dir / "population.parquet")
        # A family head whose own records carry no row defect (valid IIN, alive, on file once).
        row = _clean_head(links, population, from_end=size is None)
        family, person = links.column("family_id")[row].as_py(), links.column("iin")[row].as_py()
        template = links.slice(row, 1)
        if size is not None:
            # A family of implausible size: members linked to one family card beyond reason.
            own = pc.equal(population.column("iin"), person)
            people = _new_members(population, size, rng, template=population.filter(own))
            population = pa.concat_tables([population, people])
            iins = people.column("iin")
            families = pa.array([family] * len(iins), pa.int64())
        else:
            # One person linked to several families at once (three more family cards).
            first_family = links.column("family_id").to_numpy()
            others = np.unique(first_family[first_family != family])[:3]
            iins = pa.array([person] * len(others), pa.string())
            families = pa.array(others, pa.int64())
        extra = {
            "family_id": families,
            "iin": iins,
            "role": pa.array(["other"] * len(iins), pa.string()),
            "link_date": pa.array([template.column("link_date")[0].as_py()] * len(iins), pa.date32()),
            "extract_as_of": pa.array([template.column("extract_as_of")[0].as_py()] * len(iins), pa.date32()),
        }
        _write(
            month_dir / "family_links.parquet",
            pa.concat_tables([links, pa.table(extra, schema=links.schema)]),
        )
        if size is not None:
            _write(month_dir / "population.parquet", population)
            return ["family_links", "population"]
        return ["family_links"]

    return apply


#: Table transformations: failure -> function of (table, registry, rng).
_TABLE_FAILURES: dict[str, Callable[[pa.Table, str, np.random.Generator], pa.Table]] = {
    "empty_registry": _empty,
    "stale_registry": _stale,
    "renamed_column": _renamed_column,
    "extra_column": _extra_column,
    "wrong_type": _wrong_type,
    "locale_numbers": _locale_numbers,
    "iin_as_integer": _iin_as_integer,
    "non_utf8": _non_utf8,
    "halved_volume": _halved_volume,
    "conflicting_duplicates": _conflicting_duplicates,
}

FAILURES: dict[str, Failure] = {
    failure.name: failure
    for failure in [
        Failure("empty_registry", "real_estate", "the extract has no rows (manifest re-signed)"),
        Failure(
            "missing_registry",
            "credit_bureau",
            "the file is absent though the manifest lists it as delivered",
        ),
        Failure(
            "stale_registry",
            "vehicles",
            "the extract's as-of date did not move (last month's data sent again)",
        ),
        Failure("truncated_file", "vehicles", "the file is cut short in transfer (manifest re-signed)"),
        Failure("renamed_column", "vehicles", "a column renamed in a new release of the source"),
        Failure("extra_column", "vehicles", "a column the contract does not have"),
        Failure("wrong_type", "real_estate", "a date column that arrived as text"),
        Failure("locale_numbers", "pensions_benefits", "amounts as locale-formatted text ('123 456,00')"),
        Failure("iin_as_integer", "disability", "the IIN column as integers: leading zeros lost"),
        Failure("non_utf8", "vehicles", "IINs with a Latin-1 byte after them: text that is not UTF-8"),
        Failure("halved_volume", "pension_contributions", "half of the extract's rows are missing"),
        Failure(
            "unrelated_population",
            "*",
            "the month's people and families have nothing to do with the previous month's",
        ),
        Failure("implausible_family", "family_links", "one family card with 40 members"),
        Failure("person_in_several_families", "family_links", "one person linked to three more families"),
        Failure(
            "conflicting_duplicates", "population", "records repeated under their key with another value"
        ),
    ]
}


def parse_failure(text: str) -> tuple[str, str]:
    """'kind' or 'kind:registry' -> (kind, registry); unknown names raise ValueError."""
    kind, _, registry = text.partition(":")
    if kind not in FAILURES:
        raise ValueError(f"unknown failure {kind!r}; known: {sorted(FAILURES)}")
    registry = registry or FAILURES[kind].registry
    if registry != "*" and registry not in REGISTRIES:
        raise ValueError(f"failure {kind}: unknown registry {registry!r}")
    if kind in {"iin_as_integer", "non_utf8"} and "iin" not in REGISTRIES[registry].names:
        raise ValueError(f"failure {kind}: registry {registry} has no iin column")
    if kind == "conflicting_duplicates" and registry not in CONFLICT_KEYED:
        raise ValueError(
            f"failure {kind}: only registries whose rows have a key: {', '.join(sorted(CONFLICT_KEYED))}"
        )
    return kind, registry


def seed_for(seed: int, failures: list[tuple[str, str]]) -> int:
    """The seed to generate with: another population altogether for `unrelated_population`."""
    return (
        seed + UNRELATED_SEED_OFFSET if any(kind == "unrelated_population" for kind, _ in failures) else seed
    )


def apply_failures(month_dir: Path, failures: list[tuple[str, str]], seed: int) -> None:
    """Apply each (kind, registry) failure to a written month and re-sign its manifest."""
    if not failures:
        return
    manifest_path = month_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.unlink()
    rng = np.random.default_rng(seed)
    touched: set[str] = set()
    missing: set[str] = set()
    for kind, registry in failures:
        path = month_dir / f"{registry}.parquet"
        if kind in _TABLE_FAILURES:
            _write(path, _TABLE_FAILURES[kind](_read(path), registry, rng))
            touched.add(registry)
        elif kind == "missing_registry":
            path.unlink()
            missing.add(registry)
        elif kind == "truncated_file":
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
            touched.add(registry)
        elif kind in {"implausible_family", "person_in_several_families"}:
            touched.update(
                _family_links_failure(40 if kind == "implausible_family" else None)(month_dir, rng)
            )
    for entry in manifest["registries"]:
        name = entry["name"]
        if name in touched and name not in missing:
            path = month_dir / f"{name}.parquet"
            entry["sha256"], entry["bytes"] = sha256_of(path), path.stat().st_size
            # a truncated file keeps the row count its source announced
            with contextlib.suppress(pa.ArrowInvalid, OSError):
                entry["rows"] = pq.read_metadata(path).num_rows
            if any(kind == "stale_registry" and reg == name for kind, reg in failures):
                entry["extract_as_of"] = _previous_eve(date.fromisoformat(entry["extract_as_of"])).isoformat()
    manifest["failures"] = [{"failure": kind, "registry": registry} for kind, registry in failures]
    write_json_atomically(manifest_path, manifest)
