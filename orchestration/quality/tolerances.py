"""The drift gates' tolerances, read from versioned config (`expectations/drift_tolerances.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

TOLERANCES_PATH = Path(__file__).resolve().parents[2] / "expectations" / "drift_tolerances.yaml"


@dataclass(frozen=True)
class ListTolerance:
    """How far one service's list may move against a baseline before approval is needed."""

    max_rows_change: float
    min_rows_change: int
    max_amount_change: float
    min_amount_change_kzt: float


@dataclass(frozen=True)
class ContinuityTolerance:
    """How far a region's month may differ from the previous one (orchestration.quality.continuity)."""

    max_share_change: dict[str, float]
    max_mean_income_change: float
    min_persons_carried_over: float
    min_families_carried_over: float
    max_families_changing_level: float


@dataclass(frozen=True)
class Tolerances:
    version: str
    max_share_change: float
    list_default: ListTolerance
    list_services: dict[str, ListTolerance]
    continuity: ContinuityTolerance

    def for_service(self, service: str) -> ListTolerance:
        return self.list_services.get(service, self.list_default)


@cache
def tolerances(path: Path = TOLERANCES_PATH) -> Tolerances:
    """The tolerances in force (one file, versioned in git)."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    lists = config["eligibility_list"]
    default = ListTolerance(**lists["default"])
    services = {
        service: ListTolerance(**{**lists["default"], **override})
        for service, override in (lists.get("services") or {}).items()
    }
    continuity = config["continuity"]
    return Tolerances(
        version=str(config["version"]),
        max_share_change=float(config["level_share"]["max_share_change"]),
        list_default=default,
        list_services=services,
        continuity=ContinuityTolerance(
            max_share_change={k: float(v) for k, v in continuity["max_share_change"].items()},
            max_mean_income_change=float(continuity["max_mean_income_change"]),
            min_persons_carried_over=float(continuity["min_persons_carried_over"]),
            min_families_carried_over=float(continuity["min_families_carried_over"]),
            max_families_changing_level=float(continuity["max_families_changing_level"]),
        ),
    )
