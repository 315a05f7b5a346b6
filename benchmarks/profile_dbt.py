"""Where the dbt build's SQL time goes: its table models replayed under DuckDB's JSON profiler.

Takes the warehouse a `dbt build` just wrote, copies it to a scratch folder (the warehouse is not
touched), and runs the compiled SELECT of every table and incremental model of that build again, in
the build's order, as `create table <scratch schema>.<model> as ...` with profiling on. Prints the
CPU seconds per operator type over all models (writing the table is CREATE_TABLE_AS) and the
slowest models with their main operators. The build must have written its artifacts: run it by
hand as in dbt_project/README.md (Performance), without `--no-write-json`.

    .venv/bin/python -m benchmarks.profile_dbt /tmp/w.duckdb [--threads 2] [--top 15]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET = REPO_ROOT / "dbt_project" / "target"
SCRATCH_SCHEMA = "profile_replay"


def replayed_models(target: Path = TARGET) -> list[tuple[str, Path]]:
    """(model name, compiled SQL file) of the table and incremental models of the last build, in its order."""
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    models = []
    for result in results:
        node = manifest["nodes"].get(result["unique_id"], {})
        if node.get("resource_type") != "model" or node["config"]["materialized"] not in (
            "table",
            "incremental",
        ):
            continue
        compiled = target / "compiled" / node["package_name"] / node["original_file_path"]
        models.append((node["name"], compiled))
    return models


def operator_seconds(profile: dict) -> Counter:
    """CPU seconds per operator type in one DuckDB JSON profile (the tree under "operator")."""
    seconds: Counter = Counter()
    pending = list(profile.get("operator", []))
    while pending:
        operator = pending.pop()
        seconds[operator["type"]] += operator.get("timing", 0.0)
        pending.extend(operator.get("children", []))
    return seconds


def replay(warehouse: Path, threads: int, scratch: Path) -> dict[str, tuple[float, float, Counter]]:
    """Replay every model on a copy of `warehouse`: {model: (wall s, CPU s, CPU s per operator)}."""
    copy = scratch / warehouse.name  # same file name: the compiled SQL names the catalog after it
    shutil.copyfile(warehouse, copy)
    connection = duckdb.connect(str(copy))
    connection.execute(
        f"set threads = {threads}; set preserve_insertion_order = false; set enable_progress_bar = false; "
        "set checkpoint_threshold = '64GB'"  # as profiles.yml: no checkpoint after each table
    )
    connection.execute(f"create schema if not exists {SCRATCH_SCHEMA}")
    measured = {}
    for name, compiled in replayed_models():
        profile_path = scratch / f"{name}.json"
        connection.execute("pragma enable_profiling = 'json'")
        connection.execute(f"set profiling_output = '{profile_path}'")
        started = time.perf_counter()
        connection.execute(f'create or replace table {SCRATCH_SCHEMA}."{name}" as {compiled.read_text()}')
        wall = time.perf_counter() - started
        connection.execute("pragma disable_profiling")
        profile = json.loads(profile_path.read_text())
        measured[name] = (wall, profile["query"]["cpu_time"], operator_seconds(profile))
        print(f"  {wall:6.2f} s  {name}", flush=True)
    connection.close()
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="the DuckDB file the last dbt build wrote")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (profiles.yml: 2)")
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest models to list")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.warehouse.parent) as scratch:
        measured = replay(args.warehouse, args.threads, Path(scratch))
    operators: Counter = sum((per_operator for _, _, per_operator in measured.values()), Counter())
    wall, cpu = sum(m[0] for m in measured.values()), sum(m[1] for m in measured.values())
    print(
        f"\n{len(measured)} table models: {wall:.1f} s wall, {cpu:.1f} s CPU ({args.threads} DuckDB threads)"
    )
    print("CPU seconds per operator type:")
    for operator, seconds in operators.most_common(8):
        print(f"  {seconds:7.1f} s  {100 * seconds / cpu:4.0f} %  {operator}")
    print(f"slowest {args.top} models (wall, CPU, main operators):")
    for name, (model_wall, model_cpu, per_operator) in sorted(measured.items(), key=lambda m: -m[1][0])[
        : args.top
    ]:
        main_operators = ", ".join(f"{op} {s:.1f}" for op, s in per_operator.most_common(3))
        print(f"  {model_wall:6.2f} s {model_cpu:6.2f} s  {name}: {main_operators}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
