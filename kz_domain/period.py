"""The period: a calendar month `YYYY-MM`, the key of the dbt var, the partitions and the folders.

Strict: the whole text must be a month. `"2026-03\n"` or `"2026-3"` are refused, not trimmed,
because a value that needs trimming came from somewhere that must be fixed.
"""

from __future__ import annotations

import datetime as dt
import re

_PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def parse_period(text: object) -> str:
    """`text` if it is exactly a `YYYY-MM` month, else ValueError (the value is not quoted)."""
    if not isinstance(text, str) or not _PERIOD.fullmatch(text):
        raise ValueError("a period is exactly 'YYYY-MM' (month 01-12)")
    return text


def reference_date(period: str) -> dt.date:
    """The period's reference date: the first day of its month."""
    year, month = (int(part) for part in parse_period(period).split("-"))
    return dt.date(year, month, 1)


def extract_as_of(period: str) -> dt.date:
    """The as-of date of every extract of the period: the eve of its reference date."""
    return reference_date(period) - dt.timedelta(days=1)


def previous_period(period: str) -> str:
    """The month before `period` (`2026-01` -> `2025-12`)."""
    return extract_as_of(period).strftime("%Y-%m")


def months_back(period: str, months: int) -> str:
    """The period `months` months before `period` (0 = itself)."""
    for _ in range(months):
        period = previous_period(period)
    return period
