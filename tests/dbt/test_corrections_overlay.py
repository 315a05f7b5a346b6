"""Corrections applied as an overlay by dbt: the car a family sold stops counting once the
correction is approved, while the registry's row stays as the registry sent it; a correction
not approved, or withdrawn, changes nothing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.corrections.store import Evidence, decide, file_membership_change, file_registry_correction
from tests.dbt.landing_fixture import make_iin, write_landing_month

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
PERIOD, AS_OF = "2026-10", dt.date(2026, 9, 30)
OWNER = make_iin("800315", 1, 3)  # family 1 head, with two cars
NEIGHBOUR = make_iin("810101", 2, 3)  # family 2 head, with one car
SPOUSE = make_iin("820202", 3, 4)  # family 1 spouse: left the family (divorce), the registry not yet
LODGER = make_iin("830303", 4, 3)  # in no family card: joined family 2
ROWS = {
    "population": [
        dict(iin=iin, birth_date=dt.date(1980, 3, 15), sex="M", address_kato="791110000", settlement_type=1)
        for iin in (OWNER, NEIGHBOUR, SPOUSE, LODGER)
    ],
    "families": [
        dict(family_id=fid, registration_date=dt.date(2010, 1, 1), address_kato="791110000") for fid in (1, 2)
    ],
    "family_links": [
        dict(family_id=1, iin=OWNER, role="head", link_date=dt.date(2010, 1, 1)),
        dict(family_id=2, iin=NEIGHBOUR, role="head", link_date=dt.date(2010, 1, 1)),
        dict(family_id=1, iin=SPOUSE, role="spouse", link_date=dt.date(2010, 1, 1)),
    ],
    "vehicles": [
        dict(
            vehicle_id=vid,
            iin=iin,
            vehicle_type="car",
            registration_date=dt.date(2020, 1, 1),
            is_commercial=False,
        )
        for vid, iin in (("V-SOLD", OWNER), ("V-KEPT", OWNER), ("V-N", NEIGHBOUR))
    ],
}


def build(root: Path) -> Path:
    warehouse = root / "warehouse.duckdb"
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "LANDING_ROOT": str(root / "landing"),
        "CORRECTIONS_ROOT": str(root / "corrections"),
        "DBT_REPO_ROOT": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        str(DBT), "build", "--project-dir", str(REPO_ROOT / "dbt_project"), "--profiles-dir",
        str(REPO_ROOT / "dbt_project"), "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
        "--vars", f'{{"period": "{PERIOD}"}}', "--exclude", "path:models/eligibility", "path:models/payments",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        summary = [line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        pytest.fail("dbt build failed:\n" + "\n".join(summary[-30:]))
    return warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corrections_overlay")
    write_landing_month(root / "landing", PERIOD, ROWS, AS_OF)
    log = root / "corrections"
    common = dict(
        registry="vehicles",
        column="iin",
        registry_value=OWNER,
        corrected_value=None,
        evidence=Evidence("sale_contract", "notary 12/345", "2026-03-10"),
        requested_by="a.caseworker",
        effective_from="2026-03-10",
    )
    sold = file_registry_correction(log, subject_iin=OWNER, record_key="V-SOLD", **common)
    decide(log, sold, "approved", "a.supervisor")
    # filed but never decided, and approved then withdrawn: neither applies
    file_registry_correction(log, subject_iin=OWNER, record_key="V-KEPT", **common)
    common["registry_value"] = NEIGHBOUR
    withdrawn = file_registry_correction(log, subject_iin=NEIGHBOUR, record_key="V-N", **common)
    decide(log, withdrawn, "approved", "a.supervisor")
    decide(log, withdrawn, "withdrawn", "a.caseworker", "the sale was annulled")
    # the registry now agrees: V-N is the neighbour's, as the correction says -> lapsed
    common["registry_value"] = OWNER
    agrees = file_registry_correction(
        log, subject_iin=OWNER, record_key="V-N", **(common | {"corrected_value": NEIGHBOUR})
    )
    decide(log, agrees, "approved", "a.supervisor")
    # the registry's newer extract says neither what it said at filing nor the correction -> flagged
    moved = file_registry_correction(
        log,
        subject_iin=OWNER,
        record_key="V-KEPT",
        **(
            common
            | {"column": "registration_date", "registry_value": "2019-01-01", "corrected_value": "2019-06-01"}
        ),
    )
    decide(log, moved, "approved", "a.supervisor")
    split = dict(
        evidence=Evidence("divorce_certificate", "AB-1234", "2026-02-01"), requested_by="a.caseworker"
    )
    left = file_membership_change(
        log, subject_iin=SPOUSE, family_id=1, change="leaves_family", effective_from="2026-02-01", **split
    )
    joined = file_membership_change(
        log, subject_iin=LODGER, family_id=2, change="joins_family", effective_from="2026-02-01", **split
    )
    # the registry already lists the neighbour in family 2, as this join says -> lapsed
    agreed = file_membership_change(
        log, subject_iin=NEIGHBOUR, family_id=2, change="joins_family", effective_from="2026-02-01", **split
    )
    for cid in (left, joined, agreed):
        decide(log, cid, "approved", "a.supervisor")
    return build(root)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_the_sold_car_no_longer_counts_for_the_family_once_the_correction_is_approved(built):
    assert query(
        built, f"select family_id, n_cars from family_features where period = '{PERIOD}' order by 1"
    ) == [
        (1, 1),
        (2, 1),
    ]


def test_the_registry_row_is_kept_as_sent_and_the_correction_in_force_sits_beside_it(built):
    assert query(built, "select vehicle_id, iin is null from staging.stg_vehicles order by 1") == [
        ("V-KEPT", False),
        ("V-N", False),
        ("V-SOLD", True),
    ]
    assert query(built, "select count(*) from staging.stg_vehicles__checked where iin is not null") == [(3,)]
    assert query(
        built,
        "select correction_id, record_key, registry_value is not null, corrected_value from staging.stg_corrections__in_force",
    ) == [
        ("C-000001", "V-SOLD", True, None),
        ("C-000004", "V-N", True, NEIGHBOUR),
        ("C-000005", "V-KEPT", True, "2019-06-01"),
        ("C-000006", None, False, None),
        ("C-000007", None, False, None),
        ("C-000008", None, False, None),
    ]
    # nothing lost: rows in = kept + rejected still holds with the overlay
    assert query(
        built,
        "select rows_in, rows_kept, rows_rejected from landing_reconciliation where registry = 'vehicles'",
    ) == [(3, 3, 0)]


def test_a_correction_lapses_when_the_registry_agrees_and_is_flagged_when_it_moved_on(built):
    assert query(
        built, "select correction_id, status, family_id from intermediate.int_corrections_status order by 1"
    ) == [
        ("C-000001", "applied", 1),
        ("C-000004", "lapsed", 1),
        ("C-000005", "flagged", 1),
        ("C-000006", "applied", 1),  # the registry still lists the spouse in family 1
        ("C-000007", "applied", 2),  # and not yet the lodger in family 2
        ("C-000008", "lapsed", 2),  # but already the neighbour
    ]
    # a flagged correction still applies until a caseworker decides
    assert query(built, "select registration_date from staging.stg_vehicles where vehicle_id = 'V-KEPT'") == [
        (dt.date(2019, 6, 1),)
    ]


def test_a_family_split_takes_the_person_out_and_a_join_puts_one_in(built):
    assert query(
        built,
        f"select family_id, n_members, n_adults from family_features where period = '{PERIOD}' order by 1",
    ) == [(1, 1, 1), (2, 2, 2)]
    # the registry's link stays, with the reason it is not used
    assert query(built, "select family_id, reason_code from intermediate.int_family_links__rejected") == [
        (1, "LEFT_BY_CORRECTION")
    ]


def test_the_manifest_names_the_corrections_dbt_applies(built):
    """The ids a publication's manifest records (store.in_force, from the pinned log) are the
    corrections dbt's stg_corrections__in_force applies: one rule, told twice, tied here."""
    from orchestration.corrections.store import LOG_NAME, in_force

    log = (built.parent / "corrections" / LOG_NAME).read_bytes()
    applied = [
        cid
        for (cid,) in query(built, "select correction_id from staging.stg_corrections__in_force order by 1")
    ]
    assert in_force(log, PERIOD) == applied
