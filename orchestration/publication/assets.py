"""The publication asset: one pilot region's gated eligibility lists, published for payment.

It runs per month and region, downstream of the `eligibility_list` dbt model and its blocking
checks. Dagster's in-run blocking is not what guards the payment systems: the step itself
(`release.publish_region`) refuses unless every required gate passed on exactly the rows it
publishes, however it is launched, and a refusal writes nothing on either side.
"""

from decimal import Decimal
from typing import Any

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.asset_keys import ELIGIBILITY_LIST_KEY, PUBLISHED_LISTS_KEY
from orchestration.partitions import month_region_partitions, period_and_region
from orchestration.publication.release import publish_region
from orchestration.publication.schema import SERVICES
from orchestration.quality import evidence
from orchestration.quality.requirements import required_gates
from orchestration.resources import WAREHOUSE_POOL, PublicationResource, WarehouseResource


def summary_table(rows: pa.Table) -> pd.DataFrame:
    """Families, beneficiaries and money per service, and the rows each payment flag marks (no
    personal data; amounts exact)."""
    grouped = (
        rows.group_by("service")
        .aggregate([("family_id", "count"), ("family_id", "count_distinct"), ("amount_kzt", "sum")])
        .to_pylist()
    )
    by_service = {row["service"]: row for row in grouped}
    flags = pa.table(
        {
            "service": pc.take(rows["service"], pc.list_parent_indices(rows["payment_flags"])),
            "flag": pc.list_flatten(rows["payment_flags"]),
        }
    )
    flagged = {
        (row["service"], row["flag"]): row["flag_count"]
        for row in flags.group_by(["service", "flag"]).aggregate([("flag", "count")]).to_pylist()
    }
    return pd.DataFrame(
        [
            {
                "service": service,
                "rows": by_service.get(service, {}).get("family_id_count", 0),
                "families": by_service.get(service, {}).get("family_id_count_distinct", 0),
                "amount_kzt": str(by_service.get(service, {}).get("amount_kzt_sum") or Decimal("0.00")),
                "payment_flags": ", ".join(
                    f"{flag}: {count}"
                    for (flagged_service, flag), count in sorted(flagged.items())
                    if flagged_service == service
                ),
            }
            for service in SERVICES
        ]
    )


def changes_table(changes: dict) -> pd.DataFrame:
    """Per basis and service: rows added, removed, changed and their money (the manifest's totals)."""
    records = []
    for basis, entry in (changes.get("bases") or {}).items():
        for service, totals in ((entry or {}).get("services") or {}).items():
            records.append(
                {
                    "basis": f"{basis} ({entry['version']})",
                    "service": service,
                    "added": totals["added"]["rows"],
                    "added_kzt": totals["added"]["amount_kzt"],
                    "removed": totals["removed"]["rows"],
                    "removed_kzt": totals["removed"]["amount_kzt"],
                    "amount_changed": totals["amount_changed"]["rows"],
                    "change_kzt": totals["amount_changed"]["amount_change_kzt"],
                }
            )
    return pd.DataFrame(records)


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
        reference_key=publication.reference_key(),
        postgres_conninfo=publication.postgres_conninfo,
    )
    snapshot = release.snapshot
    metadata: dict[str, Any] = {
        "status": snapshot.status,
        "version": snapshot.version,
        "path": dg.MetadataValue.path(str(snapshot.path)),
        "dagster/row_count": snapshot.total_rows,
        "amount_total_kzt": str(snapshot.total_amount_kzt),
        "per_service": dg.MetadataValue.md(
            summary_table(release.rows).to_markdown(index=False, disable_numparse=True)
        ),
        "changes": dg.MetadataValue.md(
            changes_table(snapshot.changes).to_markdown(index=False, disable_numparse=True)
            if snapshot.changes.get("bases") and any(snapshot.changes["bases"].values())
            else "no earlier version of this month or the previous one to compare with"
        ),
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
