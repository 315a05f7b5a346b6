"""Targeting audit on the hand-built population of population.py (every figure worked by hand)."""

from __future__ import annotations

import pytest

from orchestration.analytics.audit import (
    ASP_LOAN_RULE,
    ASP_RULE,
    audit,
    error_rates,
    level_rule,
    service_rule,
)
from tests.analytics import population as pop


@pytest.fixture(scope="module")
def report():
    result, unknown = audit(
        pop.PERIOD, pop.truth(), pop.scores(), pop.features(), pop.listed(), pop.PM, pop.POVERTY_RATIO
    )
    assert unknown == 1  # family 99
    return result


def _row(table, rule, group=None):
    rows = table[(table.rule == rule) & ((table.group == group) if group is not None else True)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_error_rates_definitions():
    rates = error_rates([True, True, False, False], [True, False, True, True])
    assert rates["inclusion_error"] == 0.5  # 1 of 2 targeted is not poor
    assert rates["exclusion_error"] == pytest.approx(2 / 3)  # 2 of 3 poor missed


@pytest.mark.parametrize(
    ("k", "targeted", "inclusion", "exclusion"),
    [(1, 1, 0.0, 0.75), (2, 2, 0.0, 0.5), (3, 4, 0.25, 0.25), (4, 5, 0.4, 0.25), (5, 6, 0.5, 0.25)],
)
def test_level_cutoffs(report, k, targeted, inclusion, exclusion):
    row = _row(report.headline, level_rule(k))
    assert row.families == 8 and row.poor == 4
    assert row.targeted == targeted
    assert row.inclusion_error == pytest.approx(inclusion)
    assert row.exclusion_error == pytest.approx(exclusion)


def test_below_one_pm_definition(report):
    row = _row(report.headline, level_rule(3))
    assert row.below_1_pm == 5  # families 1, 2, 3, 5, 6
    assert row.inclusion_error_1pm == pytest.approx(0.0)
    assert row.exclusion_error_1pm == pytest.approx(1 / 5)  # family 6, never scored


def test_asp_income_test_baseline(report):
    row = _row(report.headline, ASP_RULE)
    assert row.targeted == 4  # 1, 3, 5 (exactly at the line), 7 (no declared income)
    assert row.inclusion_error == pytest.approx(0.5)  # 3 and 7
    assert row.exclusion_error == pytest.approx(0.5)  # 2 (declares 50,000 pp) and 6 (not scored)
    with_loans_excluded = _row(report.headline, ASP_LOAN_RULE)  # family 7 has a non-mortgage loan
    assert with_loans_excluded.targeted == 3
    assert with_loans_excluded.inclusion_error == pytest.approx(1 / 3)  # 3
    assert with_loans_excluded.exclusion_error == pytest.approx(0.5)


def test_service_lists_within_their_group(report):
    rent = _row(report.headline, service_rule("rent_subsidy"))
    assert rent.families == 2  # private renters on the waiting list: 3 and 5
    assert rent.targeted == 1 and rent.poor == 1
    assert rent.inclusion_error == 0.0 and rent.exclusion_error == 0.0
    asp = _row(report.headline, service_rule("asp"))
    assert asp.inclusion_error == pytest.approx(0.5) and asp.exclusion_error == pytest.approx(0.5)
    # services whose group is empty here are not reported
    assert service_rule("home_schooling") not in set(report.headline.rule)


def test_by_region(report):
    regions = report.by_group[report.by_group.dimension == "region"]
    shymkent, karaganda = _row(regions, level_rule(3), "79"), _row(regions, level_rule(3), "35")
    assert (shymkent.targeted, shymkent.inclusion_error, shymkent.exclusion_error) == (
        3,
        pytest.approx(1 / 3),
        0.0,
    )
    assert (karaganda.targeted, karaganda.inclusion_error, karaganda.exclusion_error) == (1, 0.0, 0.5)


def test_by_area_disability_and_size(report):
    groups = report.by_group
    urban = _row(groups[groups.dimension == "area"], level_rule(3), "urban")  # 1, 2, 5, 6, 8
    assert (urban.families, urban.poor, urban.targeted, urban.exclusion_error) == (5, 4, 3, 0.25)
    rural = _row(groups[groups.dimension == "area"], level_rule(3), "rural")  # 3, 4, 7
    assert (rural.families, rural.poor, rural.targeted, rural.inclusion_error) == (3, 0, 1, 1.0)
    disabled = _row(groups[groups.dimension == "disability"], ASP_RULE, "with disability")  # 2, 5
    assert (disabled.families, disabled.targeted, disabled.exclusion_error) == (2, 1, 0.5)
    sizes = groups[(groups.dimension == "family_size") & (groups.rule == level_rule(5))]
    assert dict(zip(sizes.group, sizes.families, strict=True)) == {
        "1": 1,
        "2": 3,
        "3-4": 2,
        "5-6": 1,
        "7+": 1,
    }
