"""Each registry's expected cadence, freshness and volume, read from versioned config
(`expectations/landing_feeds.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from kz_domain.landing_contract import REGISTRIES

FEEDS_PATH = Path(__file__).resolve().parents[2] / "expectations" / "landing_feeds.yaml"
CADENCES = ("monthly",)


@dataclass(frozen=True)
class FeedExpectation:
    """What one registry's monthly delivery must look like."""

    cadence: str
    max_as_of_lag_days: int
    max_rows_change: float
    min_rows_change: int
    volume_baseline_months_back: int = 1


@dataclass(frozen=True)
class Feeds:
    version: str
    registries: dict[str, FeedExpectation]

    def __getitem__(self, registry: str) -> FeedExpectation:
        return self.registries[registry]


@cache
def feeds(path: Path = FEEDS_PATH) -> Feeds:
    """The feed expectations in force, one per registry of the landing contract."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    overrides = config.get("registries") or {}
    unknown = sorted(set(overrides) - set(REGISTRIES))
    if unknown:
        raise ValueError(f"{path.name}: registries not in the landing contract: {unknown}")
    registries = {}
    for registry in REGISTRIES:
        expectation = FeedExpectation(**{**config["default"], **overrides.get(registry, {})})
        if expectation.cadence not in CADENCES:
            raise ValueError(f"{path.name}: {registry}: cadence must be one of {CADENCES}")
        registries[registry] = expectation
    return Feeds(version=str(config["version"]), registries=registries)
