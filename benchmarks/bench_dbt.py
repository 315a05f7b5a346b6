"""Benchmark: `dbt build` of one landing month, national and pilot regions (prints figures).

Targets (issue 3): the national month (20.5 M people, 12 months of income) in at most 5 minutes
and 12 GB peak memory on a 2-core / 24 GB machine; the pilot regions (79, 35) in at most 30 s.

Three builds, each on a fresh warehouse and with dbt's parse state prepared before the clock starts
(as `make` prepares it for the platform), as dbt's own command line with the month in `--vars`:

* national: the national landing month, generated with `registry_simulator` once under
  data/bench/dbt/landing_scale<scale>/;
* pilot: a landing month of the pilot regions only, the drop `make demo` builds (the pipeline
  benchmark's data/bench/pipeline/landing_pilot/, generated once, same seed as the demo);
* pilot-on-national: the national landing month with dbt var `regions`, so every staging model
  decodes the national files and keeps the pilot regions' persons.

    .venv/bin/python -m benchmarks.bench_dbt                     # all three (headline)
    .venv/bin/python -m benchmarks.bench_dbt --scale 0.1         # a smaller country
    .venv/bin/python -m benchmarks.bench_dbt --only pilot
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import kz_domain.regions
from benchmarks import landing
from benchmarks.machine import reference_line
from orchestration.warehouse.cli_args import production_exclusion_args

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_ROOT = REPO_ROOT / "data" / "bench" / "dbt"
_PEAK_PREFIX = "peak_rss_kb="
# The child runs dbt in-process (dbtRunner) and reports its own peak resident set (dbt + DuckDB).
_CHILD = f"""
import resource, sys
from dbt.cli.main import dbtRunner
ok = dbtRunner().invoke(sys.argv[1:]).success
print("{_PEAK_PREFIX}%d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(0 if ok else 1)
"""
PILOT_REGIONS = list(kz_domain.regions.PILOT_REGIONS)
TARGETS = {"national": (300.0, 12.0), "pilot": (30.0, 12.0), "pilot-on-national": (30.0, 12.0)}  # s, GB


def run_dbt_build(
    month: str, landing_root: Path, warehouse: Path, regions: list[str]
) -> tuple[float, float, str, float]:
    """Run `dbt build` on a fresh warehouse in a child process.

    Returns (seconds, peak RSS GB, dbt's last line, seconds of the untimed `dbt parse` before it).
    The parse state is prepared first and not counted, as `make` prepares it for the platform:
    dbt re-parses the whole project whenever the profile (here the warehouse path) or the vars
    differ from its last parse, which would otherwise charge each run for the run before it.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    for stale in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        stale.unlink(missing_ok=True)
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "LANDING_ROOT": str(landing_root),
        "DBT_REPO_ROOT": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    project_args = [
        "--project-dir",
        str(REPO_ROOT / "dbt_project"),
        "--profiles-dir",
        str(REPO_ROOT / "dbt_project"),
        "--target-path",
        str(BENCH_ROOT / "target"),
        "--log-path",
        str(BENCH_ROOT / "logs"),
        "--vars",
        json.dumps({"period": month, "regions": regions}),
    ]
    build_args = [
        # eligibility reads scores produced by the Python scoring step, not part of this measurement
        "--exclude",
        "path:models/eligibility",
        "path:models/payments",  # the payment outcomes, received after publication
        # as in production (orchestration/warehouse/cli_args.py): unit tests run in CI
        *production_exclusion_args(),
    ]
    started = time.perf_counter()
    parse = subprocess.run(
        [sys.executable, "-c", _CHILD, "parse", *project_args], env=env, capture_output=True, text=True
    )
    if parse.returncode != 0:  # the build would fail the same way: show dbt's reason, not a traceback
        raise SystemExit(f"dbt parse failed:\n{parse.stdout[-2000:]}")
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, "build", *project_args, *build_args],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak_lines = [line for line in result.stderr.splitlines() if line.startswith(_PEAK_PREFIX)]
    peak_gb = int(peak_lines[-1].removeprefix(_PEAK_PREFIX)) / 1024**2 if peak_lines else float("nan")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    summary = next((line for line in reversed(lines) if "Done." in line), lines[-1] if lines else "")
    if result.returncode != 0:
        print("\n".join(line for line in lines if "ERROR" in line or "FAIL" in line), flush=True)
    return seconds, peak_gb, summary.split("  ", 1)[-1].strip(), parse_seconds


def slowest_nodes(count: int = 8) -> list[tuple[float, str]]:
    """The slowest nodes of the last run (from run_results.json)."""
    results = json.loads((BENCH_ROOT / "target" / "run_results.json").read_text())["results"]
    timings = sorted(((r["execution_time"], r["unique_id"].split(".")[-1]) for r in results), reverse=True)
    return timings[:count]


def main(argv: list[str] | None = None) -> None:
    """Build the national month and the pilot regions (both readings); print time and peak memory of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the real population")
    parser.add_argument("--only", choices=list(TARGETS), default=None)
    args = parser.parse_args(argv if argv is not None else [])

    names = [args.only] if args.only else list(TARGETS)
    runs = {}
    if {"national", "pilot-on-national"} & set(names):
        national, _ = landing.national_landing(args.month, args.scale)
        runs |= {"national": (national, []), "pilot-on-national": (national, PILOT_REGIONS)}
    if "pilot" in names:
        runs["pilot"] = (landing.pilot_landing(args.month)[0], [])
    print(reference_line("before"), flush=True)
    for name in names:
        landing_root, regions = runs[name]
        seconds, peak_gb, summary, parse_seconds = run_dbt_build(
            args.month, landing_root, BENCH_ROOT / f"{name}.duckdb", regions
        )
        max_seconds, max_gb = TARGETS[name]
        print(
            f"dbt build {name:17s} ({landing_root.name}): {seconds:7.1f} s (target {max_seconds:.0f} s), "
            f"peak RSS {peak_gb:5.2f} GB (target {max_gb:.0f} GB) | {summary} "
            f"(dbt parse before it, not counted: {parse_seconds:.1f} s)",
            flush=True,
        )
        for node_seconds, node in slowest_nodes():
            print(f"    {node_seconds:7.1f} s  {node}")
    print(reference_line("after"), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
