"""Families scored by hand from the specification (methodology-2026.1.md), PM 2026 = 50,851 KZT.

Every expectation below was worked out on paper from the spec's tables, not computed by the code.
Each family changes a few fields of conftest.BASELINE; indicators not mentioned score 0.
Both the kernel (via score()) and the reference implementation must give these results.
"""

from __future__ import annotations

import pytest

from scoring_core import reference_score, score
from tests.scoring_core.conftest import PERIOD, PM_2026, families_frame

# One xdist worker runs every kernel test, so a cold Numba cache compiles once, not once per worker.
pytestmark = pytest.mark.xdist_group("scoring_kernel")


ADULTS2 = {"n_adults": 2, "n_children": 0}

CASES = [
    pytest.param(
        {},
        # hidden 0; pci = 150,000 / 3 / 50,851 = 0.983265 -> M1 [0.25,1) +100
        # M8 60/3 = 20 m2 >= 18 +50; D1 (3-1)/1 = 2 -> [2,3) -80; S2 one working +150
        # score 100 + 50 - 80 + 150 = 220 -> level 4 (-30..729); no gate
        dict(score=220, dims=(150, 0, -80, 150), level=4, letter="C", gate=None, reasons=["D1_DEPENDENCY"],
             pci=0.983265, hidden=0.0),
        id="01-baseline-level-4",
    ),
    pytest.param(
        dict(n_members=4, n_adults=1, n_children=3, n_able_bodied=1, n_working=0, income_wages=0.0,
             income_pensions_benefits=60_000.0, n_dwellings=0, living_area_m2=0.0, n_cars=0, settlement_type=5),
        # pci = 60,000 / 4 / 50,851 = 0.294979 -> M1 +100; M4 no car -50; M7 no dwelling, no state rent -200
        # M8 area 0 -> not scored; M11 rural -70; D1 (4-0)/max(0,1) = 4 -> [3,5) -150
        # score 100 - 50 - 200 - 70 - 150 = -370 -> level 3
        # G2 0.295 < 0.70 -> min(3,3) = 3; G1 0.295 < 0.55, 0 dwellings, 0 cars, no livestock/commercial -> 1
        dict(score=-370, dims=(-220, 0, -150, 0), level=1, letter=None, gate="G1_FOOD_DEFICIT",
             reasons=["M7_NO_HOUSING", "D1_DEPENDENCY", "M11_SETTLEMENT"], pci=0.294979, hidden=0.0),
        id="02-food-deficit-gate",
    ),
    pytest.param(
        dict(n_members=2, **ADULTS2, n_working=0, income_wages=0.0, n_dwellings=3, n_cars=2,
             living_area_m2=80.0, settlement_type=1),
        # hidden = (3-1) * 70,000 = 140,000 = income; pci = 140,000 / 2 / 50,851 = 1.376571 -> M1 +170
        # M4 2 cars +50; M8 80/2 = 40 +50; M9 3 dwellings +100; M11 capital +70; D1 2/1 = 2 -> -80
        # score 170 + 50 + 50 + 100 + 70 - 80 = 360 -> level 4; G3: 3 dwellings and 2 cars -> 6
        dict(score=360, dims=(440, 0, -80, 0), level=6, letter="A", gate="G3_WEALTH",
             reasons=["D1_DEPENDENCY"], pci=1.376571, hidden=140_000.0, share=1.0),
        id="03-wealth-gate-over-level-4",
    ),
    pytest.param(
        dict(n_members=4, n_adults=2, n_children=2, n_working=0, income_wages=0.0, n_dwellings=2, n_cars=2,
             living_area_m2=50.0, settlement_type=3),
        # hidden = (2-1) * 70,000 = 70,000 = income (share 1); pci = 70,000 / 4 / 50,851 = 0.344143 -> M1 +100
        # M4 +50; M8 50/4 = 12.5 < 18 -80; M9 2 dwellings +100; M11 district town -30; D1 4/1 -> -150
        # score 100 + 50 - 80 + 100 - 30 - 150 = -10 -> level 4
        # G2 holds -> 3; G1 fails (2 dwellings); G3 holds -> 6, and G3 is the last gate that held
        dict(score=-10, dims=(140, 0, -150, 0), level=6, letter="A", gate="G3_WEALTH",
             reasons=["D1_DEPENDENCY", "M8_LIVING_SPACE", "M11_SETTLEMENT"], pci=0.344143, hidden=70_000.0,
             share=1.0),
        id="04-wealth-gate-after-poverty-cap",
    ),
    pytest.param(
        dict(n_members=5, n_adults=2, n_children=3, income_wages=120_000.0, living_area_m2=90.0,
             livestock_value=600_000.0, has_land_plot=True, settlement_type=5, has_loans=True),
        # hidden = 600,000 * 0.12 / 12 = 6,000; income 126,000; pci = 126,000 / 5 / 50,851 = 0.495565 -> +100
        # M2 loans +50; M8 90/5 = 18 exactly -> >= 18 +50; M12 [500k,1M) +150; M13 +150; M11 -70
        # D1 (5-1)/1 = 4 -> -150; S2 +150
        # score 100 + 50 + 50 + 150 + 150 - 70 - 150 + 150 = 430 -> level 4
        # G2 0.496 < 0.70 -> 3; G1 fails: livestock 600,000 is not < 500,000
        dict(score=430, dims=(430, 0, -150, 150), level=3, letter="D", gate="G2_POVERTY_CAP",
             reasons=["D1_DEPENDENCY", "M11_SETTLEMENT"], pci=0.495565, hidden=6_000.0, share=6_000 / 126_000),
        id="05-poverty-cap-livestock-blocks-food-gate",
    ),
    pytest.param(
        dict(n_members=2, **ADULTS2, n_able_bodied=1, income_wages=200_000.0, n_adults_arrears_90=2,
             has_loans=True, n_disabled_adults_g12=1, n_chronic=1, living_area_m2=40.0, n_cars=0),
        # pci = 200,000 / 2 / 50,851 = 1.96653 -> [1,2) +170; M2 +50; M3 all 2 adults in arrears -500
        # M4 -50; M8 40/2 = 20 +50; N1 -250 * 1 = -250; N2 -80; D1 (2-1)/1 = 1 -> [1,2) -40; S2 +150
        # score 170 + 50 - 500 - 50 + 50 - 250 - 80 - 40 + 150 = -500 -> <= -459 -> level 2
        dict(score=-500, dims=(-280, -330, -40, 150), level=2, letter="E", gate=None,
             reasons=["M3_ARREARS", "N1_DISABILITY", "N2_CHRONIC"], pci=1.96653, hidden=0.0),
        id="06-arrears-all-adults-level-2",
    ),
    pytest.param(
        dict(n_members=3, n_adults=3, n_children=0, n_able_bodied=3, n_working=2, income_wages=300_000.0,
             n_adults_arrears_90=1, n_cars=0, living_area_m2=54.0, settlement_type=4),
        # pci = 300,000 / 3 / 50,851 = 1.96653 -> +170; M3 1 of 3 adults -250; M4 -50; M8 54/3 = 18 +50
        # M11 rural okrug centre -50; D1 (3-2)/2 = 0.5 -> 0; S2 two working +300
        # score 170 - 250 - 50 + 50 - 50 + 300 = 170 -> level 4
        # reasons: M3 -250, then M4 and M11 tie at -50: M4 comes first in Step 2
        dict(score=170, dims=(-130, 0, 0, 300), level=4, letter="C", gate=None,
             reasons=["M3_ARREARS", "M4_CARS", "M11_SETTLEMENT"], pci=1.96653, hidden=0.0),
        id="07-arrears-some-adults-tie-order",
    ),
    pytest.param(
        dict(n_members=4, n_adults=2, n_children=2, n_working=2, income_wages=900_000.0,
             income_entrepreneur=100_000.0, n_dwellings=4, n_commercial_property=1, has_land_plot=True,
             has_adult_tertiary_or_vocational=True, has_sole_trader=True, has_company_founder=True,
             settlement_type=1, living_area_m2=160.0),
        # hidden = (4-1) * 70,000 + 1 * 150,000 = 360,000; income = 900,000 + 100,000 + 360,000 = 1,360,000
        # pci = 1,360,000 / 4 / 50,851 = 6.686201 -> >= 4 +620; M8 160/4 = 40 +50; M9 4 dwellings +400
        # M10 +80; M11 +70; M13 +150; N4 +50; D1 (4-2)/2 = 1 -> -40; S2 +300; S3 50 + 100 = +150
        # score 620 + 50 + 400 + 80 + 70 + 150 + 50 - 40 + 300 + 150 = 1830 -> >= 1800 level 6; one car: no G3
        dict(score=1830, dims=(1370, 50, -40, 450), level=6, letter="A", gate=None,
             reasons=["D1_DEPENDENCY"], pci=6.686201, hidden=360_000.0, share=360_000 / 1_360_000),
        id="08-level-6-by-score",
    ),
    pytest.param(
        dict(n_members=2, **ADULTS2, n_working=2, income_wages=250_000.0, living_area_m2=36.0, n_cars=2,
             has_loans=True),
        # pci = 250,000 / 2 / 50,851 = 2.458162 -> [2,3) +280; M2 +50; M4 2 cars +50; M8 36/2 = 18 +50
        # D1 (2-2)/2 = 0 -> 0; S2 +300; score 280 + 50 + 50 + 50 + 300 = 730 -> exactly the level-5 cut-off
        dict(score=730, dims=(430, 0, 0, 300), level=5, letter="B", gate=None, reasons=[], pci=2.458162,
             hidden=0.0),
        id="09-score-exactly-730-level-5",
    ),
    pytest.param(
        dict(n_members=2, n_adults=1, n_children=1, n_able_bodied=1, income_wages=80_000.0, n_cars=0,
             living_area_m2=30.0, settlement_type=3, n_chronic=1),
        # pci = 80,000 / 2 / 50,851 = 0.786612 -> +100 (>= 0.70: no poverty cap); M4 -50; M8 30/2 = 15 -80
        # M11 -30; N2 -80; D1 (2-1)/1 = 1 -> -40; S2 +150
        # score 100 - 50 - 80 - 30 - 80 - 40 + 150 = -30 -> exactly the level-4 cut-off
        # reasons: M8 and N2 tie at -80 (M8 first in Step 2), then M4 -50
        dict(score=-30, dims=(-60, -80, -40, 150), level=4, letter="C", gate=None,
             reasons=["M8_LIVING_SPACE", "N2_CHRONIC", "M4_CARS"], pci=0.786612, hidden=0.0),
        id="10-score-exactly-minus-30-level-4",
    ),
    pytest.param(
        dict(n_members=4, n_adults=2, n_children=2, n_able_bodied=1, n_working=0, income_wages=0.0,
             income_pensions_benefits=50_851.0, n_cars=2, living_area_m2=100.0, n_disabled_adults_g12=1,
             n_disabled_children=1, n_chronic=2),
        # pci = 50,851 / 4 / 50,851 = 0.25 exactly -> [0.25,1) +100 (not +40); M4 +50; M8 100/4 = 25 +50
        # N1 -250 - 150 = -400; N2 -80; D1 4/1 -> -150; score 100 + 50 + 50 - 400 - 80 - 150 = -430 -> 3
        # G2 0.25 < 0.70 -> min(3,3) = 3 (gate reported); G1 fails: 2 cars
        dict(score=-430, dims=(200, -480, -150, 0), level=3, letter="D", gate="G2_POVERTY_CAP",
             reasons=["N1_DISABILITY", "D1_DEPENDENCY", "N2_CHRONIC"], pci=0.25, hidden=0.0),
        id="11-pci-exactly-0.25-poverty-cap",
    ),
    pytest.param(
        dict(n_members=1, n_adults=1, n_children=0, n_able_bodied=0, n_working=0, income_wages=0.0,
             n_dwellings=0, rents_state_housing=True, living_area_m2=0.0, n_cars=0),
        # no income at all: pci = 0 -> M1 0 points; M4 -50; M7 state rental -> 0; M8 area 0 -> 0
        # D1 (1-0)/1 = 1 -> -40; S1 nobody able-bodied -100; score -50 - 40 - 100 = -190 -> level 3
        # G2 -> 3; G1 0 < 0.55, 0 dwellings, 0 cars, no livestock or commercial property -> 1
        dict(score=-190, dims=(-50, 0, -40, -100), level=1, letter=None, gate="G1_FOOD_DEFICIT",
             reasons=["S1_NO_ABLE_BODIED", "M4_CARS", "D1_DEPENDENCY"], pci=0.0, hidden=0.0),
        id="12-zero-income-food-deficit",
    ),
    pytest.param(
        dict(n_members=3, n_adults=3, n_children=0, n_able_bodied=3, n_working=0, n_informal_signal_adults=2,
             income_wages=0.0, livestock_value=2_000_000.0, living_area_m2=54.0, settlement_type=4,
             has_land_plot=True),
        # hidden = 2,000,000 * 0.12 / 12 + 2 * 1.0 * 50,851 = 20,000 + 101,702 = 121,702 = income
        # pci = 121,702 / 3 / 50,851 = 0.797768 -> +100; M8 54/3 = 18 +50; M11 -50; M12 2,000,000 -> +600
        # M13 +150; D1 3/1 = 3 -> [3,5) -150; score 100 + 50 - 50 + 600 + 150 - 150 = 700 -> level 4
        dict(score=700, dims=(850, 0, -150, 0), level=4, letter="C", gate=None,
             reasons=["D1_DEPENDENCY", "M11_SETTLEMENT"], pci=0.797768, hidden=121_702.0, share=1.0),
        id="13-hidden-income-informal-and-livestock",
    ),
    pytest.param(
        dict(n_members=6, n_adults=2, n_children=4, n_children_1_6=2, n_working=0, income_wages=0.0,
             income_pensions_benefits=100_000.0, living_area_m2=120.0, n_school_age_not_enrolled=2),
        # pci = 100,000 / 6 / 50,851 = 0.327755 -> +100; M8 120/6 = 20 +50; N3 -100 (once, not per child)
        # D1 6/1 = 6 -> >= 5 -250; score 100 + 50 - 100 - 250 = -200 -> level 3
        # G2 -> 3; G1 holds (1 dwelling, 1 car) -> 1
        dict(score=-200, dims=(150, -100, -250, 0), level=1, letter=None, gate="G1_FOOD_DEFICIT",
             reasons=["D1_DEPENDENCY", "N3_SCHOOLING"], pci=0.327755, hidden=0.0),
        id="14-large-family-no-earner",
    ),
]  # fmt: skip


@pytest.fixture(scope="module")
def scored(methodology):
    frame = families_frame([case.values[0] for case in CASES])
    kernel = score(frame, methodology, PERIOD).scores.to_pandas()
    reference = reference_score(frame, methodology, PM_2026)
    return kernel, reference


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_hand_worked_family(scored, changes, expected, request):
    row = [c.id for c in CASES].index(request.node.callspec.id)
    for name, table in zip(("kernel", "reference"), scored, strict=True):
        got = table.iloc[row]
        where = f"{name}: "
        assert int(got["score"]) == expected["score"], where + "score"
        dims = tuple(int(got[c]) for c in ("score_m", "score_n", "score_d", "score_s"))
        assert dims == expected["dims"], where + "dimension scores"
        assert int(got["level"]) == expected["level"], where + "level"
        assert (got["legacy_letter"] if isinstance(got["legacy_letter"], str) else None) == expected["letter"]
        assert (got["gate"] if isinstance(got["gate"], str) else None) == expected["gate"], where + "gate"
        reasons = [got[f"reason_{i}"] for i in (1, 2, 3) if isinstance(got[f"reason_{i}"], str)]
        assert reasons == expected["reasons"], where + "reasons"
        assert got["pci_ratio"] == pytest.approx(expected["pci"], abs=5e-6), where + "pci_ratio"
        assert got["hidden_income"] == pytest.approx(expected["hidden"]), where + "hidden income"
        assert got["hidden_income_share"] == pytest.approx(expected.get("share", 0.0)), where + "share"
