"""The month's jobs, run in process in their order: the one sequence `make demo`, `reproduce` and
the benchmarks share (the daemon chains the same jobs through the sensors).

monthly_scoring_job for the period, then, if it passed, regional_publication_job for each pilot
region, then monthly_analytics_job.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import dagster as dg

from orchestration.partitions import month_region_key

#: Dagster's own event lines only from WARNING up: dbt's progress lines still show.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def run_config_with_quiet_logs(run_config: Mapping | None) -> dict:
    """`run_config` plus the quiet console logger (a caller's own logger config wins)."""
    return {**QUIET_LOGS, **dict(run_config or {})}


def run_job(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    job_name: str,
    partition_key,
    run_config: Mapping | None = None,
    echo: bool = True,
    asset_selection: list[dg.AssetKey] | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute a job of the code location in process for one partition (or the given assets of
    it); print its outcome."""
    job = defs.resolve_job_def(job_name)
    started = time.perf_counter()
    result = job.execute_in_process(
        instance=instance,
        partition_key=partition_key,
        raise_on_error=False,
        run_config=run_config_with_quiet_logs(run_config),
        asset_selection=asset_selection,
    )
    if echo:
        failed = [e.step_key or "" for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        status = "succeeded" if result.success else f"FAILED (steps: {', '.join(failed)})"
        print(f"{job_name} [{partition_key}] {status} in {time.perf_counter() - started:.1f} s")
    return result


def run_month(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    month: str,
    regions: list[str],
    *,
    analytics: bool = True,
    echo: bool = True,
) -> list[dg.ExecuteInProcessResult]:
    """The month's runs in order: monthly scoring, then (if it succeeded) each region's
    publication and (with `analytics`) the month's analytics. The first result is always the
    scoring run."""
    results = [run_job(defs, instance, "monthly_scoring_job", month, echo=echo)]
    if results[0].success:
        for region in regions:
            results.append(
                run_job(
                    defs, instance, "regional_publication_job", month_region_key(month, region), echo=echo
                )
            )
        if analytics:
            results.append(run_job(defs, instance, "monthly_analytics_job", month, echo=echo))
    return results
