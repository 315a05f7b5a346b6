"""Quality gates as Dagster asset checks.

* GX suites (`expectations/*.json`) on the features mart, the scores and the level shares of
  each region, run by our thin runner; critical expectations are blocking checks.
* Two drift checks, blocking beyond the tolerances of `expectations/drift_tolerances.yaml` unless
  a data engineer approves the drift through run config (recorded in metadata and the gate log):
  level shares per region against the last published month, and each service's list against the
  region's current published version and the previous month (a fall to zero always counts).

The GX checks read only the columns their suite names, from the warehouse, in the warehouse pool.
Every outcome is logged bound to the fingerprint of the dataset it checked (`evidence`).
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from kz_domain.period import previous_period
from orchestration.asset_keys import ELIGIBILITY_LIST_KEY, FAMILY_FEATURES_KEY, FAMILY_SCORES_KEY
from orchestration.partitions import month_region_partitions, monthly_partitions, period_and_region
from orchestration.publication.schema import SERVICES
from orchestration.quality import continuity, evidence, gate_log
from orchestration.quality.gx_runner import check_names, load_suite
from orchestration.quality.list_drift import list_drift as list_drift_table
from orchestration.quality.tolerances import tolerances
from orchestration.resources import WAREHOUSE_POOL, GxRunnerResource, PublicationResource, WarehouseResource
from scoring_core.config import all_levels


def suite_columns(suite_name: str) -> list[str]:
    """Every column a suite refers to (so the check reads no more than it needs)."""
    columns: list[str] = []
    for expectation in load_suite(suite_name)["expectations"]:
        kwargs = expectation["kwargs"]
        for column in [kwargs.get("column"), *kwargs.get("column_list", [])]:
            if column and column not in columns:
                columns.append(column)
    return columns


def level_shares(scores: pd.DataFrame) -> pd.DataFrame:
    """Share of each level within each region: columns region_kato, level, families, share."""
    counts = scores.groupby(["region_kato", "level"]).size().rename("families").reset_index()
    full = pd.MultiIndex.from_product(
        [counts["region_kato"].unique(), all_levels()], names=["region_kato", "level"]
    )
    counts = counts.set_index(["region_kato", "level"]).reindex(full, fill_value=0).reset_index()
    counts["share"] = counts["families"] / counts.groupby("region_kato")["families"].transform("sum")
    return counts


def _results(
    asset_key: dg.AssetKey, suite_name: str, frame: pd.DataFrame, gx: GxRunnerResource
) -> Iterator[dg.AssetCheckResult]:
    for outcome in gx.run_suite(frame, suite_name):
        yield dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=outcome.check_name,
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN,
            metadata=outcome.metadata(),
        )


def _specs(asset_key: dg.AssetKey, suite_names: list[str], partitions_def) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name, asset=asset_key, description=text, blocking=blocking, partitions_def=partitions_def
        )
        for suite in suite_names
        for name, text, blocking in check_names(suite)
    ]


def gx_suite_check(
    asset_key: dg.AssetKey,
    table: str,
    suite_names: list[str],
    columns: list[str],
    dataset: str,
    frames: Callable[[pd.DataFrame], dict[str, pd.DataFrame]] | None = None,
    per_region: bool = False,
) -> dg.AssetChecksDefinition:
    """One multi-check running the given suites on the partition's `columns` of a warehouse table.

    `frames` derives the frame each suite validates from the table's rows (default: the rows).
    With `per_region`, the check is partitioned by month and region and reads that region only.
    Outcomes go to the gate log bound to the fingerprint of `dataset` (evidence), read in the same
    connection as the rows.
    """
    partitions_def = month_region_partitions if per_region else monthly_partitions

    @dg.multi_asset_check(
        name=f"gx_{table}",
        specs=_specs(asset_key, suite_names, partitions_def),
        pool=WAREHOUSE_POOL,
        description=f"Great Expectations suites {', '.join(suite_names)} on {table}.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, gx: GxRunnerResource):
        selected = ", ".join(f'"{c}"' for c in columns)
        if per_region:
            where, params = "period = ? and region = ?", list(period_and_region(context))
        else:
            where, params = "period = ?", [context.partition_key]
        region = params[1] if per_region else ""
        with warehouse.connect() as connection:
            fingerprint = evidence.current_fingerprint(connection, dataset, params[0], region)
            rows = connection.execute(f"select {selected} from {table} where {where}", params).df()
            derived = frames(rows) if frames else {s: rows for s in suite_names}
            results = [r for suite in suite_names for r in _results(asset_key, suite, derived[suite], gx)]
            gate_log.record(
                connection,
                params[0],
                region,
                context.run.run_id,
                results,
                dataset=dataset,
                fingerprint=fingerprint,
            )
        yield from results

    return _check


features_gx_check = gx_suite_check(
    FAMILY_FEATURES_KEY,
    "family_features",
    ["family_features"],
    columns=suite_columns("family_features"),
    dataset=evidence.MARTS,
)

scores_gx_check = gx_suite_check(
    FAMILY_SCORES_KEY,
    "family_scores",
    ["family_scores", "level_shares"],
    columns=[*suite_columns("family_scores"), "region_kato"],
    dataset=evidence.SCORES,
    frames=lambda rows: {"family_scores": rows, "level_shares": level_shares(rows)},
)

eligibility_gx_check = gx_suite_check(
    ELIGIBILITY_LIST_KEY,
    "eligibility_list",
    ["eligibility_list"],
    columns=suite_columns("eligibility_list"),
    dataset=evidence.ELIGIBILITY_LIST,
    per_region=True,
)


class DriftApproval(dg.Config):
    """Run config a data engineer sets to accept a level-share drift beyond the tolerance."""

    approved_by: str = ""
    reason: str = ""


def record_approvable(
    connection, context, result: dg.AssetCheckResult, *, period: str, region: str, dataset: str, fingerprint
) -> dg.AssetCheckResult:
    """Log the outcome of a gate a data engineer may approve, with the approval's note when the
    result's metadata carries one; return the result."""
    metadata = result.metadata or {}
    note = ""
    if "approved_by" in metadata:
        note = f"approved by {_text(metadata['approved_by'])}: {_text(metadata.get('approval_reason', ''))}"
    gate_log.record(
        connection,
        period,
        region,
        context.run.run_id,
        [result],
        note=note,
        dataset=dataset,
        fingerprint=fingerprint,
    )
    return result


def _text(value) -> str:
    return str(getattr(value, "value", value))


def last_published_period(publication: PublicationResource, before: str) -> str | None:
    """The newest period before `before` with a published list in any region."""
    root = Path(publication.root)
    if not root.exists():
        return None
    periods = sorted(
        p.name for p in root.iterdir() if p.is_dir() and p.name < before and any(p.glob("*/CURRENT"))
    )
    return periods[-1] if periods else None


def share_drift(current: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Per region and level: share now, share in the baseline month and the absolute change."""
    merged = current.merge(baseline, on=["region_kato", "level"], how="outer", suffixes=("", "_baseline"))
    merged = merged.fillna({"share": 0.0, "share_baseline": 0.0})
    merged["change"] = (merged["share"] - merged["share_baseline"]).abs()
    return merged[["region_kato", "level", "share", "share_baseline", "change"]]


@dg.asset_check(
    asset=FAMILY_SCORES_KEY,
    name="level_share_drift",
    blocking=True,
    pool=WAREHOUSE_POOL,
    partitions_def=monthly_partitions,
    description=f"Level shares per region moved at most {tolerances().max_share_change:.0%} since the last "
    "published month, or a data engineer approved the drift in run config (expectations/drift_tolerances.yaml).",
)
def level_share_drift(
    context: dg.AssetCheckExecutionContext,
    config: DriftApproval,
    warehouse: WarehouseResource,
    publication: PublicationResource,
) -> dg.AssetCheckResult:
    period = context.partition_key
    baseline_period = last_published_period(publication, period)
    with warehouse.connect() as connection:
        fingerprint = evidence.current_fingerprint(connection, evidence.SCORES, period)
        result = _drift_result(context, config, connection, period, baseline_period)
        return record_approvable(
            connection,
            context,
            result,
            period=period,
            region="",
            dataset=evidence.SCORES,
            fingerprint=fingerprint,
        )


def _drift_result(context, config: DriftApproval, connection, period: str, baseline_period: str | None):
    def result(passed: bool, metadata: dict) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            asset_key=FAMILY_SCORES_KEY, check_name="level_share_drift", passed=passed, metadata=metadata
        )

    if baseline_period is None:
        return result(True, {"baseline": "no published month yet"})
    rows = connection.execute(
        "select period, region_kato, level from family_scores where period in (?, ?)",
        [period, baseline_period],
    ).df()
    drift = share_drift(
        level_shares(rows[rows.period == period]),
        level_shares(rows[rows.period == baseline_period]).rename(columns={"families": "families_baseline"}),
    )
    worst = float(drift["change"].max()) if len(drift) else 0.0
    within = worst <= tolerances().max_share_change
    approved = bool(config.approved_by.strip())
    metadata = {
        "baseline_period": baseline_period,
        "tolerance": tolerances().max_share_change,
        "tolerances_version": tolerances().version,
        "largest_change": round(worst, 4),
        "drift": dg.MetadataValue.md(drift.round(4).to_markdown(index=False)),
    }
    if not within and approved:
        metadata |= {"approved_by": config.approved_by, "approval_reason": config.reason}
        context.log.warning(
            "level-share drift %.3f approved by %s: %s", worst, config.approved_by, config.reason
        )
    return result(within or approved, metadata)


@dg.asset_check(
    asset=FAMILY_SCORES_KEY,
    name="month_continuity",
    blocking=True,
    pool=WAREHOUSE_POOL,
    partitions_def=monthly_partitions,
    description="Each region against the previous month: shares of families with no declared income, no "
    "dwelling, a car, a disability, the mean income; persons and families carried over; families changing "
    "level. Within expectations/drift_tolerances.yaml (continuity), or approved by a data engineer in run config.",
)
def month_continuity(
    context: dg.AssetCheckExecutionContext, config: DriftApproval, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    period = context.partition_key
    previous = previous_period(period)
    with warehouse.connect() as connection:
        fingerprint = evidence.current_fingerprint(connection, evidence.SCORES, period)
        has_previous = connection.execute(
            "select count(*) > 0 from family_scores where period = ?", [previous]
        ).fetchall()[0][0]
        metadata: dict = {"previous_period": previous, "tolerances_version": tolerances().version}
        if not has_previous:
            passed, metadata["baseline"] = True, "the previous month is not in the warehouse"
        else:
            table = continuity.continuity_table(
                continuity.distribution(connection, period),
                continuity.distribution(connection, previous),
                continuity.carried_over(connection, period, previous),
                tolerances().continuity,
            )
            outside = table[~table["within"]]
            passed = outside.empty
            metadata |= {
                "metrics_outside_tolerance": len(outside),
                "continuity": dg.MetadataValue.md(table.round(4).to_markdown(index=False)),
            }
            if not passed and config.approved_by.strip():
                passed = True
                metadata |= {"approved_by": config.approved_by, "approval_reason": config.reason}
                context.log.warning(
                    "month continuity outside tolerance (%d metrics) approved by %s: %s",
                    len(outside),
                    config.approved_by,
                    config.reason,
                )
        result = dg.AssetCheckResult(
            asset_key=FAMILY_SCORES_KEY, check_name="month_continuity", passed=passed, metadata=metadata
        )
        return record_approvable(
            connection,
            context,
            result,
            period=period,
            region="",
            dataset=evidence.SCORES,
            fingerprint=fingerprint,
        )


def published_totals(publication: PublicationResource, period: str, region: str) -> tuple[str, dict] | None:
    """(version, {service: (rows, amount)}) of the current published list of a period and region."""
    from orchestration.publication.snapshot import NoCurrentSnapshot, current_version, verify_snapshot

    try:
        version = current_version(publication.root, period, region)
    except NoCurrentSnapshot:
        return None
    manifest, _ = verify_snapshot(Path(publication.root) / period / region / version)
    return version, {
        service: (entry["rows"], float(entry["amount_total_kzt"]))
        for service, entry in manifest["services"].items()
    }


@dg.asset_check(
    asset=ELIGIBILITY_LIST_KEY,
    name="list_drift",
    blocking=True,
    pool=WAREHOUSE_POOL,
    partitions_def=month_region_partitions,
    description="Each service's list (rows, total amount) moved within its tolerance against the region's "
    "current published version and the previous month, and did not fall to zero; or a data engineer "
    "approved the move in run config (expectations/drift_tolerances.yaml).",
)
def list_drift(
    context: dg.AssetCheckExecutionContext,
    config: DriftApproval,
    warehouse: WarehouseResource,
    publication: PublicationResource,
) -> dg.AssetCheckResult:
    period, region = period_and_region(context)
    baselines = {}
    for name, baseline_period in (
        ("this month, published", period),
        ("previous month", previous_period(period)),
    ):
        published = published_totals(publication, baseline_period, region)
        if published is not None:
            baselines[f"{name} ({baseline_period} {published[0]})"] = published[1]
    with warehouse.connect() as connection:
        fingerprint = evidence.current_fingerprint(connection, evidence.ELIGIBILITY_LIST, period, region)
        rows = connection.execute(
            "select service, count(*), coalesce(sum(amount_kzt), 0) from eligibility_list "
            "where period = ? and region = ? group by service",
            [period, region],
        ).fetchall()
        current = {service: (0, 0.0) for service in SERVICES} | {s: (n, float(a)) for s, n, a in rows}
        drift = list_drift_table(current, baselines, tolerances())
        beyond = drift.loc[drift["beyond_tolerance"].astype(bool)]
        approved = bool(config.approved_by.strip())
        metadata: dict[str, Any] = {
            "baselines": ", ".join(baselines) or "no published list yet",
            "tolerances_version": tolerances().version,
            "services_beyond_tolerance": ", ".join(sorted(set(beyond["service"]))) or "none",
            "drift": dg.MetadataValue.md(drift.to_markdown(index=False) if len(drift) else "no baseline"),
        }
        if len(beyond) and approved:
            metadata |= {"approved_by": config.approved_by, "approval_reason": config.reason}
            context.log.warning(
                "list drift of %s approved by %s: %s", region, config.approved_by, config.reason
            )
        result = dg.AssetCheckResult(
            asset_key=ELIGIBILITY_LIST_KEY,
            check_name="list_drift",
            passed=not len(beyond) or approved,
            metadata=metadata,
        )
        return record_approvable(
            connection,
            context,
            result,
            period=period,
            region=region,
            dataset=evidence.ELIGIBILITY_LIST,
            fingerprint=fingerprint,
        )
