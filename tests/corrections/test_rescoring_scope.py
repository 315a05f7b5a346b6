"""The rescoring scope follows a person into another family: a lodger of family 21 (role
`other`, linked in 2010) joins family 22 by an approved membership change from 2026-05-01. Both
links have the role `other` and the join is the more recent, so the monthly run's claim rule puts
the lodger in family 22, and family 21 is left with its head. Rescoring family 21 alone must say the
same, although family 22 is not one of the families rescored."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestration.corrections.rescoring import rescore
from orchestration.corrections.store import Evidence, decide, file_membership_change
from tests.corrections.month import isolated_platform, query, run_month
from tests.corrections.test_rescoring import KATO, person
from tests.dbt.landing_fixture import make_iin, write_landing_month

PERIOD, AS_OF = "2026-10", dt.date(2026, 9, 30)
HEAD_21, LODGER, HEAD_22 = make_iin("700101", 41, 3), make_iin("900202", 42, 4), make_iin("750303", 43, 3)
ROWS = {
    "population": [
        person(HEAD_21, dt.date(1970, 1, 1), "M", "D-21"),
        person(LODGER, dt.date(1990, 2, 2), "F", "D-21"),
        person(HEAD_22, dt.date(1975, 3, 3), "M", "D-22"),
    ],
    "families": [
        dict(family_id=f, registration_date=dt.date(2010, 1, 1), address_kato=KATO) for f in (21, 22)
    ],
    "family_links": [
        dict(family_id=21, iin=HEAD_21, role="head", link_date=dt.date(2010, 1, 1)),
        dict(family_id=21, iin=LODGER, role="other", link_date=dt.date(2010, 1, 1)),
        dict(family_id=22, iin=HEAD_22, role="head", link_date=dt.date(2010, 1, 1)),
    ],
}


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    root = tmp_path_factory.mktemp("rescoring_scope")
    with isolated_platform(root) as paths:
        write_landing_month(paths.landing_root, PERIOD, ROWS, AS_OF)
        run_month(paths, PERIOD, "79", root / "target")
        joined = file_membership_change(
            paths.corrections_root, subject_iin=LODGER, family_id=22, change="joins_family",
            evidence=Evidence("rental_registration", "R-77", "2026-05-01"), requested_by="a.caseworker",
            effective_from="2026-05-01",
        )  # fmt: skip
        decide(paths.corrections_root, joined, "approved", "a.supervisor")
        rescored = rescore(paths, PERIOD, [21], state=root / "target")
        scratch = query(paths.rescoring_path, "select * from family_features where family_id = 21")
        run_month(paths, PERIOD, "79", root / "target")
        yield paths, rescored, scratch


def test_a_person_who_joined_another_family_leaves_the_rescored_one_as_in_the_monthly_run(month):
    paths, rescored, scratch = month
    assert rescored.table.iloc[0].features_changed.startswith("n_members 2 -> 1")
    assert query(paths.warehouse_path, "select * from family_features where family_id = 21") == scratch
    assert query(paths.warehouse_path, "select family_id, n_members from family_features order by 1") == [
        (21, 1),
        (22, 2),
    ]
