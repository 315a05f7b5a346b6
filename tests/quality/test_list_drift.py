"""The list drift arithmetic on hand-worked totals."""

from __future__ import annotations

from orchestration.quality.list_drift import list_drift
from orchestration.quality.tolerances import ListTolerance, Tolerances, tolerances

TOLERANCES = Tolerances(
    version="test",
    max_share_change=0.05,
    list_default=ListTolerance(
        max_rows_change=0.25, min_rows_change=50, max_amount_change=0.25, min_amount_change_kzt=1e6
    ),
    list_services={
        "asp": ListTolerance(
            max_rows_change=0.10, min_rows_change=5, max_amount_change=0.10, min_amount_change_kzt=1e5
        )
    },
    continuity=tolerances().continuity,
)


def beyond(current, baseline) -> dict[str, bool]:
    table = list_drift(current, {"previous month": baseline}, TOLERANCES)
    return dict(zip(table["service"], table["beyond_tolerance"], strict=True))


def test_a_fall_to_zero_is_beyond_tolerance_however_small_the_list():
    assert beyond({"home_schooling": (0, 0.0)}, {"home_schooling": (1, 17_300.0)}) == {"home_schooling": True}


def test_a_large_relative_move_of_a_small_list_stays_within_the_absolute_floor():
    # 100 -> 140 rows is +40 %, but 40 rows < the floor of 50; the amount moved 400k < 1 M.
    assert beyond({"pupil_student_aid": (140, 1_400_000.0)}, {"pupil_student_aid": (100, 1_000_000.0)}) == {
        "pupil_student_aid": False
    }


def test_a_move_beyond_both_the_relative_limit_and_the_floor_is_blocked():
    # 200 -> 260 rows: +30 % > 25 % and 60 rows >= 50.
    assert beyond({"housing_assistance": (260, 2.0e6)}, {"housing_assistance": (200, 2.0e6)}) == {
        "housing_assistance": True
    }


def test_the_amount_alone_can_be_beyond_tolerance():
    # Same rows, amount 4 M -> 6 M: +50 % and 2 M >= 1 M.
    assert beyond({"housing_assistance": (200, 6.0e6)}, {"housing_assistance": (200, 4.0e6)}) == {
        "housing_assistance": True
    }


def test_a_service_override_applies_to_its_service_only():
    # asp: 50 -> 56 rows is +12 % > 10 % and 6 >= 5; the same move of another service is within.
    result = beyond(
        {"asp": (56, 5.0e6), "rent_subsidy": (56, 5.0e6)}, {"asp": (50, 5.0e6), "rent_subsidy": (50, 5.0e6)}
    )
    assert result == {"asp": True, "rent_subsidy": False}


def test_a_service_new_this_month_has_no_baseline_to_drift_from():
    assert beyond({"asp": (10, 1.0)}, {}) == {}


def test_the_versioned_tolerances_load_with_a_version():
    loaded = tolerances()
    assert loaded.version.startswith("drift-")
    assert 0 < loaded.max_share_change < 1
    assert loaded.for_service("asp").max_rows_change > 0
