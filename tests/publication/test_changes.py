"""The changes files published with each snapshot, on a hand-built pair of months checked by hand.

February and March 2026 of Shymkent, then March republished after a correction:

    asp (family-level)      February            March v1            March v2 (C-000001 in force)
    family 1                L1  10,000.00       -                   -
    family 2                L2  10,001.00       L2  10,001.00       L2  10,001.00
    family 3                L3  10,002.00       L2  12,000.50       L2  12,000.50
    family 4                L4  10,003.00       L4   9,000.00       L4   9,500.00
    family 5                -                   L1   5,000.00       L1   5,000.00
    home_schooling          family 7, child A   + child B           same as v1

Families 1 and 5 are on one list only; the warehouse's levels (ChangeFacts) give family 1's
March level (6) and family 5's February level (3).
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from orchestration.publication.changes import ChangeFacts
from orchestration.publication.snapshot import publish_snapshot, read_changes, read_snapshot
from tests.publication.conftest import REGION, publish_args, valid_iins

RECIPIENTS = valid_iins(8, birth="850101", century_sex="3")
CHILDREN = valid_iins(2, birth="150505", century_sex="5")
FACTS = ChangeFacts(levels={"2026-02": {5: 3}, "2026-03": {1: 6}}, corrections={4: frozenset({"C-000001"})})
PIN = {"through_seq": 1, "sha256": "c" * 64}


def rows(period: str, service: str, entries: list[tuple]) -> pa.Table:
    """(family, beneficiary index or None, level, amount) -> a list of the schema's columns."""
    return pa.table(
        {
            "period": [period] * len(entries),
            "region": [REGION] * len(entries),
            "service": [service] * len(entries),
            "family_id": [family for family, _, _, _ in entries],
            "recipient_iin": [RECIPIENTS[family] for family, _, _, _ in entries],
            "beneficiary_iin": [None if child is None else CHILDREN[child] for _, child, _, _ in entries],
            "level": [level for _, _, level, _ in entries],
            "amount_kzt": pa.array([Decimal(amount) for _, _, _, amount in entries], pa.decimal128(18, 2)),
            "rule_version": ["rules-2026.03"] * len(entries),
            "methodology_version": ["2026.1"] * len(entries),
            "reason_codes": [[] for _ in entries],
        }
    )


def february() -> dict:
    return {
        "asp": rows(
            "2026-02",
            "asp",
            [(1, None, 1, "10000"), (2, None, 2, "10001"), (3, None, 3, "10002"), (4, None, 4, "10003")],
        ),
        "home_schooling": rows("2026-02", "home_schooling", [(7, 0, 1, "17300")]),
    }


def march(family_4_amount: str = "9000") -> dict:
    return {
        "asp": rows(
            "2026-03",
            "asp",
            [
                (2, None, 2, "10001"),
                (3, None, 2, "12000.50"),
                (4, None, 4, family_4_amount),
                (5, None, 1, "5000"),
            ],
        ),
        "home_schooling": rows("2026-03", "home_schooling", [(7, 0, 1, "17300"), (7, 1, 1, "17300")]),
    }


@pytest.fixture
def months(tmp_path):
    feb = publish_snapshot(
        tmp_path,
        "2026-02",
        REGION,
        february(),
        **publish_args(corrections=PIN | {"in_force": []}),
        change_facts=FACTS,
    )
    mar1 = publish_snapshot(
        tmp_path,
        "2026-03",
        REGION,
        march(),
        **publish_args(corrections=PIN | {"in_force": []}),
        change_facts=FACTS,
    )
    mar2 = publish_snapshot(
        tmp_path,
        "2026-03",
        REGION,
        march(family_4_amount="9500"),
        **publish_args(corrections={"through_seq": 2, "sha256": "d" * 64, "in_force": ["C-000001"]}),
        change_facts=FACTS,
    )
    return feb, mar1, mar2


def readable(table: pa.Table) -> list[tuple]:
    """(change, reason, family, beneficiary index, level before, after, amount before, after, change)."""
    child = {iin: index for index, iin in enumerate(CHILDREN)}
    return [
        (
            row["change"],
            row["reason"],
            row["family_id"],
            child.get(row["beneficiary_iin"]),
            row["level_before"],
            row["level_after"],
            row["amount_before_kzt"],
            row["amount_after_kzt"],
            row["amount_change_kzt"],
        )
        for row in table.to_pylist()
    ]


def test_the_first_month_has_no_basis_to_compare_with(months):
    feb, _, _ = months
    assert feb.changes["bases"] == {"previous_version": None, "previous_month": None}
    assert read_changes(feb.path, "previous_month") == ({}, {})


def test_march_against_february_hand_checked(months):
    feb, mar1, _ = months
    entry, changes = read_changes(mar1.path, "previous_month")
    assert entry["version"] == feb.version
    d = Decimal
    assert readable(changes["asp"]) == [
        ("added", "level_moved", 5, None, 3, 1, None, d("5000.00"), d("5000.00")),
        ("removed", "level_moved", 1, None, 1, 6, d("10000.00"), None, d("-10000.00")),
        ("amount_changed", "level_moved", 3, None, 3, 2, d("10002.00"), d("12000.50"), d("1998.50")),
        ("amount_changed", "data_changed", 4, None, 4, 4, d("10003.00"), d("9000.00"), d("-1003.00")),
    ]
    assert readable(changes["home_schooling"]) == [
        ("added", "data_changed", 7, 1, 1, 1, None, d("17300.00"), d("17300.00")),
    ]
    # The manifest's control totals, by hand: 40,006 + 5,000 - 10,000 + (1,998.50 - 1,003) = 36,001.50.
    asp = entry["services"]["asp"]
    assert (asp["basis_rows"], asp["basis_amount_total_kzt"]) == (4, "40006.00")
    assert asp["rows"] == 4
    assert asp["added"] == {"rows": 1, "amount_kzt": "5000.00"}
    assert asp["removed"] == {"rows": 1, "amount_kzt": "10000.00"}
    assert asp["amount_changed"] == {"rows": 2, "amount_change_kzt": "995.50"}
    assert mar1.amount_totals_kzt["asp"] == Decimal("36001.50")


def test_references_are_kept_by_a_republication_and_differ_from_last_months(months):
    feb, mar1, mar2 = months
    _, feb_lists = read_snapshot(feb.path)
    _, mar1_lists = read_snapshot(mar1.path)
    _, mar2_lists = read_snapshot(mar2.path)
    assert mar1.version != mar2.version
    assert mar2_lists["asp"]["reference_id"].equals(mar1_lists["asp"]["reference_id"])
    assert mar2_lists["home_schooling"]["reference_id"].equals(mar1_lists["home_schooling"]["reference_id"])
    assert set(feb_lists["asp"]["reference_id"].to_pylist()).isdisjoint(
        mar1_lists["asp"]["reference_id"].to_pylist()
    )
    # The changes file carries both: this month's reference, and the basis' one.
    _, changes = read_changes(mar1.path, "previous_month")
    family_4 = [row for row in changes["asp"].to_pylist() if row["family_id"] == 4][0]
    feb_4 = [row for row in feb_lists["asp"].to_pylist() if row["family_id"] == 4][0]
    mar_4 = [row for row in mar1_lists["asp"].to_pylist() if row["family_id"] == 4][0]
    assert (family_4["reference_id"], family_4["basis_reference_id"]) == (
        mar_4["reference_id"],
        feb_4["reference_id"],
    )


def test_the_republication_holds_the_correction_against_the_previous_version_and_month(months):
    _, mar1, mar2 = months
    entry, changes = read_changes(mar2.path, "previous_version")
    assert entry["version"] == mar1.version
    d = Decimal
    assert readable(changes["asp"]) == [
        ("amount_changed", "correction_applied", 4, None, 4, 4, d("9000.00"), d("9500.00"), d("500.00")),
    ]
    assert changes["home_schooling"].num_rows == 0
    assert entry["services"]["home_schooling"] | {"file": None, "sha256": None, "bytes": None} == {
        "file": None,
        "sha256": None,
        "bytes": None,
        "basis_rows": 2,
        "basis_amount_total_kzt": "34600.00",
        "rows": 0,
        "added": {"rows": 0, "amount_kzt": "0.00"},
        "removed": {"rows": 0, "amount_kzt": "0.00"},
        "amount_changed": {"rows": 0, "amount_change_kzt": "0.00"},
    }
    _, against_february = read_changes(mar2.path, "previous_month")
    family_4 = [change for change in readable(against_february["asp"]) if change[2] == 4]
    assert family_4 == [
        ("amount_changed", "correction_applied", 4, None, 4, 4, d("10003.00"), d("9500.00"), d("-503.00"))
    ]


def test_a_changed_changes_file_fails_the_snapshots_check(months):
    _, mar1, _ = months
    target = mar1.path / "asp.changes-previous_month.parquet"
    mar1.path.chmod(0o755)
    target.chmod(0o644)
    target.write_bytes(target.read_bytes() + b"\0")
    with pytest.raises(Exception, match="sha256 of asp.changes-previous_month.parquet does not match"):
        read_snapshot(mar1.path)


@pytest.mark.xdist_group("postgres")
def test_postgres_holds_the_changes_with_the_list_and_exact_amounts(months, postgres_uri):
    import psycopg

    from orchestration.publication.postgres import load_snapshot_to_postgres

    feb, mar1, mar2 = months
    for snapshot in months:
        load_snapshot_to_postgres(postgres_uri, snapshot.path)
    with psycopg.connect(postgres_uri) as conn:
        per_basis = conn.execute(
            "SELECT basis, basis_version, change, count(*), sum(amount_change_kzt) FROM published.current_changes "
            "WHERE period = '2026-03' AND region = %s AND service = 'asp' GROUP BY 1, 2, 3 ORDER BY 1, 3",
            (REGION,),
        ).fetchall()
        amounts = conn.execute(
            "SELECT amount_kzt, pg_typeof(amount_kzt)::text FROM published.current_eligibility "
            "WHERE period = '2026-03' AND service = 'asp' ORDER BY family_id"
        ).fetchall()
        total = conn.execute(
            "SELECT amount_total_kzt FROM published.snapshot WHERE version = %s AND period = '2026-03'",
            (mar2.version,),
        ).fetchone()[0]
    assert per_basis == [
        ("previous_month", feb.version, "added", 1, Decimal("5000.00")),
        ("previous_month", feb.version, "amount_changed", 2, Decimal("1495.50")),
        ("previous_month", feb.version, "removed", 1, Decimal("-10000.00")),
        ("previous_version", mar1.version, "amount_changed", 1, Decimal("500.00")),
    ]
    assert amounts == [
        (Decimal("10001.00"), "numeric"),
        (Decimal("12000.50"), "numeric"),
        (Decimal("9500.00"), "numeric"),
        (Decimal("5000.00"), "numeric"),
    ]
    assert total == Decimal("71101.50")  # asp 36,501.50 + home schooling 34,600.00
