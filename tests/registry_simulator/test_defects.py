"""Injected defects: what is in the files is exactly what the manifest lists, at about the asked rate."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kz_domain.iin import valid_mask
from kz_domain.landing_contract import REGISTRY_NAMES
from registry_simulator.defects import DATE_COLUMNS, KATO_COLUMNS, MONEY_COLUMNS, REQUIRED_COLUMNS
from registry_simulator.geography import all_kato_codes
from registry_simulator.iin import strings_to_digits

REFERENCE = dt.date(2026, 10, 1)


def _manifest_counts(summary) -> Counter:
    return Counter({(d["defect"], d["registry"], d["column"]): d["rows"] for d in summary.defects})


def _table(summary, name):
    return pq.read_table(summary.month_dir / f"{name}.parquet")


def test_row_defects_in_the_files_equal_the_manifest(row_defect_month):
    expected = _manifest_counts(row_defect_month)
    found: Counter = Counter()
    known_kato = {code for code, _, _ in all_kato_codes()}
    total_rows = 0
    for name in REGISTRY_NAMES:
        table = _table(row_defect_month, name)
        total_rows += table.num_rows
        for column in ("iin", "payer_iin"):
            if column in table.column_names:
                values = table.column(column).combine_chunks().drop_null()
                found[("invalid_iin", name, column)] = int((~valid_mask(strings_to_digits(values))).sum())
        if name in MONEY_COLUMNS:
            amounts = table.column(MONEY_COLUMNS[name]).to_numpy(zero_copy_only=False)
            found[("negative_amount", name, MONEY_COLUMNS[name])] = int((amounts < 0).sum())
        if name in DATE_COLUMNS:
            column = DATE_COLUMNS[name]
            found[("future_date", name, column)] = (
                pc.sum(pc.greater(table.column(column), REFERENCE)).as_py() or 0
            )
        for column in REQUIRED_COLUMNS.get(name, ()):
            found[("missing_value", name, column)] = table.column(column).null_count
        if name in KATO_COLUMNS:
            codes = table.column(KATO_COLUMNS[name]).to_pylist()
            found[("unknown_kato", name, KATO_COLUMNS[name])] = sum(
                c is not None and c not in known_kato for c in codes
            )
    # Absurd amounts cannot be told from a large mortgage by a threshold, so they are checked below.
    checkable = {k: v for k, v in expected.items() if k[0] != "absurd_amount"}
    assert {k: v for k, v in found.items() if v} == checkable
    # Absurd amounts are 10,000 times a real one (at least 10 M KZT).
    for (defect, name, column), n in expected.items():
        if defect == "absurd_amount":
            amounts = _table(row_defect_month, name).column(column).to_numpy(zero_copy_only=False)
            assert (amounts >= 1e7).sum() >= n, name
    # Rates: 2% of rows per defect kind where it applies; over all registries the totals are close.
    invalid = sum(v for (d, _, _), v in expected.items() if d == "invalid_iin")
    iin_rows = sum(_table(row_defect_month, n).num_rows for n in REGISTRY_NAMES)
    assert 0.015 < invalid / iin_rows < 0.025
    missing = sum(v for (d, _, _), v in expected.items() if d == "missing_value")
    assert 0.015 < missing / total_rows < 0.025


def test_duplicates_are_exact_copies_and_counted(duplicate_month):
    expected = _manifest_counts(duplicate_month)
    total = copies = 0
    for name in ("population", "family_links", "pension_contributions", "credit_bureau", "real_estate"):
        path = duplicate_month.month_dir / f"{name}.parquet"
        ((rows, distinct),) = duckdb.sql(
            f"select count(*), (select count(*) from (select distinct * from '{path}')) from '{path}'"
        ).fetchall()
        assert rows - distinct == expected[("duplicate_row", name, "*")], name
        total += rows
        copies += rows - distinct
    assert 0.02 < copies / total < 0.04
    assert {k[0] for k in expected} == {"duplicate_row"}


def test_family_defects_are_visible_and_counted(family_defect_month):
    expected = _manifest_counts(family_defect_month)
    directory = family_defect_month.month_dir
    con = duckdb.connect()
    for name in ("families", "family_links", "population"):
        con.execute(f"create view {name} as select * from '{directory}/{name}.parquet'")
    ((two,),) = (
        con.execute("""select count(*) from (select iin from family_links l join population p using (iin)
                             where p.death_date is null group by iin having count(distinct family_id) > 1)""").fetchall()
    )
    ((dead,),) = con.execute("""select count(*) from family_links l join population p using (iin)
                              where p.death_date is not null""").fetchall()
    ((empty,),) = con.execute("""select count(*) from families f
                               where not exists (select 1 from family_links l where l.family_id = f.family_id)""").fetchall()
    assert two == expected[("person_in_two_families", "family_links", "iin")] > 0
    assert dead == expected[("deceased_in_family", "family_links", "iin")] > 0
    assert empty == expected[("family_without_members", "families", "family_id")] > 0
    # The truth describes the real families only.
    truth = pq.read_table(family_defect_month.truth_path)
    assert truth.num_rows == family_defect_month.families
