"""The eligibility rules of the pilot services, on hand-built families, through the real dbt models.

One throw-away warehouse holds the inputs (family_features, family_members, family_scores) of
two periods and both pilot regions. The module fixture builds the eligibility models four times,
like four Dagster partition runs, and keeps a copy of the list after each:

  A  2026-03 / 79      B  2026-03 / 35      C  2025-08 / 79
  D  2026-03 / 79 again, after F114's level was rescored to 6

Money in force (dbt_project/seeds/money_by_year.csv): 2026 ПМ 50,851, МРП 4,325;
2025 ПМ 46,228, МРП 3,932. Every expected amount below is worked out by hand from the rule
parameters (dbt_project/seeds/service_rules/*.csv), not by the code under test.
Rows are compared by member labels, never IINs.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from tests.eligibility.dbt_run import SELECTION, DbtProjectRunner
from tests.eligibility.families import (
    FEATURE_TYPES,
    KARAGANDA_KATO,
    MEMBER_TYPES,
    SCORE_TYPES,
    Family,
    Member,
    input_tables,
    typed_select,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("eligibility_dbt")]


def head(family: str, age: int = 40, **kwargs) -> Member:
    return Member(f"{family}/head", age, is_head=True, **kwargs)


def family(fid: int, level: int, *members: Member, **facts) -> Family:
    return Family(fid, [*members], level, **facts)


def home_schooled_child(label: str, age: int, group: str = "CHILD") -> Member:
    return Member(label, age, disability_group=group, institution_type="school", study_form="home_schooling")


# ---------------------------------------------------------------- 2026-03, Shymkent (79)
# ASP poverty line 79 = max(0.35 x 120,000 = 42,000.00, 0.70 x 61,209 = 42,846.30) = 42,846.30
# Rent subsidy income limit = 1.0 x ПМ = 50,851 per person (strictly below)
# Housing assistance 79: norm 18 m2 x 300 KZT per person, 5% of income
SHYMKENT_2026 = [
    # home schooling: 2 home-schooled children with a disability, 1 schooled in class; level 2
    family(101, 2, head("F101"), home_schooled_child("F101/c1", 10), home_schooled_child("F101/c2", 12),
           Member("F101/c3", 9, disability_group="CHILD", institution_type="school", study_form="full_time")),
    # level 6 with no income: no local service (home schooling, pupil aid) but ASP stays (national)
    family(102, 6, head("F102", 45), home_schooled_child("F102/c1", 8), income=0.0),
    # a 17-year-old of disability group II schooled at home is a child with a disability
    family(103, 1, head("F103", 50), home_schooled_child("F103/c1", 17, group="II")),
    # pupil aid: a pupil and a full-time college student; a part-time student and a preschooler are not
    family(104, 3, head("F104", 45),
           Member("F104/c1", 15, institution_type="school", study_form="full_time"),
           Member("F104/s1", 19, institution_type="college", study_form="full_time"),
           Member("F104/s2", 21, institution_type="university", study_form="part_time"),
           Member("F104/c2", 5, institution_type="preschool", study_form="full_time")),
    # level 4 is outside the pupil-aid levels 1..3
    family(105, 4, head("F105"), Member("F105/c1", 10, institution_type="school", study_form="full_time")),
    # rent subsidy, large family (4 children), 300,000 / 6 = 50,000 < 50,851; 50% x 80,000 = 40,000
    family(106, 4, head("F106"), Member("F106/sp", 38, sex="M"), Member("F106/c1", 3), Member("F106/c2", 8),
           Member("F106/c3", 10), Member("F106/c4", 12),
           income=300_000.0, rents_private=True, rent_monthly_private=80_000.0, waiting_list_category="large_family"),
    # per-capita income exactly 1 ПМ: 101,702 / 2 = 50,851, not below the limit: nothing
    family(107, 4, head("F107", 30, disability_group="I"), Member("F107/sp", 31, sex="M"),
           income=101_702.0, rents_private=True, rent_monthly_private=70_000.0, waiting_list_category="disability_g12"),
    # 2 tenge less: 101,700 / 2 = 50,850 < 50,851: 50% x 70,000 = 35,000
    family(108, 4, head("F108", 30, disability_group="I"), Member("F108/sp", 31, sex="M"),
           income=101_700.0, rents_private=True, rent_monthly_private=70_000.0, waiting_list_category="disability_g12"),
    # level 6 is excluded from the rent subsidy (locally funded)
    family(109, 6, head("F109"), Member("F109/sp", 41, sex="M"),
           income=90_000.0, rents_private=True, rent_monthly_private=60_000.0,
           waiting_list_category="mother_many_children"),
    # in a group (disability I) and renting privately, but not on the housing waiting list
    family(110, 4, head("F110", disability_group="I"), Member("F110/sp", 41, sex="M"),
           income=90_000.0, rents_private=True, rent_monthly_private=60_000.0),
    # orphan aged 28 (< 29) on the list: 45,000 < 50,851; 50% x 50,000 = 25,000
    family(111, 3, head("F111", 28), income=45_000.0, rents_private=True, rent_monthly_private=50_000.0,
           waiting_list_category="orphan"),
    # orphan aged 29: no longer under 29
    family(112, 3, head("F112", 29), income=45_000.0, rents_private=True, rent_monthly_private=50_000.0,
           waiting_list_category="orphan"),
    # state rental, on the list with a disability: no rent subsidy (not private) but housing assistance:
    # norm 18 x 2 x 300 = 10,800 < costs 15,000; 10,800 - 5% x 90,000 = 10,800 - 4,500 = 6,300
    family(113, 4, head("F113", disability_group="II"), Member("F113/sp", 41, sex="M"),
           income=90_000.0, rents_state_housing=True, rent_monthly_state=20_000.0, housing_costs=15_000.0,
           waiting_list_category="disability_g12"),
    # housing assistance, sole owned home: costs 12,000 < norm 18 x 3 x 300 = 16,200;
    # 12,000 - 5% x 150,000 = 12,000 - 7,500 = 4,500
    family(114, 5, head("F114"), Member("F114/sp", 38, sex="M"), Member("F114/a1", 20),
           income=150_000.0, n_dwellings=1, housing_costs=12_000.0),
    # two dwellings: not a sole home
    family(115, 5, head("F115"), Member("F115/sp", 38, sex="M"), Member("F115/a1", 20),
           income=150_000.0, n_dwellings=2, housing_costs=12_000.0),
    # owns one home but lives in a private rental (not on the waiting list): nothing
    family(116, 4, head("F116"), Member("F116/sp", 38, sex="M"), Member("F116/a1", 20),
           income=150_000.0, n_dwellings=1, housing_costs=12_000.0, rents_private=True, rent_monthly_private=50_000.0),
    # costs 3,000 below the income share 7,500: no positive amount
    family(117, 4, head("F117"), Member("F117/sp", 38, sex="M"), Member("F117/a1", 20),
           income=150_000.0, n_dwellings=1, housing_costs=3_000.0),
    # level 6 is excluded from housing assistance
    family(118, 6, head("F118"), Member("F118/sp", 38, sex="M"), Member("F118/a1", 20),
           income=150_000.0, n_dwellings=1, housing_costs=12_000.0),
    # ASP exactly at the line: 85,692.60 / 2 = 42,846.30; gap 0 + 1.5 x 4,325 for the child aged 6
    # = 6,487.5 -> 6,488 (whole tenge, half away from zero)
    family(119, 3, head("F119", 30), Member("F119/c1", 6), income=85_692.60),
    # the same with a child aged 7: gap 0 and no child supplement -> nothing to pay, not listed
    family(120, 3, head("F120", 30), Member("F120/c1", 7), income=85_692.60),
    # ASP with a mortgage only: 60,000 / 3 = 20,000; (42,846.30 - 20,000) x 3 = 68,538.90 -> 68,539
    family(121, 2, head("F121", 35), Member("F121/sp", 33, sex="M"), Member("F121/a1", 19),
           income=60_000.0, has_loans=True),
    # the same with a non-mortgage loan: excluded by rule asp/79/2025.2 (from 2025-09)
    family(122, 2, head("F122", 35), Member("F122/sp", 33, sex="M"), Member("F122/a1", 19),
           income=60_000.0, has_loans=True, has_non_mortgage_loan=True),
    # 1 tiyn above the line: 42,846.31 > 42,846.30
    family(123, 4, head("F123", 35), income=42_846.31),
]  # fmt: skip

# F102 ASP: 0 income, 2 members: 42,846.30 x 2 = 85,692.60 -> 85,693 (its child is 8: no supplement)
EXPECTED_SHYMKENT_2026 = {
    ("home_schooling", 101, "F101/c1", 2, 17_300.0, "home_schooling/79/2025.1"),  # 4 x 4,325
    ("home_schooling", 101, "F101/c2", 2, 17_300.0, "home_schooling/79/2025.1"),
    ("home_schooling", 103, "F103/c1", 1, 17_300.0, "home_schooling/79/2025.1"),
    ("pupil_student_aid", 101, "F101/c1", 2, 21_625.0, "pupil_student_aid/79/2025.1"),  # 5 x 4,325
    ("pupil_student_aid", 101, "F101/c2", 2, 21_625.0, "pupil_student_aid/79/2025.1"),
    ("pupil_student_aid", 101, "F101/c3", 2, 21_625.0, "pupil_student_aid/79/2025.1"),
    ("pupil_student_aid", 103, "F103/c1", 1, 21_625.0, "pupil_student_aid/79/2025.1"),
    ("pupil_student_aid", 104, "F104/c1", 3, 21_625.0, "pupil_student_aid/79/2025.1"),
    ("pupil_student_aid", 104, "F104/s1", 3, 21_625.0, "pupil_student_aid/79/2025.1"),
    ("rent_subsidy", 106, None, 4, 40_000.0, "rent_subsidy/79/2025.1"),
    ("rent_subsidy", 108, None, 4, 35_000.0, "rent_subsidy/79/2025.1"),
    ("rent_subsidy", 111, None, 3, 25_000.0, "rent_subsidy/79/2025.1"),
    ("housing_assistance", 113, None, 4, 6_300.0, "housing_assistance/79/2025.1"),
    ("housing_assistance", 114, None, 5, 4_500.0, "housing_assistance/79/2025.1"),
    ("asp", 102, None, 6, 85_693.0, "asp/79/2025.2"),
    ("asp", 119, None, 3, 6_488.0, "asp/79/2025.2"),
    ("asp", 121, None, 2, 68_539.0, "asp/79/2025.2"),
}

# ---------------------------------------------------------------- 2026-03, Karaganda region (35)
# ASP line 35 = max(0.35 x 120,000 = 42,000.00, 0.70 x 59,779 = 41,845.30) = 42,000.00
# Housing assistance 35: norm 18 m2 x 450 KZT per person, 10% of income
KARAGANDA_2026 = [
    # costs 20,000 capped at the norm 18 x 2 x 450 = 16,200; 16,200 - 10% x 100,000 = 6,200
    family(201, 4, head("K201"), Member("K201/sp", 41, sex="M"),
           income=100_000.0, n_dwellings=1, housing_costs=20_000.0, kato=KARAGANDA_KATO),
    # ASP: 30,000 alone: 42,000 - 30,000 = 12,000
    family(202, 3, head("K202"), income=30_000.0, kato=KARAGANDA_KATO),
    # 42,500 is below Shymkent's line but above Karaganda's 42,000: nothing
    family(203, 3, head("K203"), income=42_500.0, kato=KARAGANDA_KATO),
    # home schooling is not income tested and allowed at level 5: 4 x 4,325 = 17,300
    family(204, 5, head("K204"), home_schooled_child("K204/c1", 11), kato=KARAGANDA_KATO),
]  # fmt: skip

EXPECTED_KARAGANDA_2026 = {
    ("housing_assistance", 201, None, 4, 6_200.0, "housing_assistance/35/2025.1"),
    ("asp", 202, None, 3, 12_000.0, "asp/35/2025.2"),
    ("home_schooling", 204, "K204/c1", 5, 17_300.0, "home_schooling/35/2025.1"),
}

# ---------------------------------------------------------------- 2025-08, Shymkent (79)
# Rule versions of 2025-01: ASP did not yet exclude non-mortgage loans. МРП 2025 = 3,932.
# The regional ПМ (first published 2025-09) falls back to that first figure: line 42,846.30.
SHYMKENT_2025 = [
    # F122 with its non-mortgage loan: (42,846.30 - 20,000) x 3 = 68,538.90 -> 68,539
    family(122, 2, head("F122", 35), Member("F122/sp", 33, sex="M"), Member("F122/a1", 19),
           income=60_000.0, has_loans=True, has_non_mortgage_loan=True, period="2025-08"),
    # home schooling at the 2025 МРП: 4 x 3,932 = 15,728
    family(103, 1, head("F103", 50), home_schooled_child("F103/c1", 17, group="II"), period="2025-08"),
]  # fmt: skip

EXPECTED_SHYMKENT_2025 = {
    ("asp", 122, None, 2, 68_539.0, "asp/79/2025.1"),
    ("home_schooling", 103, "F103/c1", 1, 15_728.0, "home_schooling/79/2025.1"),
    ("pupil_student_aid", 103, "F103/c1", 1, 19_660.0, "pupil_student_aid/79/2025.1"),  # 5 x 3,932
}

LIST_QUERY = (
    "select * from {list} where period = ? and region = ? order by service, family_id, beneficiary_key"
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Build the eligibility models for the four partition runs; the lists after each run."""
    work = tmp_path_factory.mktemp("eligibility")
    warehouse = work / "warehouse.duckdb"
    dbt = DbtProjectRunner(work, warehouse)
    features, members, scores, labels = input_tables(SHYMKENT_2026 + KARAGANDA_2026 + SHYMKENT_2025)
    with duckdb.connect(str(warehouse)) as con:
        for name, frame, types, default in (
            ("family_features", features, FEATURE_TYPES, "INTEGER"),
            ("family_members", members, MEMBER_TYPES, "VARCHAR"),
            ("family_scores", scores, SCORE_TYPES, "VARCHAR"),
        ):
            relation = dbt.relation(name)
            con.execute(f"create schema if not exists {relation.split('.')[0]}")
            con.register("frame", frame)
            con.execute(f"create table {relation} as {typed_select('frame', frame, types, default)}")
            con.unregister("frame")
    list_relation = dbt.relation("eligibility_list")

    def snapshot(period: str, region: str) -> pd.DataFrame:
        # an empty frame when a failed build left no list: the node statuses tell why
        with duckdb.connect(str(warehouse), read_only=True) as con:
            try:
                return con.execute(LIST_QUERY.format(list=list_relation), [period, region]).df()
            except duckdb.CatalogException:
                return pd.DataFrame(
                    columns=["service", "family_id", "beneficiary_iin", "level", "amount_kzt", "rule_version"]
                )

    results, lists = {}, {}
    for step, period, region in (("A", "2026-03", "79"), ("B", "2026-03", "35"), ("C", "2025-08", "79")):
        # run A loads the seeds and runs every test; later runs rebuild the models and their tests
        select = (
            SELECTION
            if step == "A"
            else "path:models/eligibility,test_type:data path:models/eligibility,resource_type:model"
        )
        results[step] = dbt.build({"period": period, "region": region}, select=select)
        lists[step] = {
            key: snapshot(*key) for key in (("2026-03", "79"), ("2026-03", "35"), ("2025-08", "79"))
        }
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"update {dbt.relation('family_scores')} set level = 6 where family_id = 114")
    results["D"] = dbt.build({"period": "2026-03", "region": "79"}, select=select)
    lists["D"] = {key: snapshot(*key) for key in (("2026-03", "79"), ("2026-03", "35"), ("2025-08", "79"))}
    # E: a year without ПМ/МРП in money_by_year stops the list build
    results["E"] = dbt.build({"period": "2027-01", "region": "79"}, select="eligibility_list")
    # F: a listed family that lost its members has no recipient: the insert breaks the NOT NULL
    # contract, and the partition's delete must be rolled back with it
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"delete from {dbt.relation('family_members')} where family_id = 121")
    results["F"] = dbt.build({"period": "2026-03", "region": "79"}, select="eligibility_list")
    lists["F"] = {("2026-03", "79"): snapshot("2026-03", "79")}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            summary = con.execute(
                f"select * from {dbt.relation('eligibility_summary')} order by period, region, service"
            ).df()
        except duckdb.CatalogException:
            summary = pd.DataFrame(columns=["period", "region", "service"])
        candidates = con.execute(
            f"select * from {dbt.relation('eligibility_candidates')} order by period, region, service, family_id"
        ).df()
    return {
        "results": results,
        "lists": lists,
        "labels": labels,
        "summary": summary,
        "candidates": candidates,
    }


def as_expected_rows(frame: pd.DataFrame, labels: dict[str, str]) -> set[tuple]:
    """List rows as (service, family, beneficiary label, level, amount, rule version)."""
    return {
        (r.service, r.family_id, labels[r.beneficiary_iin] if r.beneficiary_iin else None, r.level, r.amount_kzt,
         r.rule_version)
        for r in frame.itertuples()
    }  # fmt: skip


def test_every_dbt_node_passes_in_every_run(runs):
    partition_runs = {step: runs["results"][step] for step in "ABCD"}
    failed = {step: {n: s for n, s in statuses.items() if s not in ("success", "pass")}
              for step, statuses in partition_runs.items()}  # fmt: skip
    assert failed == {"A": {}, "B": {}, "C": {}, "D": {}}
    assert "elig_asp_amount_gap_and_child_supplement" in runs["results"]["A"]  # the dbt unit test ran
    for statuses in partition_runs.values():  # the list's partition-scoped data tests ran every time
        assert any(name.startswith("elig_no_level_6_in_local_services_eligibility_list") for name in statuses)
        assert any(name.startswith("unique_eligibility_list_") for name in statuses)


def test_shymkent_list_matches_the_hand_worked_rows(runs):
    assert as_expected_rows(runs["lists"]["A"][("2026-03", "79")], runs["labels"]) == EXPECTED_SHYMKENT_2026


def test_karaganda_list_uses_its_own_parameters(runs):
    assert as_expected_rows(runs["lists"]["B"][("2026-03", "35")], runs["labels"]) == EXPECTED_KARAGANDA_2026


def test_a_region_run_keeps_the_other_region(runs):
    after_b = runs["lists"]["B"]
    assert as_expected_rows(after_b[("2026-03", "79")], runs["labels"]) == EXPECTED_SHYMKENT_2026
    assert after_b[("2025-08", "79")].empty  # not built yet


def test_rule_version_in_force_follows_the_period(runs):
    after_c = runs["lists"]["C"]
    assert as_expected_rows(after_c[("2025-08", "79")], runs["labels"]) == EXPECTED_SHYMKENT_2025
    assert as_expected_rows(after_c[("2026-03", "79")], runs["labels"]) == EXPECTED_SHYMKENT_2026


def test_rerun_replaces_its_partition_only(runs):
    after_d = runs["lists"]["D"]
    rescored = {row for row in EXPECTED_SHYMKENT_2026 if row[:2] != ("housing_assistance", 114)}
    assert as_expected_rows(after_d[("2026-03", "79")], runs["labels"]) == rescored
    assert as_expected_rows(after_d[("2026-03", "35")], runs["labels"]) == EXPECTED_KARAGANDA_2026
    assert as_expected_rows(after_d[("2025-08", "79")], runs["labels"]) == EXPECTED_SHYMKENT_2025


def test_recipient_is_the_family_head_and_reasons_keep_their_order(runs):
    frame = runs["lists"]["A"][("2026-03", "79")]
    recipients = {(r.family_id, runs["labels"][r.recipient_iin]) for r in frame.itertuples()}
    assert recipients == {(fid, f"F{fid}/head") for fid in frame["family_id"].unique()}
    assert all(list(codes) == ["M7_NO_HOUSING", "D1_DEPENDENCY"] for codes in frame["reason_codes"])
    assert (frame["beneficiary_key"] == frame["beneficiary_iin"].fillna("")).all()
    assert set(frame["methodology_version"]) == {"KZ-2026.1"}


def test_no_locally_funded_service_lists_level_6(runs):
    frame = runs["lists"]["A"][("2026-03", "79")]
    assert set(frame.loc[frame["level"] == 6, "service"]) == {"asp"}


def test_summary_counts_families_beneficiaries_and_money(runs):
    summary = runs["summary"]
    karaganda = summary[(summary["period"] == "2026-03") & (summary["region"] == "35")]
    got = {
        (r.service, r.rule_version, r.families, r.beneficiaries, r.total_amount_kzt)
        for r in karaganda.itertuples()
    }
    assert got == {
        ("home_schooling", "home_schooling/35/2025.1", 1, 1, 17_300.0),
        ("pupil_student_aid", "pupil_student_aid/35/2025.1", 0, 0, 0.0),
        ("rent_subsidy", "rent_subsidy/35/2025.1", 0, 0, 0.0),
        ("housing_assistance", "housing_assistance/35/2025.1", 1, 1, 6_200.0),
        ("asp", "asp/35/2025.2", 1, 1, 12_000.0),  # 2025.2 in force since 2025-09
    }
    shymkent = summary[(summary["period"] == "2026-03") & (summary["region"] == "79")].set_index("service")
    # after run D (F114 rescored to level 6): pupil aid 6 pupils in 3 families; housing only F113
    assert shymkent.loc["pupil_student_aid", ["families", "beneficiaries", "total_amount_kzt"]].tolist() == [
        3,
        6,
        6 * 21_625.0,
    ]
    assert shymkent.loc["housing_assistance", "total_amount_kzt"] == 6_300.0


def test_a_period_without_money_figures_stops_the_list(runs):
    assert runs["results"]["E"]["eligibility_list"] == "error"


def test_a_failed_insert_keeps_the_partition_as_it_was(runs):
    assert runs["results"]["F"]["eligibility_list"] == "error"
    assert as_expected_rows(runs["lists"]["F"][("2026-03", "79")], runs["labels"]) == as_expected_rows(
        runs["lists"]["D"][("2026-03", "79")], runs["labels"]
    )


def test_candidates_are_the_list_before_the_level_filter(runs):
    """eligibility_candidates (what-if input) = the list plus the rows only the level keeps out."""
    for statuses in (runs["results"][step] for step in "ABCD"):  # the candidates-vs-list data test ran
        assert any(name.startswith("elig_candidates_match_list_eligibility_candidates") for name in statuses)
    candidates = runs["candidates"]
    assert not any("iin" in column for column in candidates.columns)
    shymkent = candidates[(candidates.period == "2026-03") & (candidates.region == "79")]
    listed = shymkent[shymkent.listed]
    assert len(listed) == len(runs["lists"]["D"][("2026-03", "79")])
    # step D rescored family 114 to level 6: off the housing assistance list, still a candidate
    rescored = shymkent[(shymkent.family_id == 114) & (shymkent.service == "housing_assistance")]
    assert rescored[["level", "listed"]].values.tolist() == [[6, False]]
