"""The latent family truth (for evaluation only, never an input)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from registry_simulator.chunk import Step
from registry_simulator.columns import categories
from registry_simulator.constants import (
    COMMERCIAL_RENT_KZT,
    EXTRA_DWELLING_RENT_KZT,
    INFORMAL,
    LIVESTOCK_ANNUAL_YIELD,
)


def truth(s: Step) -> dict[str, np.ndarray | pa.Array]:
    """Latent per-family truth: real income (with what no registry sees) and flags."""
    fam = s.per_family
    wages = fam(s.formal_wage_monthly)
    informal = fam(s.informal_income)
    business = fam(s.trader_income + s.founder_income)
    benefits = fam(s.benefits_monthly)
    assets = (
        s.n_extra_dwellings * EXTRA_DWELLING_RENT_KZT
        + s.n_commercial * COMMERCIAL_RENT_KZT
        + s.livestock_value * LIVESTOCK_ANNUAL_YIELD / 12
    )
    income = wages + informal + business + benefits + assets
    pci = income / s.fam_size
    informal_signal = (s.employment == INFORMAL) & (s.recent_car | (s.trips_12m >= 2) | s.dormant_trader)
    return {
        "family_id": s.family_id,
        "region_prefix": np.full(s.nf, s.prefix, np.int16),
        "settlement_type": s.fam_settlement.astype(np.int8),
        "n_members": s.fam_size.astype(np.int32),
        "n_children": fam((s.age < 18).astype(float)).astype(np.int32),
        "true_income_wages_kzt": np.round(wages, 2),
        "true_income_informal_kzt": np.round(informal, 2),
        "true_income_business_kzt": np.round(business, 2),
        "true_income_pensions_benefits_kzt": np.round(benefits, 2),
        "true_income_assets_kzt": np.round(assets, 2),
        "true_income_kzt": np.round(income, 2),
        "true_per_capita_income_kzt": np.round(pci, 2),
        "true_pci_ratio": np.round(pci / s.pm_ref, 6),
        "tenure": categories(("own", "rent_private", "rent_state", "with_relatives"), s.tenure_kind),
        "has_disability": fam(s.dis_valid.astype(float)) > 0,
        "has_disability_g12": fam(s.g12.astype(float)) > 0,
        "has_child_disability": fam((s.dis_valid & (s.dis_group == 3)).astype(float)) > 0,
        "has_home_schooled_child": fam(s.home_schooled.astype(float)) > 0,
        "has_pupil_or_student": fam(s.pupil.astype(float)) > 0,
        "has_informal_earner": fam((s.employment == INFORMAL).astype(float)) > 0,
        "n_informal_with_signal": fam(informal_signal.astype(float)).astype(np.int32),
        "has_chronic": fam(s.chronic.astype(float)) > 0,
        "has_school_age_not_enrolled": fam(s.missing_school.astype(float)) > 0,
        "on_waiting_list": s.waiting,
        "n_extra_dwellings": s.n_extra_dwellings.astype(np.int32),
        "livestock_value_kzt": s.livestock_value,
    }
