"""Tiny generated months shared by the registry simulator tests (each takes well under a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry_simulator import DefectRates, generate_month

MONTH = "2026-10"
NO_DEFECTS = DefectRates().scaled(0)


def run(
    root: Path,
    *,
    scale: float = 0.0005,
    regions: str = "79",
    seed: int = 7,
    defects: DefectRates = NO_DEFECTS,
    **kwargs,
):
    """Generate MONTH under ``root/landing`` and ``root/truth``."""
    return generate_month(
        MONTH,
        scale=scale,
        regions=regions,
        seed=seed,
        out=root / "landing",
        truth_out=root / "truth",
        defects=defects,
        **kwargs,
    )


@pytest.fixture(scope="session")
def clean_month(tmp_path_factory):
    """Shymkent at scale 0.0005 (~650 people), every defect off."""
    return run(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="session")
def row_defect_month(tmp_path_factory):
    """Row-level defects at 2% each (duplicates off so every other count can be checked exactly)."""
    rates = NO_DEFECTS.with_overrides(
        {
            "invalid_iin": 0.02,
            "negative_amount": 0.02,
            "absurd_amount": 0.02,
            "future_date": 0.02,
            "missing_value": 0.02,
            "unknown_kato": 0.02,
        }
    )
    return run(tmp_path_factory.mktemp("rows"), scale=0.002, defects=rates)


@pytest.fixture(scope="session")
def duplicate_month(tmp_path_factory):
    return run(
        tmp_path_factory.mktemp("dups"),
        scale=0.002,
        defects=NO_DEFECTS.with_overrides({"duplicate_row": 0.03}),
    )


@pytest.fixture(scope="session")
def family_defect_month(tmp_path_factory):
    rates = NO_DEFECTS.with_overrides(
        {"person_in_two_families": 0.03, "deceased_in_family": 0.03, "family_without_members": 0.03}
    )
    return run(tmp_path_factory.mktemp("families"), scale=0.002, defects=rates)
