"""Corrections through scoring and the lists, with hand-built families of Shymkent (region 79),
2026-10, every extract as of 2026-09-30:

| family | registry says                                      | correction                          | expected                  |
|--------|----------------------------------------------------|-------------------------------------|---------------------------|
| 11     | two dwellings, two cars, a home-schooled disabled  | car V-11B sold in March (iin ->     | G3_WEALTH off: level 6 -> |
|        | child; wages 900,000 a month: gate G3_WEALTH -> 6   | null)                               | 5, listed for home schooling |
| 12     | a home-schooled child whose disability review date | review date 2027-08-31 (confirmed   | n_disabled_children 0 -> 1, |
|        | passed on 2026-08-31; wages 150,000 for two: level 4 | last week)                        | N1_DISABILITY: level 4 -> 3, |
|        |                                                    |                                     | home schooling and pupil aid (levels 1-3) |
| 13     | head (wages 300,000), spouse and child: level 3    | the spouse left the family (divorce) | n_members 3 -> 2, level 3 -> 4 |

Home schooling (seeds/service_rules/home_schooling.csv) lists levels 1-5, one row per disabled
child under 18 schooled at home, 4 MRP a month. The month is built as the monthly run builds it;
then the corrections are approved, the three families are rescored on demand, and the next full
run is compared with the rescoring."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from orchestration.corrections.rescoring import RescoringError, checked_families, report, rescore
from orchestration.corrections.store import Evidence, decide, file_membership_change, file_registry_correction
from tests.corrections.month import isolated_platform, query, run_month
from tests.dbt.landing_fixture import make_iin, write_landing_month

PERIOD, REGION, AS_OF = "2026-10", "79", dt.date(2026, 9, 30)
KATO = "791110000"
RICH, RICH_SPOUSE, RICH_CHILD = (
    make_iin("800315", 11, 3),
    make_iin("820420", 12, 4),
    make_iin("170105", 13, 5),
)
MOTHER, CHILD = make_iin("850610", 21, 4), make_iin("150909", 22, 5)
HEAD, SPOUSE, SON = make_iin("790101", 31, 3), make_iin("810202", 32, 4), make_iin("120303", 33, 5)


def person(iin: str, birth: dt.date, sex: str, dwelling: str) -> dict:
    return dict(
        iin=iin, birth_date=birth, sex=sex, address_kato=KATO, settlement_type=1, dwelling_id=dwelling
    )


def wages(iin: str, monthly_wage: int) -> list[dict]:
    """Twelve months of pension contributions (10 % of the wage) before the reference date."""
    months = (
        [dt.date(2025, 10, 1)]
        + [dt.date(2026, m, 1) for m in range(1, 10)]
        + [dt.date(2025, 11, 1), dt.date(2025, 12, 1)]
    )
    return [
        dict(iin=iin, month=m, employer_bin="123456789012", contribution_kzt=monthly_wage / 10)
        for m in months
    ]


def home_schooled(iin: str) -> dict:
    return dict(iin=iin, institution_type="school", study_form="home_schooling", status="enrolled",
                start_date=dt.date(2023, 9, 1), end_date=None)  # fmt: skip


ROWS = {
    "population": [
        person(RICH, dt.date(1980, 3, 15), "M", "D-11A"),
        person(RICH_SPOUSE, dt.date(1982, 4, 20), "F", "D-11A"),
        person(RICH_CHILD, dt.date(2017, 1, 5), "M", "D-11A"),
        person(MOTHER, dt.date(1985, 6, 10), "F", "D-12"),
        person(CHILD, dt.date(2015, 9, 9), "M", "D-12"),
        person(HEAD, dt.date(1979, 1, 1), "M", "D-13"),
        person(SPOUSE, dt.date(1981, 2, 2), "F", "D-13"),
        person(SON, dt.date(2012, 3, 3), "M", "D-13"),
    ],
    "families": [
        dict(family_id=fid, registration_date=dt.date(2010, 1, 1), address_kato=KATO) for fid in (11, 12, 13)
    ],
    "family_links": [
        dict(family_id=family, iin=iin, role=role, link_date=dt.date(2010, 1, 1))
        for family, iin, role in (
            (11, RICH, "head"),
            (11, RICH_SPOUSE, "spouse"),
            (11, RICH_CHILD, "child"),
            (12, MOTHER, "head"),
            (12, CHILD, "child"),
            (13, HEAD, "head"),
            (13, SPOUSE, "spouse"),
            (13, SON, "child"),
        )
    ],  # fmt: skip
    "pension_contributions": [*wages(RICH, 900_000), *wages(MOTHER, 150_000), *wages(HEAD, 300_000)],
    "real_estate": [
        dict(
            object_id=obj,
            iin=RICH,
            property_type="residential",
            area_m2=area,
            ownership_share=1.0,
            kato=KATO,
            registration_date=dt.date(2015, 1, 1),
        )
        for obj, area in (("D-11A", 120.0), ("D-11B", 80.0))
    ],  # fmt: skip
    "vehicles": [
        dict(
            vehicle_id=vid,
            iin=RICH,
            vehicle_type="car",
            registration_date=dt.date(2019, 5, 1),
            is_commercial=False,
        )
        for vid in ("V-11A", "V-11B")
    ],
    "disability": [
        dict(iin=RICH_CHILD, disability_group="CHILD", assigned_date=dt.date(2020, 1, 1), review_date=None),
        dict(
            iin=CHILD,
            disability_group="CHILD",
            assigned_date=dt.date(2019, 1, 1),
            review_date=dt.date(2026, 8, 31),
        ),
    ],
    "education": [home_schooled(RICH_CHILD), home_schooled(CHILD)],
}


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    root = tmp_path_factory.mktemp("rescoring")
    with isolated_platform(root) as paths:
        write_landing_month(paths.landing_root, PERIOD, ROWS, AS_OF)
        run_month(paths, PERIOD, REGION, root / "target")
        before = {
            "levels": dict(query(paths.warehouse_path, "select family_id, level from family_scores")),
            "listed": query(paths.warehouse_path, "select distinct family_id, service from eligibility_list order by all"),
        }  # fmt: skip
        log = paths.corrections_root
        sold = file_registry_correction(
            log, subject_iin=RICH, registry="vehicles", column="iin", record_key="V-11B", registry_value=RICH,
            corrected_value=None, evidence=Evidence("sale_contract", "notary 12/345", "2026-03-10"),
            requested_by="a.caseworker", effective_from="2026-03-10", reason="car sold in March",
        )  # fmt: skip
        confirmed = file_registry_correction(
            log, subject_iin=CHILD, registry="disability", column="review_date", registry_value="2026-08-31",
            corrected_value="2027-08-31", evidence=Evidence("mse_certificate", "MSE-77/2026", "2026-09-25"),
            requested_by="a.caseworker", effective_from="2026-09-01", reason="re-examination confirmed last week",
        )  # fmt: skip
        left = file_membership_change(
            log, subject_iin=SPOUSE, family_id=13, change="leaves_family",
            evidence=Evidence("divorce_certificate", "AB-1234", "2026-02-01"), requested_by="a.caseworker",
            effective_from="2026-02-01",
        )  # fmt: skip
        for cid in (sold, confirmed, left):
            decide(log, cid, "approved", "a.supervisor")
        rescored = rescore(paths, PERIOD, [11, 12, 13], state=root / "target")
        scratch_features = query(paths.rescoring_path, "select * from family_features order by family_id")
        # the next monthly run, with the same corrections in force
        run_month(paths, PERIOD, REGION, root / "target")
        yield {"paths": paths, "before": before, "rescored": rescored, "scratch_features": scratch_features}


def row(month, family_id):
    table = month["rescored"].table
    return table[table["family_id"] == family_id].iloc[0]


def test_the_month_before_the_corrections_is_what_the_registries_say(month):
    assert month["before"]["levels"][11] == 6  # G3_WEALTH: two dwellings and two cars
    assert (11, "home_schooling") not in month["before"]["listed"]
    assert (12, "home_schooling") not in month["before"]["listed"]  # the disability lapsed on 2026-08-31


def test_a_sold_car_moves_the_family_from_level_6_to_5_and_onto_the_home_schooling_list(month):
    family = row(month, 11)
    assert (family.level_before, family.level_after) == (6, 5)
    assert family.services_before == ""
    assert family.services_after == "home_schooling"
    assert family.features_changed == "n_cars 2 -> 1"
    assert family.corrections == "C-000001"


def test_a_confirmed_disability_counts_the_child_and_lists_the_family(month):
    family = row(month, 12)
    assert "n_disabled_children 0 -> 1" in family.features_changed
    # N1_DISABILITY counts now: level 4 -> 3, where pupil aid (levels 1-3) lists the pupil too
    assert (family.level_before, family.level_after) == (4, 3)
    assert family.reasons_after.split(", ")[1] == "N1_DISABILITY"
    assert family.services_before == ""
    assert family.services_after == "home_schooling, pupil_student_aid"
    assert family.corrections == "C-000002"


def test_a_family_split_takes_the_spouse_out_of_the_family(month):
    family = row(month, 13)
    assert family.features_changed == "n_members 3 -> 2; n_adults 2 -> 1; n_able_bodied 2 -> 1"
    # 300,000 a month for two instead of three: the dependency burden falls, level 3 -> 4
    assert (family.level_before, family.level_after) == (3, 4)
    assert family.corrections == "C-000003"


def test_rescoring_on_demand_gives_what_the_next_monthly_run_gives(month):
    warehouse = month["paths"].warehouse_path
    assert query(warehouse, "select * from family_features order by family_id") == month["scratch_features"]
    levels = dict(query(warehouse, "select family_id, level from family_scores"))
    listed = dict(
        query(
            warehouse,
            "select family_id, string_agg(distinct service, ', ' order by service) from eligibility_list group by 1",
        )
    )
    for family in (11, 12, 13):
        assert row(month, family).level_after == levels[family]
        assert row(month, family).services_after == listed.get(family, "")


def test_the_before_and_after_report_names_no_person(month):
    text = report(month["rescored"])
    assert "level 6 -> 5" in text
    assert not re.search(r"\d{12}", text)


def test_the_dagster_job_rescores_the_family_of_a_correction_and_shows_the_table(month):
    import dagster as dg

    from orchestration.corrections.jobs import rescore_families_job

    with dg.DagsterInstance.ephemeral() as instance:
        result = rescore_families_job.execute_in_process(
            run_config={
                "ops": {"rescore_families": {"config": {"period": PERIOD, "correction_ids": ["C-000001"]}}}
            },
            instance=instance,
        )
        assert result.success
        [materialized] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
        metadata = materialized.event_specific_data.metadata
        text = metadata["before_and_after"].value
        # the family of C-000001; the next monthly run has already applied it: level 5 before and after
        assert metadata["families"].value == 1
        assert metadata["levels_changed"].value == 0
        [line] = [line for line in text.splitlines() if "C-000001" in line]
        assert [cell.strip() for cell in line.strip("|").split("|")][:4] == ["11", "79", "5", "5"]
        assert not re.search(r"\d{12}", text)
        logs = " ".join(str(e.message) for e in instance.all_logs(result.run_id))
        assert not re.search(r"\d{12}", logs)


def test_the_regional_report_counts_appeals_and_corrections_without_a_person(month):
    import dagster as dg

    from orchestration.corrections.appeals import decide_appeal, file_appeal, link_correction
    from orchestration.corrections.assets import corrections_report
    from orchestration.resources import default_resources

    paths = month["paths"]
    log = paths.corrections_root
    upheld = file_appeal(
        log, family_id=11, period=PERIOD, disputed_level=6, grounds="car sold", by="a.caseworker"
    )
    link_correction(log, upheld, "C-000001", "a.caseworker")
    decide_appeal(log, upheld, "upheld", "a.supervisor")
    file_appeal(log, family_id=12, period=PERIOD, disputed_level=4, grounds="disability", by="a.caseworker")
    result = dg.materialize(
        [corrections_report], partition_key=PERIOD, resources=default_resources(paths), raise_on_error=True
    )
    [materialization] = result.asset_materializations_for_node("corrections_report")
    text = materialization.metadata["report"].value
    assert not re.search(r"\d{12}", text)
    table = __import__("pandas").read_csv(
        paths.data_root / "reports" / PERIOD / "corrections_report.csv", dtype={"region": str}
    )
    region = table[table.region == REGION].iloc[0]
    # two appeals (one upheld the day it was filed, one open); the three corrections still
    # differ from their registries, so all three apply
    assert (region.appeals_filed, region.appeals_open, region.appeals_upheld) == (2, 1, 1)
    assert region.median_days_to_decide == 0
    assert (region.corrections_in_force, region.corrections_applied, region.corrections_lapsed) == (3, 3, 0)
    assert region.corrections_flagged == 0
    assert materialization.metadata["appeals_open"].value == 1


def test_the_command_line_rescores_a_correction_s_family_and_prints_no_person(month, capsys):
    from orchestration.corrections.cli import main

    assert main(["rescore", "--period", PERIOD, "--correction", "C-000002"]) == 0
    printed = capsys.readouterr()
    # the next monthly run has applied C-000002 already: level 3 before and after
    assert "family 12 (region 79): level 3 -> 3" in printed.out
    assert not re.search(r"\d{12}", printed.out + printed.err)


def test_rescoring_refuses_no_family_and_a_bad_id():
    with pytest.raises(RescoringError, match="at least one family"):
        checked_families([])
    with pytest.raises(RescoringError, match="positive integers"):
        checked_families([0, 5])
