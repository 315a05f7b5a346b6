"""Dagster assets of the analytics domain: level changes (7.2) and the targeting audit (7.4).

Both are monthly, read the warehouse in the `duckdb_warehouse` pool and carry no IIN: changes are
keyed by family_id, the audit reports counts and shares only.
"""

import dagster as dg

from orchestration.asset_keys import (
    ELIGIBILITY_LIST_KEY,
    FAMILY_LEVEL_CHANGES_KEY,
    FAMILY_SCORES_KEY,
    TARGETING_AUDIT_KEY,
)
from orchestration.metadata import inline_image
from orchestration.partitions import monthly_partitions
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.settings import PlatformPaths

# The lists are built per month and region; the audit of a month reads every region's list.
_EVERY_REGION_OF_THE_MONTH = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="month")


@dg.asset(
    key=FAMILY_LEVEL_CHANGES_KEY,
    deps=[FAMILY_SCORES_KEY],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="analytics",
    kinds={"duckdb", "pandas"},
    description=(
        "Every family scored in the month and the month before: level change, indicator deltas, cause "
        "(data / stale source / methodology / parameters), registries behind it, and a kk/ru/en sentence. "
        "Analytics only, not for payment."
    ),
)
def family_level_changes(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from kz_domain.period import previous_period
    from orchestration.analytics.change_store import build_changes
    from orchestration.analytics.changes import transition_matrix
    from scoring_core import methodology_for_period

    period = context.partition_key
    previous = previous_period(period)
    with warehouse.connect() as connection:
        built = build_changes(connection, period, methodology_for_period(period))
    if built is None:
        context.log.info("no scores for %s: nothing to compare %s with", previous, period)
        return dg.MaterializeResult(
            metadata={
                "skipped": True,
                "reason": f"family_scores has no rows for the previous month {previous}",
            }
        )
    changes, not_compared = built
    metadata: dict = {
        "dagster/row_count": len(changes),
        "previous_period": previous,
        **not_compared,
    }
    if len(changes):
        causes = changes.cause.value_counts()
        metadata["families_by_cause"] = dg.MetadataValue.md(
            causes.rename("families").to_frame().to_markdown()
        )
        metadata["level_changed_share"] = round(float((changes.level_change != 0).mean()), 4)
        for region in sorted(changes.region.unique()):
            metadata[f"transitions_region_{region}"] = dg.MetadataValue.md(
                transition_matrix(changes, region).to_markdown()
            )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=TARGETING_AUDIT_KEY,
    deps=[FAMILY_SCORES_KEY, dg.AssetDep(ELIGIBILITY_LIST_KEY, partition_mapping=_EVERY_REGION_OF_THE_MONTH)],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="analytics",
    kinds={"duckdb", "pandas"},
    description=(
        "Inclusion and exclusion errors of each level cut-off and service list against the generator's "
        "latent truth, next to the declared-income (ASP) test. Markdown + PNG under data/reports/<period>/."
    ),
)
def targeting_audit(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from orchestration.analytics.audit import run_audit

    period = context.partition_key
    paths = PlatformPaths.from_env()
    with warehouse.connect(read_only=True) as connection:
        report = run_audit(connection, period, paths.truth_root, paths.data_root / "reports")
    if report is None:
        return dg.MaterializeResult(
            metadata={"skipped": True, "reason": f"no latent truth or no scores for {period}"}
        )
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(report.markdown_path)),
            **(
                {
                    "plot": inline_image(report.plot_path, "targeting audit: exclusion and inclusion errors"),
                    "plot_file": dg.MetadataValue.path(str(report.plot_path)),
                }
                if report.plot_path
                else {}
            ),
            "families_audited": report.families,
            "headline": dg.MetadataValue.md(report.headline.to_markdown(index=False)),
        }
    )
