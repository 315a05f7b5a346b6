"""Shared fixtures for the scoring tests: the default methodology, PM 2026 and a baseline family."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring_core import load_methodology
from scoring_core.config import METHODOLOGY_DIR

PERIOD = "2026-03"
PM_2026 = 50851.0  # checked against the money seed in test_money.py

# A plain family; hand-worked cases change a few fields of it.
BASELINE = {
    "n_members": 3, "n_adults": 2, "n_children": 1, "n_children_1_6": 0, "n_able_bodied": 2,
    "n_working": 1, "n_disabled_adults_g12": 0, "n_disabled_adults_g3": 0, "n_disabled_children": 0,
    "n_chronic": 0, "n_school_age_not_enrolled": 0, "has_adult_tertiary_or_vocational": False,
    "income_wages": 150_000.0, "income_entrepreneur": 0.0, "income_pensions_benefits": 0.0,
    "has_loans": False, "has_non_mortgage_loan": False, "n_adults_arrears_90": 0, "n_dwellings": 1,
    "living_area_m2": 60.0, "n_commercial_property": 0, "rents_private": False, "monthly_rent": 0.0,
    "rents_state_housing": False, "housing_costs": 20_000.0, "n_cars": 1, "n_commercial_vehicles": 0,
    "n_agri_machinery_types": 0, "livestock_value": 0.0, "has_land_plot": False, "settlement_type": 2,
    "has_sole_trader": False, "has_company_founder": False, "n_informal_signal_adults": 0,
}  # fmt: skip
FLOAT_FEATURES = [k for k, v in BASELINE.items() if isinstance(v, float)]
BOOL_FEATURES = [k for k, v in BASELINE.items() if isinstance(v, bool)]
INT_FEATURES = [k for k in BASELINE if k not in FLOAT_FEATURES and k not in BOOL_FEATURES]


def families_frame(families: list[dict]) -> pd.DataFrame:
    """A features DataFrame typed like the mart: family_id 1.., period, the given families."""
    frame = pd.DataFrame([{**BASELINE, **f} for f in families], columns=list(BASELINE))
    frame = frame.astype({**dict.fromkeys(INT_FEATURES, "int32"), **dict.fromkeys(FLOAT_FEATURES, "float64")})
    frame = frame.astype(dict.fromkeys(BOOL_FEATURES, "bool"))
    frame.insert(0, "period", PERIOD)
    frame.insert(0, "family_id", range(1, len(frame) + 1))
    return frame


@pytest.fixture(scope="session")
def methodology():
    return load_methodology(METHODOLOGY_DIR / "kz-2026.1.yaml")
