"""The two jobs of a month: national scoring, then one run per pilot region for its lists."""

from __future__ import annotations

import dagster as dg

from orchestration.analytics.assets import family_level_changes, targeting_audit
from orchestration.analytics.whatif_assets import methodology_whatif
from orchestration.corrections.assets import corrections_report
from orchestration.landing.assets import landing_extracts
from orchestration.partitions import month_region_partitions, monthly_partitions
from orchestration.publication.assets import published_eligibility_lists
from orchestration.resources import EXECUTOR
from orchestration.scoring.assets import family_scores
from orchestration.warehouse.assets import eligibility_dbt_models, warehouse_dbt_models

#: Landing verification, dbt staging/intermediate/marts, scoring and their checks (national).
monthly_scoring_job = dg.define_asset_job(
    name="monthly_scoring_job",
    executor_def=EXECUTOR,
    selection=dg.AssetSelection.assets(landing_extracts, warehouse_dbt_models, family_scores),
    partitions_def=monthly_partitions,
    description="Verify the month's landing drop, build the features mart and score every family.",
)

#: A region's eligibility lists, their gates and their publication.
regional_publication_job = dg.define_asset_job(
    name="regional_publication_job",
    executor_def=EXECUTOR,
    selection=dg.AssetSelection.assets(eligibility_dbt_models, published_eligibility_lists),
    partitions_def=month_region_partitions,
    description="Build one pilot region's eligibility lists, gate them and publish them.",
)

#: Analytics of the month (not for payment): change explanations, targeting audit, what-if grid.
monthly_analytics_job = dg.define_asset_job(
    name="monthly_analytics_job",
    executor_def=EXECUTOR,
    selection=dg.AssetSelection.assets(
        family_level_changes, targeting_audit, methodology_whatif, corrections_report
    ),
    partitions_def=monthly_partitions,
    description="Explain every family's level change since last month, audit targeting against the latent truth, "
    "and report corrections and appeals per region.",
)
