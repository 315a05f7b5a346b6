"""Random but plausible family features, for parity tests and benchmarks (no real persons involved).

Values are drawn so that every band edge, gate threshold and zero case of KZ-2026.1 is hit often:
a share of families gets per-capita income exactly on an M1 edge, living space exactly 18 m2 per
person, livestock exactly on an M12 edge, and so on.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

COUNT_FEATURES = (
    "n_members", "n_adults", "n_children", "n_children_1_6", "n_able_bodied", "n_working",
    "n_disabled_adults_g12", "n_disabled_adults_g3", "n_disabled_children", "n_chronic",
    "n_school_age_not_enrolled", "n_adults_arrears_90", "n_dwellings", "n_commercial_property",
    "n_cars", "n_commercial_vehicles", "n_agri_machinery_types", "settlement_type", "n_informal_signal_adults",
)  # fmt: skip


def _upto(rng: np.random.Generator, limit: np.ndarray, p_zero: float) -> np.ndarray:
    """Random counts in 0..limit, zero with probability about p_zero."""
    draw = (rng.random(limit.shape[0]) * (limit + 1)).astype(np.int32)
    return np.where(rng.random(limit.shape[0]) < p_zero, 0, draw).astype(np.int32)


def random_features(n: int, pm: float = 50851.0, seed: int = 0) -> dict[str, np.ndarray]:
    """n random families as a dict of numpy columns typed like the family_features mart (no period)."""
    rng = np.random.default_rng(seed)
    members = np.minimum(rng.geometric(0.3, n), 12).astype(np.int32)
    adults = np.maximum(members - (rng.random(n) * members).astype(np.int32), 0).astype(np.int32)
    adults = np.where(rng.random(n) < 0.01, 0, adults).astype(np.int32)  # child-headed households exist
    children = (members - adults).astype(np.int32)
    able = _upto(rng, adults, 0.15)
    working = _upto(rng, able, 0.25)
    wages = np.where(working > 0, rng.lognormal(11.8, 0.8, n) * working, 0.0)
    pensions = np.where(rng.random(n) < 0.35, rng.lognormal(11.0, 0.5, n), 0.0)
    entrepreneur = np.where(rng.random(n) < 0.1, rng.lognormal(11.5, 1.0, n), 0.0)
    # 8% of families: declared income exactly on a per-capita edge (with no hidden income below)
    edges = np.array([0.0, 0.25, 0.55, 0.7, 1.0, 2.0, 3.0, 4.0])
    on_edge = rng.random(n) < 0.08
    wages = np.where(on_edge, edges[rng.integers(0, len(edges), n)] * members * pm, wages)
    pensions = np.where(on_edge, 0.0, pensions)
    entrepreneur = np.where(on_edge, 0.0, entrepreneur)
    dwellings = np.where(rng.random(n) < 0.85, rng.integers(0, 2, n), rng.integers(2, 15, n)).astype(np.int32)
    area_pp = np.where(rng.random(n) < 0.1, 18.0, rng.uniform(5, 40, n))
    living_area = np.where(rng.random(n) < 0.12, 0.0, np.round(area_pp * members, 1))
    livestock_edges = np.array([0.0, 500_000.0, 1_000_000.0, 2_000_000.0])
    livestock = np.where(
        rng.random(n) < 0.7,
        0.0,
        np.where(
            rng.random(n) < 0.2, livestock_edges[rng.integers(0, 4, n)], np.round(rng.lognormal(13, 1.2, n))
        ),
    )
    cars = np.minimum(rng.geometric(0.55, n) - 1, 5).astype(np.int32)
    informal = _upto(rng, np.maximum(able - working, 0).astype(np.int32), 0.85)
    on_edge_clean = on_edge & (rng.random(n) < 0.7)  # keep edge incomes free of hidden income
    dwellings = np.where(on_edge_clean, np.minimum(dwellings, 1), dwellings).astype(np.int32)
    livestock = np.where(on_edge_clean, 0.0, livestock)
    informal = np.where(on_edge_clean, 0, informal).astype(np.int32)
    commercial = np.where(on_edge_clean | (rng.random(n) < 0.95), 0, rng.integers(1, 4, n)).astype(np.int32)
    return {
        "family_id": np.arange(1, n + 1, dtype=np.int64),
        "n_members": members,
        "n_adults": adults,
        "n_children": children,
        "n_children_1_6": _upto(rng, children, 0.5),
        "n_able_bodied": able,
        "n_working": working,
        "n_disabled_adults_g12": _upto(rng, np.minimum(adults, 2).astype(np.int32), 0.9),
        "n_disabled_adults_g3": _upto(rng, np.minimum(adults, 2).astype(np.int32), 0.92),
        "n_disabled_children": _upto(rng, np.minimum(children, 2).astype(np.int32), 0.93),
        "n_chronic": _upto(rng, members, 0.7),
        "n_school_age_not_enrolled": _upto(rng, np.minimum(children, 2).astype(np.int32), 0.95),
        "has_adult_tertiary_or_vocational": rng.random(n) < 0.45,
        "income_wages": wages,
        "income_entrepreneur": entrepreneur,
        "income_pensions_benefits": pensions,
        "has_loans": rng.random(n) < 0.4,
        "has_non_mortgage_loan": rng.random(n) < 0.3,
        "n_adults_arrears_90": _upto(rng, adults, 0.85),
        "n_dwellings": dwellings,
        "living_area_m2": living_area,
        "n_commercial_property": commercial,
        "rents_private": rng.random(n) < 0.1,
        "monthly_rent": np.where(rng.random(n) < 0.1, rng.uniform(30_000, 200_000, n), 0.0),
        "rents_state_housing": rng.random(n) < 0.05,
        "housing_costs": rng.uniform(0, 60_000, n),
        "n_cars": cars,
        "n_commercial_vehicles": _upto(rng, np.full(n, 2, np.int32), 0.93),
        "n_agri_machinery_types": _upto(rng, np.full(n, 3, np.int32), 0.9),
        "livestock_value": livestock,
        "has_land_plot": rng.random(n) < 0.3,
        "settlement_type": rng.integers(1, 6, n).astype(np.int32),
        "has_sole_trader": rng.random(n) < 0.1,
        "has_company_founder": rng.random(n) < 0.04,
        "n_informal_signal_adults": informal,
    }


def random_features_table(n: int, pm: float = 50851.0, seed: int = 0, period: str = "2026-03") -> pa.Table:
    """random_features as an Arrow table with the mart's types (period as a string column)."""
    columns = random_features(n, pm, seed)
    return pa.table(
        {"family_id": columns.pop("family_id"), "period": pa.array([period] * n, pa.string()), **columns}
    )
