"""The publication asset: one pilot region's gated eligibility lists, published for payment.

It runs per month and region, downstream of the `eligibility_list` dbt model and its blocking
checks (GX suite `eligibility_list`, dbt tests): if any of them fails, this step does not run
and the region publishes nothing, while the other region's run goes on.
"""

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.landing.drop import inspect_drop
from orchestration.partitions import month_region_partitions, period_and_region
from orchestration.publication.postgres import load_snapshot_to_postgres
from orchestration.publication.schema import SERVICES
from orchestration.publication.snapshot import publish_snapshot
from orchestration.resources import WAREHOUSE_POOL, LandingResource, PublicationResource, WarehouseResource
from orchestration.warehouse.keys import ELIGIBILITY_LIST_KEY

LIST_COLUMNS = (
    "period, region, service, family_id, recipient_iin, beneficiary_iin, level, amount_kzt, "
    "rule_version, methodology_version, reason_codes"
)


def lists_by_service(rows: pa.Table) -> dict[str, pa.Table]:
    """Every service of the pilot with its rows (an empty table when nobody is eligible)."""
    return {service: rows.filter(pc.equal(rows["service"], service)) for service in SERVICES}


def rule_versions(connection, period: str, region: str) -> dict[str, str]:
    """The rule version in force for each service of the region (also for a service nobody gets)."""
    rows = connection.execute(
        "select service, arg_max(rule_version, valid_from) from eligibility_service_rules "
        "where region = ? and valid_from <= cast(? || '-01' as date) group by service",
        [region, period],
    ).fetchall()
    return dict(rows)


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
    key=dg.AssetKey(["published_eligibility_lists"]),
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
    landing: LandingResource,
    publication: PublicationResource,
) -> dg.MaterializeResult:
    period, region = period_and_region(context)
    with warehouse.connect(read_only=True) as connection:
        # Arrow straight from DuckDB: the publisher conforms Arrow tables, and no IIN becomes a Python string.
        rows = connection.sql(
            f"select {LIST_COLUMNS} from eligibility_list where period = ? and region = ?",
            params=[period, region],
        ).to_arrow_table()
        methodology = connection.execute(
            "select any_value(methodology_version) from family_scores where period = ?", [period]
        ).fetchone()[0]
        versions = rule_versions(connection, period, region)
    snapshot = publish_snapshot(
        publication.root,
        period,
        region,
        lists_by_service(rows),
        methodology_version=methodology,
        rule_version=versions,
        landing_checksums=inspect_drop(landing.month_dir(period), verify_checksums=False).checksums(),
        run_id=context.run_id,
    )
    metadata = {
        "status": snapshot.status,
        "version": snapshot.version,
        "path": dg.MetadataValue.path(str(snapshot.path)),
        "dagster/row_count": snapshot.total_rows,
        "amount_total_kzt": round(snapshot.total_amount_kzt),
        "per_service": dg.MetadataValue.md(summary_table(rows).to_markdown(index=False)),
    }
    if publication.postgres_conninfo:
        loaded = load_snapshot_to_postgres(publication.postgres_conninfo, snapshot.path)
        metadata["postgres"] = f"{loaded.status} (current switched: {loaded.current_switched})"
    context.log.info(
        "%s %s/%s as %s: %d rows", snapshot.status, period, region, snapshot.version, snapshot.total_rows
    )
    return dg.MaterializeResult(metadata=metadata)
