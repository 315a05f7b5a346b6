"""The platform's domain facts that every entry point shares: the period and the pilot regions.

One strict parser for each, used by the command lines, the Dagster partitions and config, the
publisher and the readers. Strict means the whole text: `"2026-03\n"` or `" 79"` are refused, not
trimmed, because a value that needs trimming came from somewhere that must be fixed.
"""

from __future__ import annotations

import re

#: The regional pilots (domain.md): KATO prefix -> name.
PILOT_REGIONS: dict[str, str] = {"79": "Shymkent city", "35": "Karaganda region"}

_PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def parse_period(text: object) -> str:
    """`text` if it is exactly a `YYYY-MM` month, else ValueError (the value is not quoted)."""
    if not isinstance(text, str) or not _PERIOD.fullmatch(text):
        raise ValueError("a period is exactly 'YYYY-MM' (month 01-12)")
    return text


def parse_region(text: object) -> str:
    """`text` if it is exactly the KATO prefix of a pilot region, else ValueError."""
    if not isinstance(text, str) or text not in PILOT_REGIONS:
        raise ValueError(
            f"a region is exactly one of the pilot KATO prefixes {', '.join(sorted(PILOT_REGIONS))}"
        )
    return text


def parse_regions(text: str) -> list[str]:
    """A comma-separated list of pilot regions (`79,35`), each parsed strictly."""
    return [parse_region(part) for part in text.split(",")]


def previous_period(period: str) -> str:
    """The month before `period` (`2026-01` -> `2025-12`)."""
    year, month = (int(part) for part in parse_period(period).split("-"))
    year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return f"{year:04d}-{month:02d}"
