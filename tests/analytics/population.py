"""A hand-built population of eight families for the targeting audit (errors worked by hand).

ПМ 50,000, poverty line 0.70 ПМ = 35,000 KZT per person.

| id | region | settl. | members | true pci/ПМ | poor | <1 ПМ | level | declared income | ASP test | lists | group flags |
|----|--------|--------|---------|-------------|------|-------|-------|-----------------|----------|-------|-------------|
| 1  | 79 | 1 | 2 | 0.40 | yes | yes | 1 | 40,000 (20,000 pp)  | yes | asp | own |
| 2  | 79 | 2 | 4 | 0.60 | yes | yes | 3 | 200,000 (50,000 pp) | no  | -   | own, disability |
| 3  | 79 | 5 | 3 | 0.90 | no  | yes | 3 | 90,000 (30,000 pp)  | yes | asp | private renter on the waiting list |
| 4  | 79 | 4 | 1 | 2.00 | no  | no  | 5 | 100,000             | no  | -   | own |
| 5  | 35 | 1 | 5 | 0.50 | yes | yes | 2 | 175,000 (35,000 pp: at the line) | yes | asp, rent_subsidy | private renter on the waiting list, disability |
| 6  | 35 | 3 | 2 | 0.65 | yes | yes | not scored (lost to defects) | - | no | - | own |
| 7  | 35 | 5 | 7 | 1.50 | no  | no  | 4 | 0                   | yes | asp | own |
| 8  | 35 | 2 | 2 | 3.00 | no  | no  | 6 | 500,000             | no  | -   | state tenant |
Family 99 is scored but unknown to the truth (left out, counted). Family 7 has a non-mortgage loan.
"""

from __future__ import annotations

import pandas as pd

PM = 50_000.0
POVERTY_RATIO = 0.70
PERIOD = "2026-10"


def truth() -> pd.DataFrame:
    rows = [
        # id, region, settlement, members, pci ratio, disability, tenure, waiting list
        (1, 79, 1, 2, 0.40, False, "own", False),
        (2, 79, 2, 4, 0.60, True, "own", False),
        (3, 79, 5, 3, 0.90, False, "rent_private", True),
        (4, 79, 4, 1, 2.00, False, "own", False),
        (5, 35, 1, 5, 0.50, True, "rent_private", True),
        (6, 35, 3, 2, 0.65, False, "own", False),
        (7, 35, 5, 7, 1.50, False, "own", False),
        (8, 35, 2, 2, 3.00, False, "rent_state", False),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "family_id",
            "region_prefix",
            "settlement_type",
            "n_members",
            "true_pci_ratio",
            "has_disability",
            "tenure",
            "on_waiting_list",
        ],
    )
    frame["has_home_schooled_child"] = False
    frame["has_pupil_or_student"] = False
    return frame


def scores() -> pd.DataFrame:
    return pd.DataFrame({"family_id": [1, 2, 3, 4, 5, 7, 8, 99], "level": [1, 3, 3, 5, 2, 4, 6, 2]})


def features() -> pd.DataFrame:
    income = {1: 40_000, 2: 200_000, 3: 90_000, 4: 100_000, 5: 175_000, 7: 0, 8: 500_000, 99: 0}
    members = {1: 2, 2: 4, 3: 3, 4: 1, 5: 5, 7: 7, 8: 2, 99: 1}
    ids = list(income)
    return pd.DataFrame(
        {
            "family_id": ids,
            "n_members": [members[i] for i in ids],
            # split over the three declared sources so the sum is what is tested
            "income_wages": [income[i] * 0.5 for i in ids],
            "income_entrepreneur": [income[i] * 0.25 for i in ids],
            "income_pensions_benefits": [income[i] * 0.25 for i in ids],
            "has_non_mortgage_loan": [i == 7 for i in ids],
        }
    )


def listed() -> pd.DataFrame:
    return pd.DataFrame(
        {"family_id": [1, 3, 5, 7, 5], "service": ["asp", "asp", "asp", "asp", "rent_subsidy"]}
    )
