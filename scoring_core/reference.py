"""Reference implementation of the scoring methodology in plain pandas/numpy, written to read like
the specification (docs: /work/shared/methodology-2026.1.md, docs/methodology.md).

It shares nothing with the kernel but the methodology's numbers: it writes out the specification's
formulas (which quantity each indicator scores, what each gate checks) and takes the bands, points,
cut-offs and thresholds from the methodology file by name. The parity tests compare the two.
It is vectorised over families (one numpy operation per rule), so a million families take seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring_core.config import Band, Methodology


def band_points(values, bands: tuple[Band, ...]) -> np.ndarray:
    """Points of the band containing each value (bands do not overlap); 0 when no band does."""
    values = np.asarray(values, dtype=np.float64)
    points = np.zeros(len(values), dtype=np.int64)
    for band in bands:
        above_lower = values >= band.lower if band.lower_inclusive else values > band.lower
        below_upper = values <= band.upper if band.upper_inclusive else values < band.upper
        points[above_lower & below_upper] = band.points
    return points


def reference_score(features: pd.DataFrame, methodology: Methodology, pm: float) -> pd.DataFrame:
    """Score every row of a features DataFrame (already validated) with subsistence minimum `pm`.

    Returns one row per family with the columns of the scores table (without family_id/period).
    """
    f = features
    m = methodology
    n = len(f)

    # Step 1: imputed hidden income, income and the per-capita income ratio.
    h = m.hidden_income
    hidden_income = (
        np.maximum(f["n_dwellings"] - 1, 0) * h["extra_dwelling_rent"]
        + f["n_commercial_property"] * h["commercial_rent"]
        + f["livestock_value"] * h["livestock_annual_yield"] / 12
        + f["n_informal_signal_adults"] * h["informal_income_pm"] * pm
    ).to_numpy(dtype=np.float64)
    income = (
        f["income_wages"] + f["income_entrepreneur"] + f["income_pensions_benefits"] + hidden_income
    ).to_numpy(dtype=np.float64)
    pci_ratio = income / f["n_members"].to_numpy() / pm

    # Step 2: points per indicator. `bands(code, quantity)` looks the quantity up in the
    # indicator's bands; `per_unit(code)` adds the indicator's points for each unit of its features;
    # `when(code)` is the indicator's precondition (it scores 0 where that fails).
    def bands(code: str, quantity) -> np.ndarray:
        return band_points(quantity, m.indicator(code).bands)

    def per_unit(code: str) -> np.ndarray:
        total = np.zeros(n, dtype=np.int64)
        for feature, points in m.indicator(code).per_unit.items():
            total += points * f[feature].to_numpy().astype(np.int64)
        return total

    def when(code: str, points: np.ndarray) -> np.ndarray:
        holds = np.ones(n, dtype=bool)
        for condition in m.indicator(code).when:
            holds &= np.asarray(condition.holds(f[condition.variable].to_numpy()))
        return np.where(holds, points, 0)

    arrears_short_of_all_adults = f["n_adults_arrears_90"] - f["n_adults"]  # < 0: some adults, 0: all
    owns_or_rents_state = f["n_dwellings"] + f["rents_state_housing"].astype(np.int64)  # 0: neither
    area_per_member = f["living_area_m2"] / f["n_members"]
    dependency = (f["n_members"] - f["n_working"]) / np.maximum(f["n_working"], 1)
    points = {
        # Material (M)
        "M1_INCOME": bands("M1_INCOME", pci_ratio),
        "M2_LOANS": per_unit("M2_LOANS"),
        "M3_ARREARS": when("M3_ARREARS", bands("M3_ARREARS", arrears_short_of_all_adults)),
        "M4_CARS": bands("M4_CARS", f["n_cars"]),
        "M5_COMMERCIAL_VEHICLES": bands("M5_COMMERCIAL_VEHICLES", f["n_commercial_vehicles"]),
        "M6_AGRI_MACHINERY": bands("M6_AGRI_MACHINERY", f["n_agri_machinery_types"]),
        "M7_NO_HOUSING": bands("M7_NO_HOUSING", owns_or_rents_state),
        "M8_LIVING_SPACE": when("M8_LIVING_SPACE", bands("M8_LIVING_SPACE", area_per_member)),
        "M9_MULTIPLE_DWELLINGS": bands("M9_MULTIPLE_DWELLINGS", f["n_dwellings"]),
        "M10_COMMERCIAL_PROPERTY": bands("M10_COMMERCIAL_PROPERTY", f["n_commercial_property"]),
        "M11_SETTLEMENT": bands("M11_SETTLEMENT", f["settlement_type"]),
        "M12_LIVESTOCK": bands("M12_LIVESTOCK", f["livestock_value"]),
        "M13_LAND": per_unit("M13_LAND"),
        # Non-material (N)
        "N1_DISABILITY": per_unit("N1_DISABILITY"),
        "N2_CHRONIC": bands("N2_CHRONIC", f["n_chronic"]),
        "N3_SCHOOLING": bands("N3_SCHOOLING", f["n_school_age_not_enrolled"]),
        "N4_EDUCATION": per_unit("N4_EDUCATION"),
        # Dependency (D)
        "D1_DEPENDENCY": bands("D1_DEPENDENCY", dependency),
        # Self-realisation (S)
        "S1_NO_ABLE_BODIED": bands("S1_NO_ABLE_BODIED", f["n_able_bodied"]),
        "S2_WORKING": bands("S2_WORKING", f["n_working"]),
        "S3_BUSINESS": per_unit("S3_BUSINESS"),
    }
    assert tuple(points) == m.indicator_codes, "the reference follows the specification's indicators"
    point_matrix = np.column_stack([points[code] for code in m.indicator_codes])
    score = point_matrix.sum(axis=1)
    dimension = {
        d: point_matrix[:, [i for i, ind in enumerate(m.indicators) if ind.dimension == d]].sum(axis=1)
        for d in "MNDS"
    }

    # Step 3: the level from the score.
    level = np.full(n, m.base_level, dtype=np.int64)
    for lvl, min_score in m.score_ladder:  # ascending, so the highest level reached wins
        level[score >= min_score] = lvl

    # Step 4: gates, in the order G2, G1, G3; the gate reported is the last one that held.
    def threshold(gate_code: str, variable: str) -> float:
        return next(c.threshold for c in m.gate(gate_code).when if c.variable == variable)

    poverty_cap = pci_ratio < threshold("G2_POVERTY_CAP", "pci_ratio")
    food_deficit = (
        (pci_ratio < threshold("G1_FOOD_DEFICIT", "pci_ratio"))
        & (f["n_dwellings"].to_numpy() <= threshold("G1_FOOD_DEFICIT", "n_dwellings"))
        & (f["n_cars"].to_numpy() <= threshold("G1_FOOD_DEFICIT", "n_cars"))
        & (f["livestock_value"].to_numpy() < threshold("G1_FOOD_DEFICIT", "livestock_value"))
        & (f["n_commercial_property"].to_numpy() == threshold("G1_FOOD_DEFICIT", "n_commercial_property"))
    )
    wealth = (f["n_dwellings"].to_numpy() >= threshold("G3_WEALTH", "n_dwellings")) & (
        f["n_cars"].to_numpy() >= threshold("G3_WEALTH", "n_cars")
    )
    gate = np.full(n, None, dtype=object)
    level = np.where(poverty_cap, np.minimum(level, m.gate("G2_POVERTY_CAP").level_max), level)
    gate[poverty_cap] = "G2_POVERTY_CAP"
    level = np.where(food_deficit, m.gate("G1_FOOD_DEFICIT").level_max, level)
    gate[food_deficit] = "G1_FOOD_DEFICIT"
    level = np.where(wealth, m.gate("G3_WEALTH").level_min, level)
    gate[wealth] = "G3_WEALTH"

    # Step 5: reasons: negative indicators, most negative first, ties in Step 2 order, at most 3.
    order = np.argsort(point_matrix, axis=1, kind="stable")[:, :3]
    codes = np.array(m.indicator_codes, dtype=object)
    reasons: dict[str, np.ndarray] = {}
    for r in range(3):
        negative = np.take_along_axis(point_matrix, order[:, r : r + 1], axis=1)[:, 0] < 0
        reasons[f"reason_{r + 1}"] = np.where(negative, codes[order[:, r]], np.array([None], dtype=object))

    letters = {lv.level: lv.legacy_letter for lv in m.levels}
    result = pd.DataFrame(
        {
            "score": score,
            "score_m": dimension["M"],
            "score_n": dimension["N"],
            "score_d": dimension["D"],
            "score_s": dimension["S"],
            "hidden_income": hidden_income,
            "hidden_income_share": np.divide(hidden_income, income, out=np.zeros(n), where=income > 0),
            "pci_ratio": pci_ratio,
            "level": level,
            "legacy_letter": pd.Series(level).map(letters).to_numpy(dtype=object),
            "gate": gate,
            **reasons,
        },
        index=f.index,
    )
    for code in m.indicator_codes:
        result[f"points_{code}"] = points[code]
    return result
