"""The one Definitions entry point of the code location (`workspace.yaml`, `make ui`).

Domains: landing (registry extracts), warehouse (dbt), scoring (Numba), quality (GX gates and
drift), publication (snapshots for payment systems), payments (outcomes back, reconciled). Loading is offline and cheap: GX and Numba
are imported only when a step runs, and the dbt manifest is prepared once if missing.
"""

from __future__ import annotations

import dagster as dg

from orchestration.analytics.assets import family_level_changes, targeting_audit
from orchestration.analytics.whatif_assets import methodology_whatif
from orchestration.corrections.assets import corrections_report
from orchestration.corrections.jobs import rescore_families_job
from orchestration.jobs import monthly_analytics_job, monthly_scoring_job, regional_publication_job
from orchestration.landing.assets import landing_extracts
from orchestration.payments.assets import (
    payment_dbt_models,
    payment_outcomes_received,
    payment_reconciliation_job,
    payment_reconciliation_report,
)
from orchestration.publication.assets import published_eligibility_lists
from orchestration.quality.checks import (
    eligibility_gx_check,
    features_gx_check,
    level_share_drift,
    list_drift,
    month_continuity,
    scores_gx_check,
)
from orchestration.resources import EXECUTOR, default_resources
from orchestration.schedules import monthly_rescoring_schedule
from orchestration.scoring.assets import family_scores
from orchestration.sensors import chain_month_runs, landing_drop_sensor, payment_outcomes_sensor
from orchestration.settings import PlatformPaths
from orchestration.warehouse.assets import eligibility_dbt_models, warehouse_dbt_models
from orchestration.warehouse.resources import dbt_resource


def build_definitions(paths: PlatformPaths | None = None) -> dg.Definitions:
    """The platform's definitions, with resources pointing at `paths` (default: the environment)."""
    paths = paths or PlatformPaths.from_env()
    paths.export()  # dbt runs as a child process and reads the same paths from the environment
    return dg.Definitions(
        assets=[
            landing_extracts,
            warehouse_dbt_models,
            family_scores,
            eligibility_dbt_models,
            published_eligibility_lists,
            family_level_changes,
            targeting_audit,
            methodology_whatif,
            corrections_report,
            payment_outcomes_received,
            payment_dbt_models,
            payment_reconciliation_report,
        ],
        asset_checks=[
            features_gx_check,
            scores_gx_check,
            level_share_drift,
            month_continuity,
            eligibility_gx_check,
            list_drift,
        ],
        jobs=[
            monthly_scoring_job,
            regional_publication_job,
            monthly_analytics_job,
            rescore_families_job,
            payment_reconciliation_job,
        ],
        schedules=[monthly_rescoring_schedule],
        sensors=[
            landing_drop_sensor,
            chain_month_runs,
            payment_outcomes_sensor,
        ],
        resources={**default_resources(paths), "dbt": dbt_resource()},
        # also the executor of "Materialize selected" in the UI (the implicit asset job)
        executor=EXECUTOR,
    )


defs = build_definitions()
