"""The scoring asset: family_features (dbt) -> Numba kernel -> family_scores (DuckDB).

The step reads one period of the mart as Arrow, scores it with the methodology in force for
the period, and replaces that period's rows of `family_scores` in one transaction. Families the
kernel refuses (bad input) go to `family_scores_rejected` with a reason, never silently dropped.
"""

import dagster as dg
import pandas as pd
import pyarrow as pa

from kz_domain.period import parse_period
from orchestration.asset_keys import FAMILY_FEATURES_KEY, FAMILY_SCORES_KEY
from orchestration.metadata import share_bars
from orchestration.partitions import monthly_partitions
from orchestration.quality import evidence
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.scoring.scores import score_families
from scoring_core.config import all_levels


def level_distribution(scores: pa.Table) -> pd.DataFrame:
    """Families per region and level (rows: regions, columns: levels, and the region's total)."""
    # Counted in Arrow: no Python string per family for the region.
    counts = scores.group_by(["region_kato", "level"]).aggregate([([], "count_all")]).to_pandas()
    table = counts.pivot(index="region_kato", columns="level", values="count_all").fillna(0).astype("int64")
    table = table.reindex(columns=all_levels(), fill_value=0).sort_index()
    table.columns = [f"level_{level}" for level in table.columns]
    table["families"] = table.sum(axis=1)
    return table.reset_index()


def quarantine_report(connection, period: str) -> pd.DataFrame:
    """Families held back from scoring this period, per region and reason (int_families__rejected):
    a caseworker checks them by hand; the month goes on without them."""
    return connection.execute(
        "select left(address_kato, 2) as region_kato, reason_code, count(*) as families "
        "from intermediate.int_families__rejected where period = ? group by all order by all",
        [period],
    ).df()


def replace_period(connection, table: str, period: str, rows: pa.Table) -> None:
    """Replace one period of a warehouse table by `rows`, creating the table on first use."""
    connection.register("incoming_rows", rows)
    connection.execute("begin transaction")
    connection.execute(f"create table if not exists {table} as select * from incoming_rows limit 0")
    connection.execute(f"delete from {table} where period = ?", [period])
    connection.execute(f"insert into {table} by name select * from incoming_rows")
    connection.execute("commit")
    connection.unregister("incoming_rows")


@dg.asset(
    key=FAMILY_SCORES_KEY,
    deps=[FAMILY_FEATURES_KEY],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="scoring",
    kinds={"numba", "duckdb"},
    description="Every family of the period scored into six wellbeing levels, with reasons and the methodology version.",
)
def family_scores(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    period = context.partition_key
    with warehouse.connect() as connection:
        # A relation (not a DB-API result) hands Arrow over without an extra copy of the rows.
        features = connection.sql(
            f"select * from family_features where period = '{_checked(period)}'"
        ).to_arrow_table()
        if features.num_rows == 0:
            raise dg.Failure(f"family_features has no rows for period {period}: nothing to score")
        scored = score_families(features, period)
        scores = scored.scores
        quarantined = quarantine_report(connection, period)
        replace_period(connection, "family_scores", period, scores)
        replace_period(connection, "family_scores_rejected", period, scored.rejected)
        lineage = evidence.record_lineage(
            connection,
            evidence.SCORES,
            period,
            "",
            run_id=context.run.run_id,
            upstream_fingerprint=evidence.current_fingerprint(connection, evidence.MARTS, period),
            versions={"methodology_version": scored.methodology_version},
        )

    distribution = level_distribution(scores)
    context.log.info(
        "scored %d families of %s with %s in %.2f s (%d rejected)",
        scores.num_rows,
        period,
        scored.methodology_version,
        scored.kernel_seconds,
        scored.rejected.num_rows,
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": scores.num_rows,
            "methodology_version": scored.methodology_version,
            "fingerprint": lineage.fingerprint,
            "rejected_families": scored.rejected.num_rows,
            "kernel_seconds": round(scored.kernel_seconds, 3),
            "families_per_second": round(scores.num_rows / max(scored.kernel_seconds, 1e-9)),
            "level_distribution": dg.MetadataValue.md(distribution.to_markdown(index=False)),
            "level_shares": share_bars(
                distribution, "region_kato", [c for c in distribution.columns if c.startswith("level_")]
            ),
            "quarantined_families": int(quarantined["families"].sum()),
            "quarantine": dg.MetadataValue.md(
                quarantined.to_markdown(index=False) if len(quarantined) else "no family quarantined"
            ),
        }
    )


def _checked(period: str) -> str:
    """The period, refusing anything but YYYY-MM (it is inlined into SQL)."""
    return parse_period(period)
