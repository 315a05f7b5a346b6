"""Benchmark: false alarms of the feed gates over twelve consecutive normal months (issue 19).

Generates fourteen consecutive months of the demo's seed with the usual defect rates (the
generator's normal churn and defects), runs `monthly_scoring_job` for each through Dagster (the landing step only for months before the first methodology) (in
process, one warehouse, so each month is judged against the one before), and prints, for every
gate added for feed failures, the range observed over the twelve months judged beside
its tolerance, and how many runs it blocked. A false alarm is a block on a normal month.

    .venv/bin/python -m benchmarks.bench_gates [--scale 0.01] [--last 2026-11] [--months 14]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd

from benchmarks.machine import reference_line
from kz_domain.period import parse_period, previous_period
from kz_domain.regions import PILOT_REGIONS
from orchestration.landing.feeds import feeds
from orchestration.quality import continuity
from orchestration.quality.tolerances import tolerances
from orchestration.settings import PlatformPaths

ROOT = Path("data/bench/gates")
NEW_GATES = (
    "landing_text_is_utf8",
    "landing_extracts_fresh",
    "landing_volumes_within_tolerance",
    "landing_reconciliation_rejected_share_within_tolerance",
    "month_continuity",
)


def months_ending(last: str, count: int) -> list[str]:
    months = [parse_period(last)]
    while len(months) < count:
        months.append(previous_period(months[-1]))
    return months[::-1]


def scorable(month: str) -> bool:
    from scoring_core import methodology_for_period

    try:
        methodology_for_period(month)
    except LookupError:
        return False
    return True


def run_months(months: list[str], scale: float, root: Path) -> dict[str, dict[str, bool]]:
    """Generate and run each month; month -> {gate: passed} for the new gates."""
    # The scratch root first: importing the definitions exports the paths of the environment.
    shutil.rmtree(root, ignore_errors=True)
    for variable in ("LANDING_ROOT", "TRUTH_ROOT", "WAREHOUSE_PATH", "PUBLISH_ROOT"):
        os.environ.pop(variable, None)
    os.environ["DATA_ROOT"] = str(root)
    paths = PlatformPaths.from_env()
    paths.export()

    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.runner import run_job
    from registry_simulator import generate_month

    defs = build_definitions(paths)
    instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def("monthly_scoring_job")
    outcomes = {}
    for month in months:
        started = time.perf_counter()
        generate_month(
            month,
            scale=scale,
            regions=",".join(PILOT_REGIONS),
            out=paths.landing_root,
            truth_out=paths.truth_root,
        )
        # Before the first methodology is in force a month cannot be scored: only its landing is judged.
        selection = (
            None
            if scorable(month)
            else [k for k in job.asset_layer.executable_asset_keys if k.path[0] == "landing"]
        )
        result = run_job(defs, instance, "monthly_scoring_job", month, echo=False, asset_selection=selection)
        with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
            logged = connection.execute(
                "select check_name, bool_and(passed) from quality_gate_log where period = ? group by 1",
                [month],
            ).fetchall()
        outcomes[month] = {name: ok for name, ok in logged if name in NEW_GATES}
        blocked = [name for name, ok in outcomes[month].items() if not ok]
        print(
            f"{month}: {'run' if selection is None else 'landing only (no methodology in force)'} "
            f"{'passed' if result.success else 'FAILED'} in {time.perf_counter() - started:.1f} s"
            f"{'; blocked by ' + ', '.join(blocked) if blocked else ''}",
            flush=True,
        )
    return outcomes


def volume_ranges(landing_root: Path, months: list[str]) -> pd.DataFrame:
    """Per registry: the relative change of rows month to month (min, max) beside its tolerance."""
    rows = {}
    for month in months:
        manifest = json.loads((landing_root / month / "manifest.json").read_text())
        rows[month] = {entry["name"]: entry["rows"] for entry in manifest["registries"]}
    frame = pd.DataFrame(rows).T
    records = []
    for registry in frame.columns:
        back = feeds()[registry].volume_baseline_months_back
        change = frame[registry].pct_change(periods=back).dropna()
        records.append((registry, back, change.min(), change.max(), feeds()[registry].max_rows_change))
    return pd.DataFrame(records, columns=["registry", "months_back", "min_change", "max_change", "tolerance"])


def continuity_ranges(warehouse: Path, months: list[str]) -> pd.DataFrame:
    """Per continuity metric: the range over regions and transitions beside its limit."""
    tables = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        scored = [m for m in months if scorable(m)]
        for before, now in zip(scored, scored[1:], strict=False):
            tables.append(
                continuity.continuity_table(
                    continuity.distribution(connection, now),
                    continuity.distribution(connection, before),
                    continuity.carried_over(connection, now, before),
                    tolerances().continuity,
                )
            )
    table = pd.concat(tables)
    return (
        table.groupby("metric", sort=False)
        .agg(
            min_judged=("judged", "min"),
            max_judged=("judged", "max"),
            limit=("limit", "first"),
            outside=("within", lambda w: int((~w.astype(bool)).sum())),
            judged_in=("within", "size"),
        )
        .reset_index()
    )


def rejected_share_range(warehouse: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select registry, max(rows_rejected::double / nullif(rows_in, 0)) as max_rejected_share "
            "from landing_reconciliation group by 1 order by 2 desc limit 5"
        ).df()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--last", type=parse_period, default="2026-11")
    parser.add_argument("--months", type=int, default=14)
    args = parser.parse_args(argv)
    print(reference_line("before"), flush=True)
    months = months_ending(args.last, args.months)
    root = ROOT.resolve()
    outcomes = run_months(months, args.scale, root)
    paths = PlatformPaths.from_env()
    print(f"data root: {paths.data_root}")
    judged = months[2:]  # the first months have no previous delivery (six for entrepreneur_income)
    blocks = {gate: sum(not outcomes[m].get(gate, True) for m in judged) for gate in NEW_GATES}
    print(
        f"\nfalse alarms over {len(judged)} normal months ({months[1]}..{months[-1]}, scale {args.scale}, "
        f"regions {','.join(PILOT_REGIONS)}, default defect rates):"
    )
    for gate, count in blocks.items():
        print(f"  {gate}: {count} blocked")
    print("\nlanding volume, relative change of rows against the delivery `months_back` earlier:")
    print(volume_ranges(paths.landing_root, months).round(4).to_string(index=False))
    print("\nmonth continuity, per region and transition:")
    print(continuity_ranges(paths.warehouse_path, months).round(4).to_string(index=False))
    print("\nlargest rejected shares in staging (tolerance 0.05 and 100 rows):")
    print(rejected_share_range(paths.warehouse_path).round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
