"""The gates each dataset must have passed, on its current fingerprint, before it is used.

Read off the definitions themselves, so a check added to a dbt model or a GX suite becomes
required without a list to keep in step: every blocking check of the assets that make up a
dataset, plus the gates that steps record without a Dagster check (`STEP_GATES`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import dagster as dg

from orchestration.landing.assets import LANDING_VERIFIED_CHECK
from orchestration.landing.verify import FEED_GATES
from orchestration.quality import evidence
from orchestration.quality.checks import (
    eligibility_gx_check,
    features_gx_check,
    level_share_drift,
    list_drift,
    month_continuity,
    scores_gx_check,
)
from orchestration.quality.evidence import Gate
from orchestration.warehouse.assets import (
    LANDING_UNCHANGED_CHECK,
    eligibility_dbt_models,
    warehouse_dbt_models,
)

#: Gates a step records itself (name shown as `<asset>:<check>` in refusals and the gate log).
LANDING_VERIFIED = Gate("landing", LANDING_VERIFIED_CHECK)
LANDING_UNCHANGED_DURING_BUILD = Gate("landing", LANDING_UNCHANGED_CHECK)
STEP_GATES = {
    evidence.LANDING: [LANDING_VERIFIED, *(Gate("landing", name) for name in FEED_GATES)],
    evidence.MARTS: [LANDING_UNCHANGED_DURING_BUILD],
}


def blocking_gates(definitions: Iterable[dg.AssetsDefinition | dg.AssetChecksDefinition]) -> list[Gate]:
    """Every blocking check of the given definitions."""
    return [
        Gate(spec.asset_key.to_user_string(), spec.name)
        for definition in definitions
        for spec in definition.check_specs
        if spec.blocking
    ]


@cache
def required_gates() -> dict[str, tuple[Gate, ...]]:
    """Dataset -> the gates that must have passed on its current fingerprint."""
    by_dataset = {
        evidence.MARTS: blocking_gates([warehouse_dbt_models, features_gx_check]),
        evidence.SCORES: blocking_gates([scores_gx_check, level_share_drift, month_continuity]),
        evidence.ELIGIBILITY_LIST: blocking_gates([eligibility_dbt_models, eligibility_gx_check, list_drift]),
    }
    for dataset, gates in STEP_GATES.items():
        by_dataset[dataset] = [*by_dataset.get(dataset, []), *gates]
    return {dataset: tuple(gates) for dataset, gates in by_dataset.items()}
