"""Payment outcomes in: receive a period and region's outcome files, reconcile them in dbt, report.

`payment_outcomes_received` copies the files and the references they answer into the dbt
sources (outcomes.py); `payment_dbt_models` checks every line and reconciles it against what
was published (dbt_project/models/payments); `payment_reconciliation_report` shows counts and
amounts by outcome, service and version in the Dagster UI, with a check that warns while a
published reference has no outcome or a line was rejected. The next month's lists read the
reconciliation (elig_payment_flags).
"""

from typing import Any

import dagster as dg
import pandas as pd
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.partitions import month_region_partitions, period_and_region
from orchestration.payments.outcomes import receive_outcomes
from orchestration.resources import EXECUTOR, WAREHOUSE_POOL, PublicationResource, WarehouseResource
from orchestration.warehouse.assets import PAYMENTS_SELECTION, TRANSLATOR, dbt_build
from orchestration.warehouse.cli_args import run_environment
from orchestration.warehouse.resources import dbt_project

RECEIVED_KEY = dg.AssetKey(["payment_outcomes_received"])
PUBLISHED_REFERENCES_KEY = dg.AssetKey(["payment_published_references"])
RECONCILIATION_KEY = dg.AssetKey(["payment_reconciliation"])
REPORT_KEY = dg.AssetKey(["payment_reconciliation_report"])
ANSWERED_ONCE_CHECK = "every_reference_answered_once"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RECEIVED_KEY,
            group_name="payments",
            kinds={"csv", "duckdb"},
            description="The payment systems' outcome files of one period and region, every line as received "
            "(docs/publication.md, 'Payment outcomes').",
        ),
        dg.AssetSpec(
            PUBLISHED_REFERENCES_KEY,
            group_name="payments",
            kinds={"parquet", "duckdb"},
            description="The rows of each version the outcome files answer, as published (checksums verified).",
        ),
    ],
    partitions_def=month_region_partitions,
    pool=WAREHOUSE_POOL,
)
def payment_outcomes_received(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, publication: PublicationResource
):
    period, region = period_and_region(context)
    with warehouse.connect() as connection:
        received = receive_outcomes(connection, publication.root, publication.outcomes_root, period, region)
    files = pd.DataFrame(
        [
            {"version": f.version, "sha256": f.sha256[:12], "lines": f.rows, "version_published": f.published}
            for f in received
        ],
        columns=["version", "sha256", "lines", "version_published"],
    )
    context.log.info("received %d outcome files of %s/%s", len(received), period, region)
    yield dg.MaterializeResult(
        asset_key=RECEIVED_KEY,
        metadata={
            "files": dg.MetadataValue.md(files.to_markdown(index=False) if len(files) else "no outcome file"),
            "lines": int(files["lines"].sum()) if len(files) else 0,
        },
    )
    yield dg.MaterializeResult(
        asset_key=PUBLISHED_REFERENCES_KEY,
        metadata={"versions": ", ".join(f.version for f in received if f.published) or "none"},
    )


@dbt_assets(
    manifest=dbt_project().manifest_path,
    select=PAYMENTS_SELECTION,
    partitions_def=month_region_partitions,
    dagster_dbt_translator=TRANSLATOR,
    project=dbt_project(),
    pool=WAREHOUSE_POOL,
    name="payment_dbt_models",
)
def payment_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Check every received outcome line and reconcile it against what was published."""
    period, region = period_and_region(context)
    yield from dbt_build(context, dbt, run_environment(period, region), lambda outcomes: None)


def reconciliation_tables(connection, period: str, region: str) -> dict[str, pd.DataFrame]:
    """The report's tables (no personal data): outcomes by service, lines by version, rejections."""
    by_outcome = connection.execute(
        "select region, service, status as outcome, count(*) as references, sum(amount_kzt)::varchar as amount_kzt "
        "from payment_reconciliation where period = ? and region = ? group by all order by all",
        [period, region],
    ).df()
    lines = connection.execute(
        "select version, any_value(file_sha256)[:12] as file_sha256, count(*) as lines_in, "
        "count(*) filter (reject_reason is null) as kept, count(*) filter (reject_reason is not null) as rejected "
        "from stg_payment_outcomes__checked where period = ? and region = ? group by all order by all",
        [period, region],
    ).df()
    rejected = connection.execute(
        "select version, reject_reason, count(*) as lines, list(line_number order by line_number) as line_numbers "
        "from stg_payment_outcomes__rejected where period = ? and region = ? group by all order by all",
        [period, region],
    ).df()
    return {"by_outcome": by_outcome, "lines": lines, "rejected": rejected}


@dg.asset(
    key=REPORT_KEY,
    deps=[RECONCILIATION_KEY],
    partitions_def=month_region_partitions,
    pool=WAREHOUSE_POOL,
    group_name="payments",
    kinds={"duckdb"},
    check_specs=[dg.AssetCheckSpec(ANSWERED_ONCE_CHECK, asset=REPORT_KEY)],
    description="Reconciliation of the payment outcomes against the published lists: counts and amounts "
    "by outcome, service and version, and every rejected line with its reason.",
)
def payment_reconciliation_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    period, region = period_and_region(context)
    with warehouse.connect(read_only=True) as connection:
        tables = reconciliation_tables(connection, period, region)
    by_outcome, lines, rejected = tables["by_outcome"], tables["lines"], tables["rejected"]
    missing = int(by_outcome.loc[by_outcome["outcome"] == "missing", "references"].sum())
    rejected_lines = int(rejected["lines"].sum()) if len(rejected) else 0
    metadata: dict[str, Any] = {
        "by_outcome": dg.MetadataValue.md(
            by_outcome.to_markdown(index=False, disable_numparse=True) if len(by_outcome) else "no outcome"
        ),
        "lines": dg.MetadataValue.md(lines.to_markdown(index=False) if len(lines) else "no outcome file"),
        "rejected": dg.MetadataValue.md(rejected.to_markdown(index=False) if len(rejected) else "none"),
        "references_missing": missing,
        "lines_rejected": rejected_lines,
    }
    yield dg.MaterializeResult(metadata=metadata)
    yield dg.AssetCheckResult(
        check_name=ANSWERED_ONCE_CHECK,
        asset_key=REPORT_KEY,
        passed=missing == 0 and rejected_lines == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"references_missing": missing, "lines_rejected": rejected_lines},
        description="every published reference has exactly one kept outcome, and no line was rejected",
    )


payment_reconciliation_job = dg.define_asset_job(
    name="payment_reconciliation_job",
    executor_def=EXECUTOR,
    selection=dg.AssetSelection.assets(
        payment_outcomes_received, payment_dbt_models, payment_reconciliation_report
    ),
    partitions_def=month_region_partitions,
    description="Receive a period and region's payment outcome files, reconcile them against the published "
    "lists and report (the next month's lists are flagged from it).",
)
