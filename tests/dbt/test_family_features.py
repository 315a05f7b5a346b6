"""End to end: a hand-built landing month -> `dbt build` -> the family features mart.

Period 2026-10: reference date 2026-10-01, income window 2025-10..2026-09 (the last 3 months
are 2026-07..09), every extract valid as of 2026-09-30. Every expected value below is worked out by
hand in the comments next to the rows that produce it. The same month carries a few defects
(duplicate, invalid IIN, negative amount, future date, unknown KATO, a person in two families,
deceased members, a family left empty) to check they are rejected with a reason, never lost.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.dbt.landing_fixture import make_iin, write_landing_month

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_family_features")]

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
PERIOD = "2026-10"
AS_OF = dt.date(2026, 9, 30)
d = dt.date

# ---------------------------------------------------------------- people (IINs are synthetic)
A = make_iin("800315", 1, 3)  # family 101 head, M, 46
B = make_iin("850601", 1, 4)  # family 101 spouse, F, 41
C = make_iin("190410", 1, 5)  # family 101 child, M, 7 (school age, not enrolled)
D = make_iin("220120", 1, 6)  # family 101 child, F, 4 (1..6, disabled child)
E = make_iin("580201", 1, 3)  # family 102 head, M, 68, group II, chronic
F = make_iin("621130", 1, 4)  # family 102 spouse, F, 63, university graduate
G = make_iin("750505", 1, 3)  # family 103 head, M, 51, sole trader with zero income
H = make_iin("040915", 1, 5)  # family 103 son, M, 22, full-time university student
I_ = make_iin("091001", 1, 6)  # family 103 daughter, F, 17 today (birthday on the reference date)
J = make_iin("900101", 1, 4)  # family 104 head, F, 36, sole trader with income
K = make_iin("700707", 1, 3)  # family 105 head, M, 56; also wrongly linked to family 101
L = make_iin("720202", 1, 4)  # family 105 spouse, died 2026-03-01
M = make_iin("400404", 1, 3)  # family 106 only member, died 2026-05-01 -> family left empty
N = make_iin("880808", 1, 3)  # member of family 107, whose address KATO is unknown
BAD_IIN = A[:11] + str((int(A[11]) + 1) % 10)  # wrong check digit


def person(iin, birth, sex, kato, settlement, dwelling=None, death=None):
    return dict(
        iin=iin,
        birth_date=birth,
        sex=sex,
        death_date=death,
        address_kato=kato,
        settlement_type=settlement,
        dwelling_id=dwelling,
    )


LINKED_LONG_AGO = d(2015, 1, 1)


def link(family_id, iin, role, when=LINKED_LONG_AGO):
    return dict(family_id=family_id, iin=iin, role=role, link_date=when)


def contribution(iin, month, amount):
    return dict(iin=iin, month=month, employer_bin="000140000001", contribution_kzt=amount)


_PAYMENT_IDS = itertools.count(1)


def benefit(iin, month, amount, kind="old_age_pension", payment_id=None):
    payment_id = payment_id or f"PB{next(_PAYMENT_IDS):06d}"
    return dict(payment_id=payment_id, iin=iin, month=month, benefit_type=kind, amount_kzt=amount)


def month(m: int, y: int = 2026) -> dt.date:
    return d(y, m, 1)


ROWS: dict[str, list[dict]] = {
    "population": [
        person(A, d(1980, 3, 15), "M", "791110000", 1, dwelling="O1"),
        person(B, d(1985, 6, 1), "F", "791110000", 1, dwelling="O1"),
        person(C, d(2019, 4, 10), "M", "791110000", 1, dwelling="O1"),
        person(D, d(2022, 1, 20), "F", "791110000", 1, dwelling="O1"),
        person(E, d(1958, 2, 1), "M", "351010000", 2, dwelling="R1"),
        person(F, d(1962, 11, 30), "F", "351010000", 2, dwelling="R1"),
        person(G, d(1975, 5, 5), "M", "352030030", 5, dwelling="H1"),
        person(H, d(2004, 9, 15), "M", "352030030", 5, dwelling="H1"),
        person(I_, d(2009, 10, 1), "F", "352030030", 5, dwelling="H1"),
        person(J, d(1990, 1, 1), "F", "791310000", 1),
        person(K, d(1970, 7, 7), "M", "791510000", 1),
        person(L, d(1972, 2, 2), "F", "791510000", 1, death=d(2026, 3, 1)),
        person(M, d(1940, 4, 4), "M", "791510000", 1, death=d(2026, 5, 1)),
        person(N, d(1988, 8, 8), "M", "791510000", 1),
        person(BAD_IIN, d(1980, 3, 15), "M", "791110000", 1),  # INVALID_IIN
    ],
    "families": [
        dict(family_id=101, registration_date=d(2010, 1, 1), address_kato="791110000"),
        dict(family_id=102, registration_date=d(1990, 1, 1), address_kato="351010000"),
        dict(family_id=103, registration_date=d(2000, 1, 1), address_kato="352030030"),
        dict(family_id=104, registration_date=d(2015, 1, 1), address_kato="791310000"),
        dict(family_id=105, registration_date=d(1995, 1, 1), address_kato="791510000"),
        dict(family_id=106, registration_date=d(1965, 1, 1), address_kato="791510000"),
        dict(family_id=107, registration_date=d(2012, 1, 1), address_kato="799999999"),  # UNKNOWN_KATO
    ],
    "family_links": [
        link(101, A, "head"),
        link(101, B, "spouse"),
        link(101, C, "child"),
        link(101, D, "child"),
        link(102, E, "head"),
        link(102, F, "spouse"),
        link(103, G, "head"),
        link(103, H, "child"),
        link(103, I_, "child"),
        link(104, J, "head"),
        link(105, K, "head", d(2000, 1, 1)),
        link(105, L, "spouse"),
        link(101, K, "other", d(2026, 1, 1)),  # newer, but "other" loses to "head": CLAIMED_BY_ANOTHER_FAMILY
        link(106, M, "head"),  # deceased -> DECEASED, family 106 -> NO_MEMBERS
        link(107, N, "head"),  # family rejected in staging -> UNKNOWN_FAMILY
    ],
    "pension_contributions": [
        # A: 25,000 in each of the last 3 months -> wages 3 x 250,000 / 12 = 62,500; working
        contribution(A, month(7), 25_000.0),
        contribution(A, month(8), 25_000.0),
        contribution(A, month(9), 25_000.0),
        contribution(A, month(9, 2025), 99_000.0),  # before the window: ignored
        # H: May only -> 100,000 / 12 = 8,333.33; not in the last 3 months, so not working
        contribution(H, month(5), 10_000.0),
        # K: September twice (exact duplicate) -> counted once: 200,000 / 12 = 16,666.67; working
        contribution(K, month(9), 20_000.0),
        contribution(K, month(9), 20_000.0),
        contribution(K, month(8), -5_000.0),  # AMOUNT_OUT_OF_RANGE
    ],
    "entrepreneur_income": [
        # J: 2026H1 600,000 fully inside the window; 2025H2 368,000 over 184 days of which 92
        # (Oct-Dec) are inside -> 184,000. (600,000 + 184,000) / 12 = 65,333.33
        dict(iin=J, period_start=d(2026, 1, 1), period_end=d(2026, 6, 30), declared_income_kzt=600_000.0),
        dict(iin=J, period_start=d(2025, 7, 1), period_end=d(2025, 12, 31), declared_income_kzt=368_000.0),
        dict(iin=G, period_start=d(2026, 1, 1), period_end=d(2026, 6, 30), declared_income_kzt=0.0),
    ],
    "pensions_benefits": [
        # E: 12 x 120,000 -> 120,000; F: 6 x 80,000 + 2 x 30,000 -> 45,000; family 102: 165,000
        *[benefit(E, month(m, 2025 if m >= 10 else 2026), 120_000.0) for m in range(1, 13)],
        *[benefit(F, month(m), 80_000.0) for m in range(4, 10)],
        benefit(
            F, month(10), 80_000.0
        ),  # October 2026 is after the window and after as-of: DATE_OUT_OF_RANGE
        # Two payments alike but for their key (one per child): both kept, F +60,000 -> +5,000
        benefit(F, month(9), 30_000.0, kind="other", payment_id="PB-TWIN-1"),
        benefit(F, month(9), 30_000.0, kind="other", payment_id="PB-TWIN-2"),
        # ... an exact copy of one of them: DUPLICATE
        benefit(F, month(9), 30_000.0, kind="other", payment_id="PB-TWIN-2"),
        # Two different payments under one key: both CONFLICTING_RECORD, neither counted
        benefit(F, month(8), 10_000.0, kind="other", payment_id="PB-CLASH"),
        benefit(F, month(8), 20_000.0, kind="other", payment_id="PB-CLASH"),
    ],
    "real_estate": [
        dict(
            object_id="O1",
            iin=A,
            property_type="residential",
            area_m2=60.0,
            ownership_share=1.0,
            kato="791110000",
            registration_date=d(2015, 1, 1),
        ),
        dict(
            object_id="H1",
            iin=G,
            property_type="residential",
            area_m2=80.0,
            ownership_share=1.0,
            kato="352030030",
            registration_date=d(2001, 1, 1),
        ),
        # H2 co-owned by G and H: one dwelling
        dict(
            object_id="H2",
            iin=G,
            property_type="residential",
            area_m2=40.0,
            ownership_share=0.5,
            kato="352030030",
            registration_date=d(2018, 1, 1),
        ),
        dict(
            object_id="H2",
            iin=H,
            property_type="residential",
            area_m2=40.0,
            ownership_share=0.5,
            kato="352030030",
            registration_date=d(2018, 1, 1),
        ),
        dict(
            object_id="C1",
            iin=G,
            property_type="commercial",
            area_m2=120.0,
            ownership_share=1.0,
            kato="352030030",
            registration_date=d(2019, 1, 1),
        ),
    ],
    "vehicles": [
        dict(
            vehicle_id="V1",
            iin=A,
            vehicle_type="car",
            registration_date=d(2020, 1, 1),
            is_commercial=False,
            agri_machinery_type=None,
        ),
        dict(
            vehicle_id="V2",
            iin=G,
            vehicle_type="truck",
            registration_date=d(2021, 1, 1),
            is_commercial=True,
            agri_machinery_type=None,
        ),
        dict(
            vehicle_id="T1",
            iin=G,
            vehicle_type="agri_machinery",
            registration_date=d(2015, 1, 1),
            is_commercial=False,
            agri_machinery_type="tractor",
        ),
        dict(
            vehicle_id="T2",
            iin=G,
            vehicle_type="agri_machinery",
            registration_date=d(2016, 1, 1),
            is_commercial=False,
            agri_machinery_type="tractor",
        ),
        dict(
            vehicle_id="T3",
            iin=G,
            vehicle_type="agri_machinery",
            registration_date=d(2017, 1, 1),
            is_commercial=False,
            agri_machinery_type="combine",
        ),
        # J bought a car in May 2026, but J works: no informal signal
        dict(
            vehicle_id="V3",
            iin=J,
            vehicle_type="car",
            registration_date=d(2026, 5, 1),
            is_commercial=False,
            agri_machinery_type=None,
        ),
    ],
    "credit_bureau": [
        # B: 120 days and 50,000 KZT overdue -> arrears adult; a consumer loan -> non-mortgage
        dict(
            contract_id="L1",
            iin=B,
            loan_type="consumer",
            outstanding_kzt=100_000.0,
            arrears_days=120,
            arrears_kzt=50_000.0,
            open_date=d(2024, 1, 1),
        ),
    ],
    "disability": [
        dict(iin=D, disability_group="CHILD", assigned_date=d(2023, 1, 1), review_date=d(2027, 1, 1)),
        dict(iin=E, disability_group="II", assigned_date=d(2020, 1, 1), review_date=None),
        dict(
            iin=A, disability_group="III", assigned_date=d(2019, 1, 1), review_date=d(2021, 1, 1)
        ),  # expired
    ],
    "health": [
        dict(
            observation_id="HO1",
            iin=E,
            icd10_code="I10",
            observation_start=d(2019, 1, 1),
            observation_end=None,
        ),
        dict(
            observation_id="HO2",
            iin=B,
            icd10_code="J45",
            observation_start=d(2018, 1, 1),
            observation_end=d(2020, 1, 1),
        ),  # ended
    ],
    "education": [
        dict(
            iin=F,
            institution_type="university",
            study_form="full_time",
            status="graduated",
            start_date=d(1980, 9, 1),
            end_date=d(1984, 6, 30),
        ),
        dict(
            iin=H,
            institution_type="university",
            study_form="full_time",
            status="enrolled",
            start_date=d(2022, 9, 1),
            end_date=None,
        ),
        dict(
            iin=I_,
            institution_type="school",
            study_form="full_time",
            status="enrolled",
            start_date=d(2016, 9, 1),
            end_date=None,
        ),
    ],
    "business_registry": [
        dict(
            iin=G,
            bin="220140000001",
            business_role="sole_trader",
            registration_date=d(2022, 1, 1),
            deregistration_date=None,
            declared_income_12m_kzt=0.0,
        ),
        dict(
            iin=J,
            bin="200140000002",
            business_role="sole_trader",
            registration_date=d(2020, 1, 1),
            deregistration_date=None,
            declared_income_12m_kzt=1_200_000.0,
        ),
        dict(
            iin=J,
            bin="180140000003",
            business_role="company_founder",
            registration_date=d(2018, 1, 1),
            deregistration_date=d(2025, 1, 1),
            declared_income_12m_kzt=0.0,
        ),  # deregistered
    ],
    "border_crossings": [
        # B: two exits in the last 12 months -> informal signal (B is able-bodied and not working)
        dict(
            crossing_id="BC1",
            iin=B,
            crossing_date=d(2026, 2, 1),
            direction="exit",
            border_point="ALA-AIRPORT",
        ),
        dict(
            crossing_id="BC2",
            iin=B,
            crossing_date=d(2026, 2, 10),
            direction="entry",
            border_point="ALA-AIRPORT",
        ),
        dict(
            crossing_id="BC3", iin=B, crossing_date=d(2026, 6, 1), direction="exit", border_point="KPP-KORDAI"
        ),
        dict(
            crossing_id="BC4", iin=B, crossing_date=d(2027, 1, 1), direction="exit", border_point="KPP-KORDAI"
        ),  # DATE_OUT_OF_RANGE
    ],
    "livestock": [
        # 3 cattle x 400,000 + 20 sheep x 50,000 = 2,200,000 (seed livestock_unit_prices)
        dict(iin=G, species="cattle", head_count=3),
        dict(iin=G, species="sheep", head_count=20),
    ],
    "land_plots": [
        dict(plot_id="P1", iin=G, area_ha=5.0, land_use="agricultural", kato="352030030"),
    ],
    "rent_contracts": [
        dict(
            contract_id="RC1",
            iin=E,
            landlord_type="private",
            dwelling_id="R1",
            area_m2=45.0,
            monthly_rent_kzt=90_000.0,
            start_date=d(2024, 1, 1),
            end_date=None,
        ),
        dict(
            contract_id="RC0",
            iin=E,
            landlord_type="state",
            dwelling_id="R0",
            area_m2=30.0,
            monthly_rent_kzt=20_000.0,
            start_date=d(2015, 1, 1),
            end_date=d(2023, 12, 31),
        ),  # ended
    ],
    "housing_costs": [
        # O1: last billed month before the reference date is September: 12,000 + 3,000 = 15,000
        dict(
            dwelling_id="O1",
            payer_iin=A,
            billing_month=month(8),
            utilities_kzt=10_000.0,
            maintenance_kzt=2_000.0,
        ),
        dict(
            dwelling_id="O1",
            payer_iin=A,
            billing_month=month(9),
            utilities_kzt=12_000.0,
            maintenance_kzt=3_000.0,
        ),
    ],
    "housing_waiting_list": [
        dict(
            iin=E,
            queue_number=17,
            category="disability_g12",
            registration_date=d(2021, 1, 1),
            kato="351010000",
        ),
    ],
}

ZERO = dict(
    n_children=0,
    n_children_1_6=0,
    n_able_bodied=0,
    n_working=0,
    n_disabled_adults_g12=0,
    n_disabled_adults_g3=0,
    n_disabled_children=0,
    n_chronic=0,
    n_school_age_not_enrolled=0,
    has_adult_tertiary_or_vocational=False,
    income_wages=0.0,
    income_entrepreneur=0.0,
    income_pensions_benefits=0.0,
    has_loans=False,
    has_non_mortgage_loan=False,
    n_adults_arrears_90=0,
    n_dwellings=0,
    living_area_m2=0.0,
    n_commercial_property=0,
    rents_private=False,
    monthly_rent=0.0,
    rents_state_housing=False,
    housing_costs=0.0,
    n_cars=0,
    n_commercial_vehicles=0,
    n_agri_machinery_types=0,
    livestock_value=0.0,
    has_land_plot=False,
    has_sole_trader=False,
    has_company_founder=False,
    n_informal_signal_adults=0,
)

EXPECTED: dict[int, dict] = {
    101: {
        **ZERO,
        "region_kato": "79",
        "kato": "791110000",
        "settlement_type": 1,
        "n_members": 4,
        "n_adults": 2,
        "n_children": 2,
        "n_children_1_6": 1,
        "n_able_bodied": 2,
        "n_working": 1,
        "n_disabled_children": 1,
        "n_school_age_not_enrolled": 1,
        "income_wages": 62_500.0,
        "has_loans": True,
        "has_non_mortgage_loan": True,
        "n_adults_arrears_90": 1,
        "n_dwellings": 1,
        "living_area_m2": 60.0,
        "housing_costs": 15_000.0,
        "n_cars": 1,
        "n_informal_signal_adults": 1,
    },
    102: {
        **ZERO,
        "region_kato": "35",
        "kato": "351010000",
        "settlement_type": 2,
        "n_members": 2,
        "n_adults": 2,
        "n_disabled_adults_g12": 1,
        "n_chronic": 1,
        "has_adult_tertiary_or_vocational": True,
        "income_pensions_benefits": 165_000.0,
        "living_area_m2": 45.0,
        "rents_private": True,
        "monthly_rent": 90_000.0,
    },
    103: {
        **ZERO,
        "region_kato": "35",
        "kato": "352030030",
        "settlement_type": 5,
        "n_members": 3,
        "n_adults": 2,
        "n_children": 1,
        "n_able_bodied": 1,
        "income_wages": 100_000.0 / 12,
        "n_dwellings": 2,
        "living_area_m2": 80.0,
        "n_commercial_property": 1,
        "n_commercial_vehicles": 1,
        "n_agri_machinery_types": 2,
        "livestock_value": 2_200_000.0,
        "has_land_plot": True,
        "has_sole_trader": True,
        "n_informal_signal_adults": 1,
    },
    104: {
        **ZERO,
        "region_kato": "79",
        "kato": "791310000",
        "settlement_type": 1,
        "n_members": 1,
        "n_adults": 1,
        "n_able_bodied": 1,
        "n_working": 1,
        "income_entrepreneur": 784_000.0 / 12,
        "n_cars": 1,
        "has_sole_trader": True,
    },
    105: {
        **ZERO,
        "region_kato": "79",
        "kato": "791510000",
        "settlement_type": 1,
        "n_members": 1,
        "n_adults": 1,
        "n_able_bodied": 1,
        "n_working": 1,
        "income_wages": 200_000.0 / 12,
    },
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """Build the hand-made month with dbt once for the module; return the warehouse file."""
    root = tmp_path_factory.mktemp("dbt_family_features")
    write_landing_month(root / "landing", PERIOD, ROWS, AS_OF)
    warehouse_path = root / "warehouse" / "warehouse.duckdb"
    warehouse_path.parent.mkdir(parents=True)
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse_path),
        "LANDING_ROOT": str(root / "landing"),
        "DBT_REPO_ROOT": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # nodes in parallel: a fresh warehouse, so the incremental + threads issue (dbt-duckdb#513) does not apply
        "DBT_THREADS": "4",
    }
    command = [
        str(DBT),
        "build",
        "--project-dir",
        str(REPO_ROOT / "dbt_project"),
        "--profiles-dir",
        str(REPO_ROOT / "dbt_project"),
        "--target-path",
        str(root / "target"),
        "--log-path",
        str(root / "logs"),
        "--vars",
        f'{{"period": "{PERIOD}"}}',
        # the eligibility models read scores that this test does not produce, the payment models
        # the outcomes that the payment side receives
        "--exclude",
        "path:models/eligibility",
        "path:models/payments",
    ]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        # dbt's own summary lines name nodes and counts, never row values
        summary = [line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        pytest.fail("dbt build failed:\n" + "\n".join(summary[-30:]))
    return warehouse_path


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def features(warehouse: Path) -> dict[int, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        cursor = connection.execute("select * from family_features where period = ?", [PERIOD])
        names = [c[0] for c in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_the_mart_has_exactly_the_valid_families(warehouse):
    assert sorted(features(warehouse)) == [101, 102, 103, 104, 105]


@pytest.mark.parametrize("family_id", sorted(EXPECTED))
def test_family_features_match_the_hand_worked_values(warehouse, family_id):
    row = features(warehouse)[family_id]
    expected = EXPECTED[family_id]
    mismatches = {
        name: (row[name], value)
        for name, value in expected.items()
        if (row[name] != pytest.approx(value, abs=0.01) if isinstance(value, float) else row[name] != value)
    }
    assert mismatches == {}, f"family {family_id}: (got, expected) per feature"


def test_the_mart_has_the_contract_columns_and_the_as_of_dates(warehouse):
    row = features(warehouse)[101]
    assert row["period"] == PERIOD
    assert row["as_of_population"] == AS_OF and row["as_of_housing_costs"] == AS_OF
    feature_columns = set(ZERO) | {"n_members", "n_adults"}
    keys = {"family_id", "period", "region_kato", "kato", "settlement_type"}
    as_of = {name for name in row if name.startswith("as_of_")}
    assert set(row) == feature_columns | keys | as_of
    assert len(as_of) == 18


def test_every_landing_row_is_kept_or_rejected(warehouse):
    rows = query(
        warehouse,
        "select registry, rows_in_landing, rows_in, rows_kept, rows_rejected "
        f"from landing_reconciliation where period = '{PERIOD}'",
    )
    assert len(rows) == len(ROWS)
    for registry, landing, rows_in, kept, rejected in rows:
        assert landing == rows_in == kept + rejected == len(ROWS[registry]), registry


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("staging.stg_population__rejected", [("INVALID_IIN", 1)]),
        ("staging.stg_families__rejected", [("UNKNOWN_KATO", 1)]),
        ("staging.stg_pension_contributions__rejected", [("AMOUNT_OUT_OF_RANGE", 1), ("DUPLICATE", 1)]),
        (
            "staging.stg_pensions_benefits__rejected",
            [("CONFLICTING_RECORD", 2), ("DATE_OUT_OF_RANGE", 1), ("DUPLICATE", 1)],
        ),
        ("staging.stg_border_crossings__rejected", [("DATE_OUT_OF_RANGE", 1)]),
        (
            "intermediate.int_family_links__rejected",
            [("CLAIMED_BY_ANOTHER_FAMILY", 1), ("DECEASED", 2), ("UNKNOWN_FAMILY", 1)],
        ),
        ("intermediate.int_families__rejected", [("NO_MEMBERS", 1)]),
    ],
)
def test_defects_land_in_rejected_models_with_a_reason(warehouse, model, expected):
    assert query(warehouse, f"select reason_code, count(*) from {model} group by 1 order by 1") == expected


def test_the_person_in_two_families_stays_where_they_are_head(warehouse):
    rows = query(warehouse, f"select family_id, is_head from family_members where iin = '{K}'")
    assert rows == [(105, True)]
    assert query(warehouse, "select family_id from intermediate.int_families__rejected") == [(106,)]


def test_family_members_carry_what_the_eligibility_rules_need(warehouse):
    rows = query(
        warehouse,
        "select family_id, count(*), count(*) filter (where is_head), bool_or(rents_private), "
        "max(rent_monthly_private), bool_or(is_on_housing_waiting_list), max(housing_waiting_list_category), "
        f"count(*) filter (where is_full_time_student) from family_members where period = '{PERIOD}' "
        "group by 1 order by 1",
    )
    assert rows == [
        (101, 4, 1, False, 0.0, False, None, 0),
        (102, 2, 1, True, 90_000.0, True, "disability_g12", 0),
        (103, 3, 1, False, 0.0, False, None, 1),
        (104, 1, 1, False, 0.0, False, None, 0),
        (105, 1, 1, False, 0.0, False, None, 0),
    ]
    # I_ turns 17 on the reference date: still a child, enrolled in school
    assert query(
        warehouse,
        f"select age, is_child, is_enrolled, institution_type from family_members where iin = '{I_}'",
    ) == [(17, True, True, "school")]
