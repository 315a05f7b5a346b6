"""Legislated money for a period: the subsistence minimum (PM) and the monthly calculation index (MRP).

PM is not a methodology number: its single home is `dbt_project/seeds/money_by_year.csv`
(year, subsistence_minimum_kzt, mrp_kzt, source). This module only reads it.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from scoring_core.config import parse_period

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MONEY_CSV = REPO_ROOT / "dbt_project" / "seeds" / "money_by_year.csv"
# Lets a deployment (or a test) point at another copy of the seed without code changes.
MONEY_CSV_ENV = "KZ_MONEY_CSV"


@dataclass(frozen=True)
class Money:
    """The money in force for a period."""

    year: int
    subsistence_minimum_kzt: float  # PM
    mrp_kzt: float  # MRP
    source: str


def money_csv_path(path: str | Path | None = None) -> Path:
    """The CSV to read: the argument, else $KZ_MONEY_CSV, else the dbt seed in this repository."""
    return Path(path or os.environ.get(MONEY_CSV_ENV) or DEFAULT_MONEY_CSV)


def money_for_period(period: str, path: str | Path | None = None) -> Money:
    """PM and MRP in force for 'YYYY-MM' (the amounts are set per calendar year)."""
    year = parse_period(period).year
    csv_path = money_csv_path(path)
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if int(row["year"]) == year:
                return Money(
                    year, float(row["subsistence_minimum_kzt"]), float(row["mrp_kzt"]), row["source"]
                )
    raise LookupError(f"{csv_path}: no row for year {year} (needed for period {period})")


def subsistence_minimum(period: str, path: str | Path | None = None) -> float:
    """PM (KZT a month) in force for 'YYYY-MM'."""
    return money_for_period(period, path).subsistence_minimum_kzt
