"""Publication speed: one period x region snapshot of synthetic eligibility lists.

Measures validation + Parquet serialisation, the atomic publish (fsyncs included), the verified
read, the no-op rerun, and the PostgreSQL load (COPY, one transaction) and its no-op reload.
Default: 100,000 rows over the five services (a region's month is tens of thousands of rows;
ASP nationally is ~54k families). `--rows 1000000` for a stress figure, `--no-postgres` to skip
the database.

    .venv/bin/python -m benchmarks.bench_publication [--rows N] [--no-postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from kz_domain.iin import iin_valid_mask
from orchestration.publication.schema import SERVICES
from orchestration.publication.snapshot import prepare_snapshot, publish_snapshot, read_current

PERIOD, REGION = "2026-03", "79"
VERSIONS = {"methodology_version": "2026.1", "rule_version": "bench"}
LANDING = {"family_card": "0" * 64}


def synthetic_iins(count: int, rng: np.random.Generator) -> pa.Array:
    """`count` random IINs with valid check digits (random candidates, invalid ones dropped)."""
    kept: list[pa.Array] = []
    while sum(len(chunk) for chunk in kept) < count:
        digits = rng.integers(0, 10, size=(count * 2, 12), dtype=np.uint8) + ord("0")
        candidates = pa.array(digits.view("S12").ravel().astype(str))
        kept.append(candidates.filter(pa.array(iin_valid_mask(candidates))))
    return pa.concat_arrays(kept).slice(0, count)


def synthetic_lists(rows: int, seed: int = 7) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    per_service = rows // len(SERVICES)
    lists = {}
    for index, service in enumerate(SERVICES):
        family_ids = np.arange(per_service, dtype=np.int64) + index * 10_000_000
        beneficiaries = synthetic_iins(per_service, rng)
        if service in ("asp", "rent_subsidy", "housing_assistance"):
            beneficiaries = pa.nulls(per_service, pa.string())
        lists[service] = pa.table(
            {
                "period": pa.array([PERIOD] * per_service),
                "region": pa.array([REGION] * per_service),
                "service": pa.array([service] * per_service),
                "family_id": family_ids,
                "recipient_iin": synthetic_iins(per_service, rng),
                "beneficiary_iin": beneficiaries,
                "level": rng.integers(1, 6, per_service).astype(np.int8),
                "amount_kzt": np.round(rng.uniform(5_000, 150_000, per_service), 2),
                "rule_version": pa.array([VERSIONS["rule_version"]] * per_service),
                "methodology_version": pa.array([VERSIONS["methodology_version"]] * per_service),
                "reason_codes": pa.array([["INCOME_BELOW_PM", "CHILD_1_6"]] * per_service),
            }
        )
    return lists


def timed(label: str, rows: int, action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<42} {seconds:8.3f} s  {rows / seconds / 1e3:10.0f} k rows/s", flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])

    lists = synthetic_lists(args.rows)
    rows = sum(table.num_rows for table in lists.values())
    print(f"publication benchmark: {rows:,} rows, {len(lists)} services, period {PERIOD}, region {REGION}")
    with tempfile.TemporaryDirectory(prefix="bench_publication_") as temp:
        root = Path(temp) / "published"
        publish = dict(**VERSIONS, landing_checksums=LANDING, run_id="bench", code_version="bench")
        timed(
            "validate + serialise (prepare_snapshot)",
            rows,
            lambda: prepare_snapshot(PERIOD, REGION, lists, **VERSIONS, landing_checksums=LANDING),
        )
        result = timed(
            "publish (validate, write, fsync, rename)",
            rows,
            lambda: publish_snapshot(root, PERIOD, REGION, lists, **publish),
        )
        timed(
            "rerun, same inputs (no-op)",
            rows,
            lambda: publish_snapshot(root, PERIOD, REGION, lists, **publish),
        )
        timed("read_current (sha256 verified)", rows, lambda: read_current(root, PERIOD, REGION))
        size = sum(path.stat().st_size for path in result.files.values())
        print(f"{'snapshot size':<42} {size / 1e6:8.2f} MB  ({size / rows:.1f} bytes/row)")
        if not args.no_postgres:
            _bench_postgres(Path(temp), result.path, rows)


def _bench_postgres(temp: Path, snapshot_dir: Path, rows: int) -> None:
    import pgserver

    from orchestration.publication.postgres import load_snapshot_to_postgres

    server = pgserver.get_server(temp / "pgdata", cleanup_mode="delete")
    try:
        uri = server.get_uri()
        timed(
            "PostgreSQL load (verify + COPY + switch)",
            rows,
            lambda: load_snapshot_to_postgres(uri, snapshot_dir),
        )
        timed(
            "PostgreSQL reload, same version (no-op)",
            rows,
            lambda: load_snapshot_to_postgres(uri, snapshot_dir),
        )
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
