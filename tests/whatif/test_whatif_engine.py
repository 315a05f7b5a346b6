"""The what-if engine: a hand-worked population, pattern exactness, grid expansion, bad keys.

The hand-worked population (PM 50,851) is a plain two-adult family varied six ways; every level
below was worked out from methodology-2026.1.md, not by the code under test.
Plain family: M8 +50 (20 m2 each), D1 -40 (one non-worker per worker), S2 +150 (one worker),
everything else 0, so score = M1 + 160.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring_core import load_methodology
from scoring_core.config import METHODOLOGY_DIR, MethodologyError
from scoring_core.synthetic import random_features
from scoring_core.whatif import Variant, expand_variants, load_variants, simulate

pytestmark = pytest.mark.xdist_group("scoring_kernel")

PM = 50851.0
PLAIN = {
    "n_members": 2, "n_adults": 2, "n_children": 0, "n_children_1_6": 0, "n_able_bodied": 2,
    "n_working": 1, "n_disabled_adults_g12": 0, "n_disabled_adults_g3": 0, "n_disabled_children": 0,
    "n_chronic": 0, "n_school_age_not_enrolled": 0, "has_adult_tertiary_or_vocational": False,
    "income_wages": 0.0, "income_entrepreneur": 0.0, "income_pensions_benefits": 0.0,
    "has_loans": False, "has_non_mortgage_loan": False, "n_adults_arrears_90": 0, "n_dwellings": 1,
    "living_area_m2": 40.0, "n_commercial_property": 0, "rents_private": False, "monthly_rent": 0.0,
    "rents_state_housing": False, "housing_costs": 0.0, "n_cars": 1, "n_commercial_vehicles": 0,
    "n_agri_machinery_types": 0, "livestock_value": 0.0, "has_land_plot": False, "settlement_type": 2,
    "has_sole_trader": False, "has_company_founder": False, "n_informal_signal_adults": 0,
}  # fmt: skip
RICH = {  # +150 land, +100 founder, +50 sole trader, +200 machinery, +80 vans, +50 loans, +50 education
    "has_land_plot": True, "has_company_founder": True, "has_sole_trader": True, "n_agri_machinery_types": 2,
    "n_commercial_vehicles": 1, "has_loans": True, "has_adult_tertiary_or_vocational": True,
}  # fmt: skip
FAMILIES = {
    # id: (region, changes)                                             baseline level, why
    1: ("79", {"income_wages": 1.5 * 2 * PM}),  # 4: M1 170 -> 330
    2: ("79", {"income_wages": 0.5 * 2 * PM}),  # 1: pci 0.5 < food ratio 0.55 (G1)
    3: ("79", {"income_wages": 0.6 * 2 * PM}),  # 3: 260 is level 4, capped by G2 (pci 0.6 < 0.7)
    4: ("35", {"income_wages": 5 * 2 * PM, **RICH}),  # 5: 620 + 160 + 680 = 1460
    5: (
        "35",
        {"income_wages": 5 * 2 * PM, **RICH, "n_working": 2},
    ),  # 5: 1460 + 40 (D1 0) + 150 (S2 300) = 1650
    6: (
        "35",
        {"n_dwellings": 2, "n_cars": 2, "n_working": 0},
    ),  # 6: G3; else pci 0.688: 100+50+100-80+50 = 220, G2 -> 3
}
BASELINE_LEVEL = {1: 4, 2: 1, 3: 3, 4: 5, 5: 5, 6: 6}
CANDIDATES = pd.DataFrame(
    [(3, "rent", 20_000.0), (5, "rent", 30_000.0), (6, "rent", 40_000.0),
     (2, "aid", 5_000.0), (2, "aid", 5_000.0), (3, "aid", 7_000.0)],
    columns=["family_id", "service", "amount_kzt"],
)  # fmt: skip
ALLOWED = {
    ("rent", "79"): "1,2,3,4,5",
    ("rent", "35"): "1,2,3,4,5",
    ("aid", "79"): "1,2,3",
    ("aid", "35"): "1,2,3",
}


@pytest.fixture(scope="module")
def methodology():
    return load_methodology(METHODOLOGY_DIR / "kz-2026.1.yaml")


def _population() -> pd.DataFrame:
    rows = [
        {"family_id": fid, "region_kato": region, **PLAIN, **changes}
        for fid, (region, changes) in FAMILIES.items()
    ]
    return pd.DataFrame(rows)


def _moves(result, variant: int) -> dict[tuple[str, int, int], int]:
    t = result.transitions[
        (result.transitions.variant == variant)
        & (result.transitions.from_level != result.transitions.to_level)
    ]
    return {(r.region, r.from_level, r.to_level): r.families for r in t.itertuples()}


def _service(result, variant: int, service: str, region: str) -> tuple[int, int, float]:
    row = result.services[(result.services.variant == variant) & (result.services.service == service)
                          & (result.services.region == region)].iloc[0]  # fmt: skip
    return row.eligible_families, row.beneficiaries, row.monthly_budget_kzt


@pytest.mark.parametrize("force_full", [False, True])
def test_hand_worked_population(methodology, force_full):
    variants = [
        Variant(
            "level 6 from 1600", {"levels.6.min_score": 1600}
        ),  # family 5 (1650) moves to 6, not 4 (1460)
        Variant("wealth needs 3 cars", {"gates.G3_WEALTH.when.n_cars": 3}),  # family 6: 6 -> 3
        Variant("food ratio 0.65", {"parameters.food_ratio.value": 0.65}),  # family 3 (pci 0.6): 3 -> 1
        Variant("level 6 from 1400", {"levels.6.min_score": 1400}),  # families 4 and 5 move to 6
    ]
    result = simulate(_population(), methodology, variants, PM, CANDIDATES, ALLOWED, force_full=force_full)
    baseline = result.transitions[result.transitions.variant == 0]
    assert (baseline.from_level == baseline.to_level).all()
    assert baseline.groupby("from_level").families.sum().to_dict() == {1: 1, 3: 1, 4: 1, 5: 2, 6: 1}
    assert _moves(result, 1) == {("35", 5, 6): 1}
    assert _moves(result, 2) == {("35", 6, 3): 1}
    assert _moves(result, 3) == {("79", 3, 1): 1}
    assert _moves(result, 4) == {("35", 5, 6): 2}
    # baseline budgets: rent 79 = family 3; rent 35 = family 5 (family 6 is level 6); aid 79 = families 2, 3
    assert _service(result, 0, "rent", "79") == (1, 1, 20_000.0)
    assert _service(result, 0, "rent", "35") == (1, 1, 30_000.0)
    assert _service(result, 0, "aid", "79") == (2, 3, 17_000.0)
    assert _service(result, 1, "rent", "35") == (0, 0, 0.0)  # family 5 is now level 6
    assert _service(result, 2, "rent", "35") == (2, 2, 70_000.0)  # family 6 is now level 3
    assert _service(result, 3, "aid", "79") == (2, 3, 17_000.0)  # level 1 also gets aid
    matrix = result.transition_matrix(2, "35")
    assert matrix.loc[6, 3] == 1 and matrix.loc[5, 5] == 2 and int(matrix.to_numpy().sum()) == 3


def _random_variant(rng: np.random.Generator) -> dict:
    pool = [
        lambda: {"levels.6.min_score": int(rng.integers(1500, 2200)), "levels.5.min_score": int(rng.integers(500, 900))},
        lambda: {"parameters.food_ratio.value": float(rng.choice([0.4, 0.5, 0.55, 0.6, 0.69]))},
        lambda: {"parameters.poverty_ratio.value": float(rng.choice([0.6, 0.7, 0.8, 1.0]))},
        lambda: {"indicators.M1_INCOME.bands.3.points": int(rng.integers(100, 250))},
        lambda: {"indicators.M8_LIVING_SPACE.bands.0.to": (x := float(rng.choice([12, 15, 18, 21]))),
                 "indicators.M8_LIVING_SPACE.bands.1.from": x},
        lambda: {"indicators.D1_DEPENDENCY.bands.2.points": int(rng.integers(-150, -40))},
        lambda: {"indicators.N1_DISABILITY.per_unit.n_disabled_children": int(rng.integers(-400, -50))},
        lambda: {"gates.G3_WEALTH.when.n_cars": int(rng.integers(1, 4))},
        lambda: {"indicators.M3_ARREARS.when.n_adults_arrears_90": int(rng.integers(1, 3))},
        lambda: {"gates.G1_FOOD_DEFICIT.when.livestock_value": float(rng.choice([250_000, 500_000, 1e6]))},
        lambda: {"hidden_income.commercial_rent": float(rng.choice([100_000, 200_000]))},  # not shareable
    ]  # fmt: skip
    overrides: dict = {}
    for j in rng.choice(len(pool), size=int(rng.integers(1, 4)), replace=False):
        overrides.update(pool[j]())
    return overrides


def test_patterns_equal_the_full_kernel_on_random_families(methodology):
    rng = np.random.default_rng(7)
    n = 40_000
    features = random_features(n, PM, seed=3)
    features["region_kato"] = np.where(rng.random(n) < 0.4, "79", "35")
    picked = np.flatnonzero(rng.random(n) < 0.3)
    candidates = pd.DataFrame({
        "family_id": features["family_id"][picked],
        "service": np.where(rng.random(len(picked)) < 0.5, "rent", "aid"),
        "amount_kzt": rng.uniform(1_000, 50_000, len(picked)).round(),
    })  # fmt: skip
    variants = [Variant(f"v{i}", _random_variant(rng)) for i in range(12)]
    fast = simulate(features, methodology, variants, PM, candidates, ALLOWED)
    full = simulate(features, methodology, variants, PM, candidates, ALLOWED, force_full=True)
    assert fast.stats["n_patterns"] < n  # it did compress
    assert (fast.variants.method == "patterns").sum() >= 1
    expect_full = [i + 1 for i, v in enumerate(variants) if "hidden_income.commercial_rent" in v.overrides]
    assert fast.variants.index[fast.variants.method == "full"].tolist() == expect_full
    keys = ["variant", "region", "from_level", "to_level"]
    pd.testing.assert_frame_equal(fast.transitions.sort_values(keys).reset_index(drop=True),
                                  full.transitions.sort_values(keys).reset_index(drop=True))  # fmt: skip
    pd.testing.assert_frame_equal(fast.services, full.services)
    assert fast.transitions.groupby("variant").families.sum().eq(n).all()


def test_grid_expansion_is_the_cartesian_product_after_the_listed_variants():
    variants = expand_variants({
        "variants": [{"name": "named", "overrides": {"levels.6.min_score": 1700}}, {"parameters.food_ratio.value": 0.6}],
        "grid": {"levels.6.min_score": [1600, 2000], "parameters.food_ratio.value": [0.5, 0.6, 0.7]},
    })  # fmt: skip
    assert [v.name for v in variants[:2]] == ["named", "parameters.food_ratio.value=0.6"]
    grid = [v.overrides for v in variants[2:]]
    assert len(grid) == 6
    assert grid[0] == {"levels.6.min_score": 1600, "parameters.food_ratio.value": 0.5}
    assert grid[1] == {"levels.6.min_score": 1600, "parameters.food_ratio.value": 0.6}
    assert grid[5] == {"levels.6.min_score": 2000, "parameters.food_ratio.value": 0.7}
    assert expand_variants([{"levels.6.min_score": 1700}])[0].overrides == {"levels.6.min_score": 1700}


def test_example_files_load():
    from scoring_core.whatif import EXAMPLES_DIR

    assert len(load_variants(EXAMPLES_DIR / "grid.yaml")) == 100
    assert len(load_variants(EXAMPLES_DIR / "variants.yaml")) >= 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"parameters.no_such_ratio.value": 0.5}, "parameters.no_such_ratio"),
        (
            {"levels.6.min_score": 1700, "indicators.M1_INCOME.bands.9.points": 1},
            "indicators.M1_INCOME.bands.9",
        ),
        (
            {"levels.6.min_score": 500, "parameters.food_ratio.value": 0.5},
            "levels.6.min_score",
        ),  # below level 5
        (
            {"levels.6.min_score": "high", "parameters.food_ratio.value": 0.5},
            "levels",
        ),  # schema: not a number
    ],
)
def test_a_bad_variant_is_a_clear_error_naming_the_variant_and_key(methodology, overrides, message):
    with pytest.raises(MethodologyError, match=message) as caught:
        simulate(_population(), methodology, [Variant("bad one", overrides)], PM)
    assert "bad one" in str(caught.value)


def test_duplicate_names_and_bad_grids_are_rejected():
    with pytest.raises(MethodologyError, match="duplicate"):
        expand_variants([{"levels.6.min_score": 1700}, {"levels.6.min_score": 1700}])
    with pytest.raises(MethodologyError, match="grid.levels.6.min_score"):
        expand_variants({"grid": {"levels.6.min_score": 1700}})


def test_threshold_codes_tell_below_equal_and_above_each_threshold():
    from scoring_core.whatif.patterns import _threshold_code

    values = np.array([0.0, 1.0, 2.0, 3.0, 4.0, np.nan, -np.inf, np.inf])
    codes, size = _threshold_code(values, {3.0, 1.0, float("inf")})  # infinite thresholds are dropped
    assert codes.tolist() == [0, 1, 2, 3, 4, 4, 0, 4]  # NaN sorts after every threshold, as in numpy
    assert size == 5
