"""The publication asset: one pilot region's gated eligibility lists, published for payment.

It runs per month and region, downstream of the `eligibility_list` dbt model and its blocking
checks. Dagster's in-run blocking is not what guards the payment systems: the step itself
(`release.publish_region`) refuses unless every required gate passed on exactly the rows it
publishes, however it is launched, and a refusal writes nothing on either side.
"""

from typing import Any

import dagster as dg
import pandas as pd
import pyarrow as pa

from orchestration.asset_keys import ELIGIBILITY_LIST_KEY, PUBLISHED_LISTS_KEY
from orchestration.partitions import month_region_partitions, period_and_region
from orchestration.publication.release import publish_region
from orchestration.publication.schema import SERVICES
from orchestration.quality import evidence
from orchestration.quality.requirements import required_gates
from orchestration.resources import WAREHOUSE_POOL, PublicationResource, WarehouseResource


def summary_table(rows: pa.Table) -> pd.DataFrame:
    """Families, beneficiaries and money per service (no personal data)."""
    frame = rows.select(["service", "family_id", "amount_kzt"]).to_pandas()  # no IIN leaves Arrow
    table = (
        frame.groupby("service")
        .agg(rows=("family_id", "size"), families=("family_id", "nunique"), amount_kzt=("amount_kzt", "sum"))
        .reindex(SERVICES, fill_value=0)
        .reset_index()
    )
    table["amount_kzt"] = table["amount_kzt"].round(0).astype("int64")
    return table


@dg.asset(
    key=PUBLISHED_LISTS_KEY,
    deps=[ELIGIBILITY_LIST_KEY],
    partitions_def=month_region_partitions,
    pool=WAREHOUSE_POOL,
    group_name="publication",
    kinds={"parquet", "postgres"},
    description="Immutable snapshot of one region's eligibility lists for the payment systems (docs/publication.md).",
)
def published_eligibility_lists(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    publication: PublicationResource,
) -> dg.MaterializeResult:
    period, region = period_and_region(context)
    release = publish_region(
        warehouse,
        publication.root,
        period,
        region,
        run_id=context.run.run_id,
        postgres_conninfo=publication.postgres_conninfo,
    )
    snapshot = release.snapshot
    metadata: dict[str, Any] = {
        "status": snapshot.status,
        "version": snapshot.version,
        "path": dg.MetadataValue.path(str(snapshot.path)),
        "dagster/row_count": snapshot.total_rows,
        "amount_total_kzt": round(snapshot.total_amount_kzt),
        "per_service": dg.MetadataValue.md(summary_table(release.rows).to_markdown(index=False)),
        "files_current_switched": release.files_switched,
        "list_fingerprint": release.clearance.fingerprint(evidence.ELIGIBILITY_LIST),
        "gates_cleared": sum(len(gates) for gates in required_gates().values()),
    }
    if release.recovered_to:
        metadata["recovered_files_to"] = release.recovered_to
    if release.postgres is not None:
        metadata["postgres"] = (
            f"{release.postgres.status} (current switched: {release.postgres.current_switched})"
        )
    context.log.info(
        "%s %s/%s as %s: %d rows", snapshot.status, period, region, snapshot.version, snapshot.total_rows
    )
    return dg.MaterializeResult(metadata=metadata)
