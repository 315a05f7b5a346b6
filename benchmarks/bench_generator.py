"""Benchmark of the registry simulator: pilot regions and the whole country at scale 1.0.

Targets: pilot (79,35, scale 1.0) within 60 s; national (all regions, scale 1.0, all registries,
12 months of income) within 10 minutes and 12 GB peak memory on a 2-core, 24 GB machine.
Each run is a child process (`python -m registry_simulator generate`), so peak RSS is the child's
(resource.getrusage(RUSAGE_CHILDREN)). Output goes to a temp dir under data/bench/, deleted after.

    python -m benchmarks.bench_generator                 # pilot, then national
    python -m benchmarks.bench_generator --only pilot    # just the pilot
    python -m benchmarks.bench_generator --keep          # keep the output
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2026-10"
RUNS = {"pilot": ("79,35", 60.0), "national": ("", 600.0)}


def _run(label: str, regions: str, target_s: float, workdir: Path, seed: int) -> None:
    out, truth = workdir / label / "landing", workdir / label / "truth"
    cmd = [
        sys.executable,
        "-m",
        "registry_simulator",
        "generate",
        "--month",
        MONTH,
        "--scale",
        "1.0",
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--truth-out",
        str(truth),
        "--no-progress",
    ]
    if regions:
        cmd += ["--regions", regions]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_gb = after.ru_maxrss / 1024**2  # KiB -> GiB
    manifest = json.loads((out / MONTH / "manifest.json").read_text())
    landing_bytes = sum(r["bytes"] or 0 for r in manifest["registries"])
    truth_bytes = sum(p.stat().st_size for p in truth.rglob("*.parquet"))
    total_rows = sum(r["rows"] or 0 for r in manifest["registries"])
    print(
        f"\n[{label}] regions={regions or 'all'} scale=1.0: {manifest['people']:,} people, "
        f"{manifest['families']:,} families"
    )
    print(
        f"[{label}] wall {wall:.1f} s (target {target_s:.0f} s: {'OK' if wall <= target_s else 'OVER'}), "
        f"CPU {cpu:.1f} s user+sys (the machine is shared: wall = CPU / 2 only when idle), "
        f"peak RSS of the generator so far {peak_gb:.2f} GiB (target 12)"
    )
    print(
        f"[{label}] {total_rows:,} rows, landing {landing_bytes / 1e9:.2f} GB, truth {truth_bytes / 1e6:.0f} MB, "
        f"{total_rows / wall / 1e6:.2f} M rows/s"
    )
    for entry in manifest["registries"]:
        print(f"    {entry['name']:<24}{entry['rows']:>14,}")


def main(argv: list[str] | None = None) -> None:
    """Run the pilot then the national benchmark (or ``--only`` one) and print the figures."""
    parser = argparse.ArgumentParser(prog="bench_generator")
    parser.add_argument("--only", choices=sorted(RUNS), action="append")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    (ROOT / "data" / "bench").mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="generator-", dir=ROOT / "data" / "bench"))
    try:
        for label in args.only or list(RUNS):
            regions, target = RUNS[label]
            _run(label, regions, target, workdir, args.seed)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
