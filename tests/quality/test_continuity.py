"""The continuity arithmetic on hand-worked regional figures."""

from __future__ import annotations

import pandas as pd

from orchestration.quality.continuity import DISTRIBUTION, continuity_table
from orchestration.quality.tolerances import ContinuityTolerance

TOLERANCE = ContinuityTolerance(
    max_share_change={name: 0.02 for name in DISTRIBUTION if name != "mean_declared_income"},
    max_mean_income_change=0.05,
    min_persons_carried_over=0.97,
    min_families_carried_over=0.97,
    max_families_changing_level=0.10,
)


def month(region: str, no_income: float, mean_income: float) -> dict:
    return {
        "region_kato": region,
        "share_no_declared_income": no_income,
        "share_no_dwelling": 0.10,
        "share_with_car": 0.30,
        "share_with_disability": 0.05,
        "mean_declared_income": mean_income,
    }


def judged(current, baseline, links) -> dict[tuple[str, str], bool]:
    table = continuity_table(pd.DataFrame(current), pd.DataFrame(baseline), pd.DataFrame(links), TOLERANCE)
    return {(r.region_kato, r.metric): bool(r.within) for r in table.itertuples()}


def test_a_normal_month_is_within_every_tolerance():
    result = judged(
        [month("79", 0.200, 300_000)],
        [month("79", 0.190, 290_000)],  # +0.010 share, +3.4 % income
        [
            {
                "region_kato": "79",
                "families_carried_over": 0.99,
                "families_changing_level": 0.05,
                "persons_carried_over": 0.995,
            }
        ],
    )
    assert all(result.values()) and len(result) == len(DISTRIBUTION) + 3


def test_a_share_or_the_mean_income_moving_beyond_tolerance_is_named():
    result = judged(
        [month("79", 0.250, 330_000)],  # +0.050 share (> 0.02), +10 % income (> 5 %)
        [month("79", 0.200, 300_000)],
        [
            {
                "region_kato": "79",
                "families_carried_over": 0.99,
                "families_changing_level": 0.05,
                "persons_carried_over": 0.99,
            }
        ],
    )
    assert [key for key, ok in result.items() if not ok] == [
        ("79", "share_no_declared_income"),
        ("79", "mean_declared_income"),
    ]


def test_an_unrelated_population_fails_the_carried_over_shares_and_the_level_changes():
    result = judged(
        [month("79", 0.200, 300_000)],
        [month("79", 0.200, 300_000)],
        [
            {
                "region_kato": "79",
                "families_carried_over": 0.10,
                "families_changing_level": 0.65,
                "persons_carried_over": 0.10,
            }
        ],
    )
    assert {key[1] for key, ok in result.items() if not ok} == {
        "persons_carried_over",
        "families_carried_over",
        "families_changing_level",
    }


def test_a_region_scored_last_month_and_absent_now_fails_and_a_new_region_is_not_judged():
    result = judged([month("35", 0.2, 300_000)], [month("79", 0.2, 300_000)], [])
    assert result == {("79", "region_present"): False}
