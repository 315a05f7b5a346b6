"""Kernel == reference on one million random families and on hand-picked edge cases.

The reference is vectorised pandas/numpy (one operation per rule of the spec), so the full
million runs in the test in about ten seconds.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from scoring_core.synthetic import random_features_table
from tests.scoring_core.conftest import PERIOD, PM_2026, families_frame
from tests.scoring_core.parity import assert_kernel_matches_reference

# One xdist worker runs every kernel test, so a cold Numba cache compiles once, not once per worker.
pytestmark = pytest.mark.xdist_group("scoring_kernel")


def test_parity_on_one_million_random_families(methodology):
    features = random_features_table(1_000_000, PM_2026, seed=20260301, period=PERIOD)
    assert assert_kernel_matches_reference(features, methodology, PERIOD, PM_2026) == 1_000_000


def _edge_families(methodology) -> list[dict]:
    """Each band edge of each indicator (at, just below, just above) and every gate combination."""
    families = []
    counts = ["n_adults", "n_able_bodied", "n_working", "n_disabled_adults_g12", "n_disabled_adults_g3",
              "n_disabled_children", "n_chronic", "n_school_age_not_enrolled", "n_adults_arrears_90",
              "n_dwellings", "n_commercial_property", "n_cars", "n_commercial_vehicles",
              "n_agri_machinery_types", "n_informal_signal_adults"]  # fmt: skip
    for feature, value in itertools.product(counts, range(14)):
        families.append({feature: value})
    for members, working in itertools.product(range(1, 13), range(0, 13)):
        families.append({"n_members": members, "n_working": working})
    for settlement in (1, 2, 3, 4, 5):
        families.append({"settlement_type": settlement})
    for members, ratio in itertools.product((1, 3, 4, 7), (0.0, 0.25, 0.55, 0.7, 1.0, 2.0, 3.0, 4.0)):
        wages = ratio * members * PM_2026
        for nudged in (wages, np.nextafter(wages, 0), np.nextafter(wages, np.inf), wages + 0.01):
            families.append({"n_members": members, "income_wages": float(nudged)})
    for members in (1, 3, 5):
        area = 18.0 * members
        for nudged in (0.0, area, np.nextafter(area, 0), np.nextafter(area, np.inf)):
            families.append({"n_members": members, "living_area_m2": float(nudged)})
    for value in (0.0, 0.01, 499_999.99, 500_000.0, 999_999.0, 1_000_000.0, 1_999_999.0, 2_000_000.0, 9e6):
        families.append({"livestock_value": value})
    for flag in ("has_loans", "has_land_plot", "has_adult_tertiary_or_vocational", "has_sole_trader",
                 "has_company_founder", "rents_state_housing"):  # fmt: skip
        families.append({flag: True, "n_dwellings": 0})
    # gates: every combination around their thresholds
    for dwellings, cars, pci, livestock, commercial in itertools.product(
        (0, 1, 2, 3), (0, 1, 2, 3), (0.0, 0.3, 0.55, 0.6, 0.7, 0.9), (0.0, 499_999.0, 500_000.0), (0, 1)
    ):
        families.append({"n_dwellings": dwellings, "n_cars": cars, "income_wages": pci * 3 * PM_2026,
                         "livestock_value": livestock, "n_commercial_property": commercial})  # fmt: skip
    return families


def test_parity_on_edge_cases(methodology):
    frame = families_frame(_edge_families(methodology))
    assert assert_kernel_matches_reference(frame, methodology, PERIOD, PM_2026) > 1000
