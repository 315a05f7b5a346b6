"""The month's report of corrections and appeals per region, shown in the Dagster UI."""

import dagster as dg

from orchestration.asset_keys import CORRECTIONS_REPORT_KEY, FAMILY_LEVEL_CHANGES_KEY
from orchestration.partitions import monthly_partitions
from orchestration.resources import WAREHOUSE_POOL, LandingResource, WarehouseResource
from orchestration.settings import PlatformPaths


@dg.asset(
    key=CORRECTIONS_REPORT_KEY,
    deps=[FAMILY_LEVEL_CHANGES_KEY],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="corrections",
    kinds={"duckdb", "pandas"},
    description=(
        "Per region: appeals of the month open and decided, days to decide, corrections applied, "
        "lapsed or flagged for review, and families with a correction whose level changed. "
        "A table here and a CSV under data/reports/<period>/."
    ),
)
def corrections_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource
) -> dg.MaterializeResult:
    from pathlib import Path

    from orchestration.corrections.report import regional_report

    period = context.partition_key
    with warehouse.connect(read_only=True) as connection:
        report = regional_report(connection, Path(landing.corrections_root), period)
    folder = PlatformPaths.from_env().data_root / "reports" / period
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corrections_report.csv"
    report.to_csv(path, index=False)
    total = report[report.region == "all"]
    figure = lambda column: int(total[column].iloc[0]) if len(total) else 0  # noqa: E731
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.md(
                report.to_markdown(index=False) if len(report) else "no appeal and no correction this month"
            ),
            "file": dg.MetadataValue.path(str(path)),
            "appeals_open": figure("appeals_open"),
            "corrections_flagged": figure("corrections_flagged"),
            "corrections_lapsed": figure("corrections_lapsed"),
        }
    )
