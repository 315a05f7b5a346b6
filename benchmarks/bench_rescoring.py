"""Benchmark: rescoring one corrected family on demand, on the national warehouse (prints figures).

Goal (issue 21): at most 5 s for one family on the national warehouse, excluding interpreter
start. The warehouse is the one `bench_pipeline --scope national` leaves in
data/bench/pipeline/national/ (built first when absent: ~10 minutes). The example correction
(orchestration/corrections/example.py) is filed in that root's own corrections log, the
rescoring target's parse state is prepared for its paths (as `make` does for the platform's),
then each repetition runs the command line's path in a fresh process, `rescore` timed inside it:
the figure excludes starting Python and importing the platform, and includes everything dbt
does (its manifest, its adapter, its SQL), the scoring and the eligibility models.

    .venv/bin/python -m benchmarks.bench_rescoring [--scope pilot] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.machine import reference_line

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_ROOT = REPO_ROOT / "data" / "bench" / "pipeline"
GOAL_SECONDS = 5.0

_CHILD = """
import json, sys, time
from orchestration.corrections.rescoring import rescore
from orchestration.settings import PlatformPaths
result = rescore(PlatformPaths.from_env(), sys.argv[1], [int(sys.argv[2])])
row = result.table.iloc[0]
print(json.dumps({"seconds": result.seconds, "level_before": int(row.level_before), "level_after": int(row.level_after)}))
"""


def _environment(root: Path) -> dict[str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "WAREHOUSE_PATH",
            "CORRECTIONS_ROOT",
            "RESCORING_PATH",
            "PUBLISH_ROOT",
            "LANDING_ROOT",
            "TRUTH_ROOT",
        )
    }
    environment.update(DATA_ROOT=str(root), RESCORING_DBT_TARGET_PATH=str(root / "rescoring_target"))
    return environment


def _month(warehouse: Path) -> str | None:
    import duckdb

    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        found = connection.execute("select max(period) from family_scores").fetchone()
    return found[0] if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", choices=("national", "pilot"), default="national")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    root = BENCH_ROOT / args.scope
    warehouse = root / "warehouse" / "warehouse.duckdb"
    if _month(warehouse) is None:
        from benchmarks import bench_pipeline

        bench_pipeline.main(["--scope", args.scope])
    month = _month(warehouse)
    if month is None:
        print(f"rescoring: no scored month in {warehouse}")
        return 1
    environment = _environment(root)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        import duckdb

        from orchestration.corrections.example import file_car_sale
        from orchestration.corrections.rescoring import rescoring_parse_args
        from orchestration.corrections.store import decide
        from orchestration.settings import PlatformPaths
        from orchestration.warehouse.resources import dbt_executable

        paths = PlatformPaths.from_env()
        paths.export()
        with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
            filed = file_car_sale(connection, paths.corrections_root, month)
        if filed is None:
            print(f"rescoring: no level-6 family with two cars in {month}")
            return 1
        correction_id, family_id = filed
        subprocess.run([dbt_executable(), *rescoring_parse_args()], check=True, env=dict(os.environ))
        print(reference_line("before"), flush=True)
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, month, str(family_id)],
                check=True, capture_output=True, text=True, env=dict(os.environ), cwd=REPO_ROOT,
            )  # fmt: skip
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        decide(paths.corrections_root, correction_id, "withdrawn", "example.caseworker", "benchmark example")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    totals = [run["seconds"]["total"] for run in runs]
    median = statistics.median(totals)
    phases = {k: statistics.median(run["seconds"][k] for run in runs) for k in runs[0]["seconds"]}
    print(reference_line("after"))
    print(
        f"rescoring one family ({args.scope} warehouse, {month}, correction {correction_id}): "
        f"median {median:.2f} s of {len(runs)} runs (goal {GOAL_SECONDS:.0f} s: "
        f"{'met' if median <= GOAL_SECONDS else 'NOT met'}), level {runs[0]['level_before']} -> {runs[0]['level_after']}"
    )
    print("    " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
