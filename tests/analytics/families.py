"""Hand-built family_scores / family_features rows over two months for the change tests.

Eight families, 2026-09 -> 2026-10, region 79. Every registry delivers a fresh extract in
2026-10 (as of 2026-09-30) except `vehicles`, whose extract is still the one of 2026-08-31.

| family | what happens                                                      | expected cause     |
|--------|-------------------------------------------------------------------|--------------------|
| 1      | wages 120,000 -> 60,000: M1 170 -> 100, score 0 -> -70, level 4->3 | data_changed (pension_contributions) |
| 2      | n_cars 1 -> 0 read from the stale vehicle extract: M4 0 -> -50,     | source_stale (vehicles)              |
|        | score -10 -> -60, level 4 -> 3                                    |                    |
| 3      | methodology KZ-2025.9 -> KZ-2026.1, M1 280 -> 170, level 5 -> 4   | methodology_changed |
| 4      | nothing                                                           | no_change          |
| 5      | only in 2026-10 (new family)                                      | not in the table   |
| 6      | wages 40,000 -> 30,000 for 1 member: pci 0.79 -> 0.59, M1 stays 100, | data_changed, key G2_POVERTY_CAP |
|        | gate G2 switches on, level 4 -> 3                                 |                    |
| 7      | wages up (M1 170 -> 280) and n_cars 1 -> 0 from the stale extract   | data_changed (pension_contributions), |
|        | (M4 0 -> -50): score 700 -> 760, level 4 -> 5                     | stale_sources vehicles |
| 8      | a member comes under chronic observation: N2 0 -> -80, level 4 -> 3 | data_changed (health), reason text |

Family 1's M1 points shrink but stay positive (a plus that went down: the sentence names the
indicator); family 8's N2 turns negative (a condition that now holds: the sentence gives its reason).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from scoring_core import methodology_for_period

BEFORE, AFTER = "2026-09", "2026-10"
REGISTRIES = (
    "population",
    "families",
    "family_links",
    "pension_contributions",
    "entrepreneur_income",
    "pensions_benefits",
    "real_estate",
    "vehicles",
    "credit_bureau",
    "disability",
    "health",
    "education",
    "business_registry",
    "border_crossings",
    "livestock",
    "land_plots",
    "rent_contracts",
    "housing_costs",
)


def methodology():
    """The methodology of the later month (KZ-2026.1): its indicator codes and reason texts."""
    return methodology_for_period(AFTER)


def base_features(family_id: int, period: str) -> dict:
    """One family_features row: a one-person urban family with a job, a flat and a car."""
    as_of = dt.date(2026, 8, 31) if period == BEFORE else dt.date(2026, 9, 30)
    row = {
        "family_id": family_id,
        "period": period,
        "region_kato": "79",
        "kato": "791110000",
        "settlement_type": 2,
        "n_members": 1,
        "n_adults": 1,
        "n_children": 0,
        "n_children_1_6": 0,
        "n_able_bodied": 1,
        "n_working": 1,
        "n_disabled_adults_g12": 0,
        "n_disabled_adults_g3": 0,
        "n_disabled_children": 0,
        "n_chronic": 0,
        "n_school_age_not_enrolled": 0,
        "has_adult_tertiary_or_vocational": False,
        "income_wages": 120000.0,
        "income_entrepreneur": 0.0,
        "income_pensions_benefits": 0.0,
        "has_loans": False,
        "has_non_mortgage_loan": False,
        "n_adults_arrears_90": 0,
        "n_dwellings": 1,
        "living_area_m2": 40.0,
        "n_commercial_property": 0,
        "rents_private": False,
        "monthly_rent": 0.0,
        "rents_state_housing": False,
        "housing_costs": 15000.0,
        "n_cars": 1,
        "n_commercial_vehicles": 0,
        "n_agri_machinery_types": 0,
        "livestock_value": 0.0,
        "has_land_plot": False,
        "has_sole_trader": False,
        "has_company_founder": False,
        "n_informal_signal_adults": 0,
    }
    for registry in REGISTRIES:
        row[f"as_of_{registry}"] = as_of
    row["as_of_vehicles"] = dt.date(2026, 8, 31)  # the vehicle registry did not refresh for 2026-10
    return row


def base_scores(
    family_id: int,
    period: str,
    score: int,
    level: int,
    points: dict[str, int],
    *,
    gate: str | None = None,
    version: str = "KZ-2026.1",
) -> dict:
    """One family_scores row with the given points (every other indicator 0)."""
    row = {
        "family_id": family_id,
        "period": period,
        "methodology_version": version,
        "score": score,
        "level": level,
        "gate": gate,
        "region_kato": "79",
    }
    for code in methodology().indicator_codes:
        row[f"points_{code}"] = points.get(code, 0)
    return row


def two_months() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(scores_before, scores_after, features_before, features_after) of the eight families."""
    fb, fa, sb, sa = [], [], [], []

    def family(fid, before_changes, after_changes, score_before, score_after):
        fb.append({**base_features(fid, BEFORE), **before_changes})
        fa.append({**base_features(fid, AFTER), **after_changes})
        sb.append(base_scores(fid, BEFORE, **score_before))
        sa.append(base_scores(fid, AFTER, **score_after))

    family(
        1,
        {},
        {"income_wages": 60000.0},
        {"score": 0, "level": 4, "points": {"M1_INCOME": 170}},
        {"score": -70, "level": 3, "points": {"M1_INCOME": 100}},
    )
    family(
        2,
        {},
        {"n_cars": 0},
        {"score": -10, "level": 4, "points": {"M1_INCOME": 170}},
        {"score": -60, "level": 3, "points": {"M1_INCOME": 170, "M4_CARS": -50}},
    )
    family(
        3,
        {},
        {},
        {"score": 800, "level": 5, "points": {"M1_INCOME": 280}, "version": "KZ-2025.9"},
        {"score": 700, "level": 4, "points": {"M1_INCOME": 170}},
    )
    family(
        4,
        {},
        {},
        {"score": 100, "level": 4, "points": {"M1_INCOME": 170}},
        {"score": 100, "level": 4, "points": {"M1_INCOME": 170}},
    )
    fa.append(base_features(5, AFTER))
    sa.append(base_scores(5, AFTER, 300, 4, {"M1_INCOME": 170}))
    family(
        6,
        {"income_wages": 40000.0},
        {"income_wages": 30000.0},
        {"score": 50, "level": 4, "points": {"M1_INCOME": 100}},
        {"score": 50, "level": 3, "points": {"M1_INCOME": 100}, "gate": "G2_POVERTY_CAP"},
    )
    family(
        7,
        {},
        {"income_wages": 160000.0, "n_cars": 0},
        {"score": 700, "level": 4, "points": {"M1_INCOME": 170}},
        {"score": 760, "level": 5, "points": {"M1_INCOME": 280, "M4_CARS": -50}},
    )
    family(
        8,
        {},
        {"n_chronic": 1},
        {"score": 0, "level": 4, "points": {"M1_INCOME": 170}},
        {"score": -80, "level": 3, "points": {"M1_INCOME": 170, "N2_CHRONIC": -80}},
    )
    return pd.DataFrame(sb), pd.DataFrame(sa), pd.DataFrame(fb), pd.DataFrame(fa)
