"""Hand-built families for the eligibility rule tests, and the warehouse tables they become.

Each family is written as its members and a few facts; `input_tables` turns them into the three
inputs of the eligibility models with their exact columns: the dbt marts `family_features` and
`family_members`, and the scoring table `family_scores`. Members are labelled (e.g. "F101/c1"):
tests compare labels, never IINs, so no IIN can reach a test report.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

METHODOLOGY = "KZ-2026.1"
SHYMKENT_KATO = "791110000"  # Abai district of Shymkent (region 79)
KARAGANDA_KATO = "351010000"  # Karaganda city (region 35)


@dataclass
class Member:
    """One person of a family on the period's reference date."""

    label: str
    age: int
    is_head: bool = False
    sex: str = "F"
    disability_group: str | None = None  # I, II, III or CHILD
    institution_type: str | None = None  # preschool, school, college, university
    study_form: str | None = None  # full_time, part_time, home_schooling


@dataclass
class Family:
    """A family in one period: members, declared monthly income, housing, credit and its score."""

    family_id: int
    members: list[Member]
    level: int
    period: str = "2026-03"
    kato: str = SHYMKENT_KATO
    income: float = 1_000_000.0  # declared monthly income (all in wages); high = no income-tested service
    hidden_income: float = 0.0
    n_dwellings: int = 0
    rents_private: bool = False
    rent_monthly_private: float = 0.0
    rents_state_housing: bool = False
    rent_monthly_state: float = 0.0
    housing_costs: float = 0.0
    has_loans: bool = False
    has_non_mortgage_loan: bool = False
    waiting_list_category: str | None = None  # None = not on the housing waiting list
    reasons: list[str] = field(default_factory=lambda: ["M7_NO_HOUSING", "D1_DEPENDENCY"])


def _iins():
    """Valid IINs (12 digits, correct check digit), in a fixed order."""
    for serial in itertools.count(1):
        first11 = f"9001014{serial:04d}"
        digits = [int(c) for c in first11]
        check = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
        if check == 10:
            check = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=True)) % 11
        if check != 10:
            yield first11 + str(check)


def input_tables(families: list[Family]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(family_features, family_members, family_scores, label of every IIN) for `families`."""
    iins = _iins()
    features, members, scores, labels = [], [], [], {}
    for fam in families:
        ref = date(int(fam.period[:4]), int(fam.period[5:]), 1)
        people = []
        for m in fam.members:
            iin = next(iins)
            labels[iin] = m.label
            is_child = m.age < 18
            enrolled = m.institution_type is not None
            people.append(
                {
                    "period": fam.period,
                    "family_id": fam.family_id,
                    "iin": iin,
                    "role": "head" if m.is_head else ("child" if is_child else "spouse"),
                    "is_head": m.is_head,
                    "sex": m.sex,
                    "birth_date": date(ref.year - m.age, 1, 1)
                    if ref.month > 1
                    else date(ref.year - m.age - 1, 12, 31),
                    "age": m.age,
                    "is_adult": not is_child,
                    "is_child": is_child,
                    "is_able_bodied": not is_child and m.age < 61 and m.disability_group not in ("I", "II"),
                    "is_working": False,
                    "disability_group": m.disability_group,
                    "is_home_schooled": m.institution_type == "school" and m.study_form == "home_schooling",
                    "is_enrolled": enrolled,
                    "institution_type": m.institution_type,
                    "study_form": m.study_form,
                    "is_full_time_student": m.institution_type in ("college", "university")
                    and m.study_form == "full_time",
                    "rents_private": fam.rents_private,
                    "rent_monthly_private": fam.rent_monthly_private,
                    "is_on_housing_waiting_list": fam.waiting_list_category is not None,
                    "housing_waiting_list_category": fam.waiting_list_category,
                }
            )
        members += people
        adults = [p for p in people if p["is_adult"]]
        children = [p for p in people if p["is_child"]]
        features.append(
            {
                "family_id": fam.family_id,
                "period": fam.period,
                "region_kato": fam.kato[:2],
                "kato": fam.kato,
                "settlement_type": 1,
                "n_members": len(people),
                "n_adults": len(adults),
                "n_children": len(children),
                "n_children_1_6": sum(1 <= p["age"] <= 6 for p in people),
                "n_able_bodied": sum(p["is_able_bodied"] for p in people),
                "n_working": 0,
                "n_disabled_adults_g12": sum(p["disability_group"] in ("I", "II") for p in adults),
                "n_disabled_adults_g3": sum(p["disability_group"] == "III" for p in adults),
                "n_disabled_children": sum(p["disability_group"] is not None for p in children),
                "n_chronic": 0,
                "n_school_age_not_enrolled": sum(
                    7 <= p["age"] <= 17 and not p["is_enrolled"] for p in people
                ),
                "has_adult_tertiary_or_vocational": False,
                "income_wages": fam.income,
                "income_entrepreneur": 0.0,
                "income_pensions_benefits": 0.0,
                "has_loans": fam.has_loans,
                "has_non_mortgage_loan": fam.has_non_mortgage_loan,
                "n_adults_arrears_90": 0,
                "n_dwellings": fam.n_dwellings,
                "living_area_m2": 50.0,
                "n_commercial_property": 0,
                "rents_private": fam.rents_private,
                "monthly_rent": fam.rent_monthly_private + fam.rent_monthly_state,
                "rents_state_housing": fam.rents_state_housing,
                "housing_costs": fam.housing_costs,
                "n_cars": 0,
                "n_commercial_vehicles": 0,
                "n_agri_machinery_types": 0,
                "livestock_value": 0.0,
                "has_land_plot": False,
                "has_sole_trader": False,
                "has_company_founder": False,
                "n_informal_signal_adults": 0,
                "as_of_population": ref,
            }
        )
        reasons = [*fam.reasons, None, None, None][:3]
        scores.append(
            {
                "family_id": fam.family_id,
                "period": fam.period,
                "methodology_version": METHODOLOGY,
                "score": 0,
                "score_m": 0,
                "score_n": 0,
                "score_d": 0,
                "score_s": 0,
                "hidden_income": fam.hidden_income,
                "hidden_income_share": 0.0,
                "pci_ratio": 0.0,
                "level": fam.level,
                "legacy_letter": "ABCDE"[6 - fam.level] if fam.level >= 2 else "E",
                "gate": "none",
                "reason_1": reasons[0],
                "reason_2": reasons[1],
                "reason_3": reasons[2],
                "region_kato": fam.kato[:2],
            }
        )
    return pd.DataFrame(features), pd.DataFrame(members), pd.DataFrame(scores), labels


# DuckDB types of the input columns, as the marts and the scoring step write them.
FEATURE_TYPES = {
    "family_id": "BIGINT",
    "period": "VARCHAR",
    "region_kato": "VARCHAR",
    "kato": "VARCHAR",
    "settlement_type": "INTEGER",
    "has_adult_tertiary_or_vocational": "BOOLEAN",
    "has_loans": "BOOLEAN",
    "has_non_mortgage_loan": "BOOLEAN",
    "rents_private": "BOOLEAN",
    "rents_state_housing": "BOOLEAN",
    "has_land_plot": "BOOLEAN",
    "has_sole_trader": "BOOLEAN",
    "has_company_founder": "BOOLEAN",
    "income_wages": "DOUBLE",
    "income_entrepreneur": "DOUBLE",
    "income_pensions_benefits": "DOUBLE",
    "living_area_m2": "DOUBLE",
    "monthly_rent": "DOUBLE",
    "housing_costs": "DOUBLE",
    "livestock_value": "DOUBLE",
    "as_of_population": "DATE",
}  # every other feature column is a count: INTEGER
MEMBER_TYPES = {
    "period": "VARCHAR",
    "family_id": "BIGINT",
    "iin": "VARCHAR",
    "role": "VARCHAR",
    "is_head": "BOOLEAN",
    "sex": "VARCHAR",
    "birth_date": "DATE",
    "age": "INTEGER",
    "is_adult": "BOOLEAN",
    "is_child": "BOOLEAN",
    "is_able_bodied": "BOOLEAN",
    "is_working": "BOOLEAN",
    "disability_group": "VARCHAR",
    "is_home_schooled": "BOOLEAN",
    "is_enrolled": "BOOLEAN",
    "institution_type": "VARCHAR",
    "study_form": "VARCHAR",
    "is_full_time_student": "BOOLEAN",
    "rents_private": "BOOLEAN",
    "rent_monthly_private": "DOUBLE",
    "is_on_housing_waiting_list": "BOOLEAN",
    "housing_waiting_list_category": "VARCHAR",
}
SCORE_TYPES = {
    "family_id": "BIGINT",
    "period": "VARCHAR",
    "methodology_version": "VARCHAR",
    "score": "INTEGER",
    "score_m": "INTEGER",
    "score_n": "INTEGER",
    "score_d": "INTEGER",
    "score_s": "INTEGER",
    "hidden_income": "DOUBLE",
    "hidden_income_share": "DOUBLE",
    "pci_ratio": "DOUBLE",
    "level": "TINYINT",
    "legacy_letter": "VARCHAR",
    "gate": "VARCHAR",
    "reason_1": "VARCHAR",
    "reason_2": "VARCHAR",
    "reason_3": "VARCHAR",
    "region_kato": "VARCHAR",
}


def typed_select(frame_name: str, frame: pd.DataFrame, types: dict[str, str], default: str) -> str:
    """SELECT over a registered DataFrame casting every column to its warehouse type."""
    casts = ", ".join(f'cast("{c}" as {types.get(c, default)}) as "{c}"' for c in frame.columns)
    return f"select {casts} from {frame_name}"
