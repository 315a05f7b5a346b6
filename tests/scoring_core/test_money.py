from pathlib import Path

import pytest

from scoring_core.money import money_for_period, subsistence_minimum
from tests.scoring_core.conftest import PM_2026


def test_pm_and_mrp_come_from_the_seed():
    money = money_for_period("2026-03")
    assert (money.subsistence_minimum_kzt, money.mrp_kzt) == (PM_2026, 4325.0)
    assert subsistence_minimum("2025-12") == 46228.0


def test_override_path_and_missing_year(tmp_path: Path, monkeypatch):
    csv = tmp_path / "money.csv"
    csv.write_text("year,subsistence_minimum_kzt,mrp_kzt,source\n2027,55000,4700,test\n")
    assert subsistence_minimum("2027-01", csv) == 55000.0
    monkeypatch.setenv("KZ_MONEY_CSV", str(csv))
    assert subsistence_minimum("2027-06") == 55000.0
    with pytest.raises(LookupError, match="no row for year 2026"):
        subsistence_minimum("2026-01", csv)
    with pytest.raises(ValueError, match="YYYY-MM"):
        subsistence_minimum("2026-13", csv)
