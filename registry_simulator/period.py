"""The period being generated: reference date, income window, extract dates, money of the year."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from kz_domain.period import previous_period, reference_date

EPOCH = dt.date(1970, 1, 1)
MONEY_SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "money_by_year.csv"


def to_days(day: dt.date) -> int:
    """Days since 1970-01-01 (the Arrow date32 value)."""
    return (day - EPOCH).days


def month_start(year: int, month: int) -> dt.date:
    """First day of a month, with months outside 1..12 rolled into neighbouring years."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


@dataclass(frozen=True)
class Period:
    """Period month M: reference date = first day of M; income window = the 12 months before it."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM`` (kz_domain.period)."""
        day = reference_date(text)
        return cls(day.year, day.month)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def reference_date(self) -> dt.date:
        return month_start(self.year, self.month)

    @property
    def window_months(self) -> list[dt.date]:
        """First days of the 12 calendar months before the reference date, oldest first."""
        return [month_start(self.year, self.month - k) for k in range(12, 0, -1)]

    @property
    def extract_as_of(self) -> dt.date:
        """Last day of month M-1: every registry's data is valid up to the eve of the reference date."""
        return self.reference_date - dt.timedelta(days=1)

    @property
    def previous(self) -> Period:
        return Period.parse(previous_period(self.label))

    @property
    def ref_days(self) -> int:
        return to_days(self.reference_date)

    def window_days(self) -> np.ndarray:
        """date32 values of the window months (int32, oldest first)."""
        return np.array([to_days(m) for m in self.window_months], dtype=np.int32)


@cache
def money_by_year() -> dict[int, tuple[float, float]]:
    """{year: (subsistence minimum, MRP)} from the dbt seed shared with the pipeline."""
    with MONEY_SEED.open(newline="") as handle:
        return {
            int(row["year"]): (float(row["subsistence_minimum_kzt"]), float(row["mrp_kzt"]))
            for row in csv.DictReader(handle)
        }


def subsistence_minimum(year: int) -> float:
    """Subsistence minimum (ПМ) of a year; the nearest listed year when the year is not in the seed."""
    table = money_by_year()
    nearest = min(table, key=lambda y: abs(y - year))
    return table[nearest][0]


def mrp(year: int) -> float:
    """Monthly calculation index (МРП) of a year; nearest listed year when missing."""
    table = money_by_year()
    nearest = min(table, key=lambda y: abs(y - year))
    return table[nearest][1]
