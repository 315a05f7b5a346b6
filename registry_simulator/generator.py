"""Generate one month of registry extracts, the manifest and the latent family truth.

Randomness: ``SeedSequence(seed)`` is spawned into one stream per region in the fixed order of
``geography.REGIONS``, so a region's data does not depend on which other regions are selected.
Each region stream is spawned again into the population stream, one stream per family chunk
(data and defects apart, so defect rates never change the clean data) and the region's
waiting-list defect stream. None of these depends on the month: a chunk's data seed is split further
per registry (and per calendar month for monthly events) in :mod:`registry_simulator.registries`,
so the same seed gives the same families with the same assets every month.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sys
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from .defects import DefectRates, inject_family_defects, inject_row_defects
from .geography import KATO_CLASSIFIER_VERSION, REGION_BY_PREFIX, REGION_INDEX, REGIONS, parse_regions
from .period import Period, to_days
from .population import build_region
from .registries import ChunkBuilder
from .schemas import REGISTRIES, REGISTRY_NAMES
from .writer import StreamingParquet, sha256_of, write_json_atomically

GENERATOR_VERSION = "1.0.0"
MANIFEST_NAME = "manifest.json"
TRUTH_NAME = "family_truth.parquet"
CHUNK_FAMILIES = 60_000
#: Registries keyed by month whose last month disappears when the registry did not refresh.
MONTHLY_COLUMNS = {"pension_contributions": "month", "pensions_benefits": "month"}


@dataclass
class RegistryResult:
    """What the manifest says about one registry extract."""

    name: str
    status: str  # delivered | late
    file: str | None
    rows: int | None
    extract_as_of: str | None
    sha256: str | None
    bytes: int | None


@dataclass
class GenerationSummary:
    """Result of :func:`generate_month` (paths, counts, injected defects)."""

    period: str
    month_dir: Path
    manifest_path: Path
    truth_path: Path
    registries: dict[str, RegistryResult]
    defects: list[dict]
    families: int
    people: int
    manifest: dict = field(repr=False, default_factory=dict)


def _check_names(names: tuple[str, ...] | list[str], what: str) -> tuple[str, ...]:
    unknown = sorted(set(names) - set(REGISTRY_NAMES))
    if unknown:
        raise ValueError(f"--{what}: unknown registry name(s) {unknown}")
    return tuple(names)


def _to_table(name: str, columns: dict[str, pa.Array], as_of_days: int) -> pa.Table:
    schema = REGISTRIES[name]
    n = len(next(iter(columns.values())))
    as_of = pa.array(np.full(n, as_of_days, np.int32), pa.date32())
    return pa.Table.from_arrays([*columns.values(), as_of], schema=schema)


def _make_stale(name: str, table: pa.Table, stale_as_of: int) -> pa.Table:
    """The registry did not refresh: previous month's extract date, and no data after it."""
    if name in MONTHLY_COLUMNS:
        keep = pc.less_equal(table.column(MONTHLY_COLUMNS[name]), pa.scalar(stale_as_of, pa.date32()))
        table = table.filter(keep)
    if name == "housing_costs":
        billed = table.column("billing_month").to_numpy().astype("datetime64[M]") - 1
        table = table.set_column(
            2, "billing_month", pa.array(billed.astype("datetime64[D]").astype(np.int32), pa.date32())
        )
    as_of = pa.array(np.full(table.num_rows, stale_as_of, np.int32), pa.date32())
    return table.set_column(table.schema.get_field_index("extract_as_of"), "extract_as_of", as_of)


def _truth_table(truth: dict) -> pa.Table:
    return pa.table({k: v if isinstance(v, pa.Array) else pa.array(v) for k, v in truth.items()})


def _rank_waiting_list(table: pa.Table) -> pa.Table:
    """queue_number = position in the region's queue, by registration date (stable on row order)."""
    days = table.column("registration_date").to_numpy().astype(np.int64)
    queue = np.empty(len(days), np.int64)
    queue[np.argsort(days, kind="stable")] = np.arange(1, len(days) + 1)
    return table.set_column(1, "queue_number", pa.array(queue))


def generate_month(
    month: str,
    scale: float = 1.0,
    regions: str | list[int] | tuple[int, ...] | None = None,
    seed: int = 42,
    out: str | Path = "data/landing",
    truth_out: str | Path = "data/truth",
    defects: DefectRates | None = None,
    defect_rate_scale: float = 1.0,
    late: tuple[str, ...] | list[str] = (),
    stale: tuple[str, ...] | list[str] = (),
    progress: bool = False,
) -> GenerationSummary:
    """Write ``<out>/<month>/<registry>.parquet`` for every registry, the truth, then the manifest.

    ``late`` registries are left out (status "late" in the manifest); ``stale`` ones carry the
    previous month's extract_as_of. ``defect_rate_scale`` multiplies the rates of ``defects``
    (default rates when None); 0 gives a clean month. Same arguments give byte-identical files.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    period = Period.parse(month)
    prefixes = parse_regions(",".join(map(str, regions)) if isinstance(regions, list | tuple) else regions)
    late = _check_names(late, "late")
    stale = _check_names(stale, "stale")
    if set(late) & set(stale):
        raise ValueError("a registry cannot be both late and stale")
    rates = (defects if defects is not None else DefectRates()).scaled(defect_rate_scale)

    month_dir = Path(out) / period.label
    truth_dir = Path(truth_out) / period.label
    if truth_dir.resolve().is_relative_to(Path(out).resolve()):
        raise ValueError("truth_out must not be inside the landing area")
    month_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = month_dir / MANIFEST_NAME
    manifest_path.unlink(missing_ok=True)  # readers must never pair an old manifest with new files
    for name in late:
        (month_dir / f"{name}.parquet").unlink(missing_ok=True)

    as_of = to_days(period.extract_as_of)
    stale_as_of = to_days(period.previous.extract_as_of)
    writers = {
        name: StreamingParquet(month_dir / f"{name}.parquet", REGISTRIES[name])
        for name in REGISTRY_NAMES
        if name not in late
    }
    counts: Counter = Counter()
    families = people = 0
    total_people = sum(max(int(round(REGION_BY_PREFIX[p].population * scale)), 1) for p in prefixes)
    bar = tqdm(
        total=total_people,
        unit="people",
        unit_scale=True,
        disable=not progress,
        file=sys.stderr,
        desc=f"registries {period.label}",
    )
    region_streams = np.random.SeedSequence(seed).spawn(len(REGIONS))
    truth_writer: list[StreamingParquet] = []  # created with the first chunk (its schema comes from the data)

    def land(
        tables: dict[str, pa.Table],
        truth: pa.Table,
        defect_rng: np.random.Generator,
        empty_base: int,
        waiting: list[pa.Table],
    ) -> None:
        """Defects + writes of one chunk; runs on the writer thread while the next chunk is built."""
        inject_family_defects(tables, rates, defect_rng, empty_base, counts)
        for name in REGISTRY_NAMES:
            if name == "housing_waiting_list":
                waiting.append(tables[name])
                continue
            table = _make_stale(name, tables[name], stale_as_of) if name in stale else tables[name]
            table = inject_row_defects(name, table, rates, defect_rng, period.ref_days, counts)
            if name in writers:
                writers[name].write(table)
        if not truth_writer:
            truth_writer.append(StreamingParquet(truth_dir / TRUTH_NAME, truth.schema))
        truth_writer[0].write(truth)

    def land_waiting_list(waiting: list[pa.Table], defect_rng: np.random.Generator) -> None:
        name = "housing_waiting_list"
        table = _rank_waiting_list(pa.concat_tables(waiting))
        table = _make_stale(name, table, stale_as_of) if name in stale else table
        table = inject_row_defects(name, table, rates, defect_rng, period.ref_days, counts)
        if name in writers:
            writers[name].write(table)

    # One writer thread: Arrow's Parquet writer and compute release the GIL, so writing chunk k
    # overlaps with building chunk k+1. At most one chunk waits, which bounds memory.
    pending: Future | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="landing-writer") as pool:
        try:
            for prefix in prefixes:
                pop_ss, chunks_ss, region_defects_ss = region_streams[REGION_INDEX[prefix]].spawn(3)
                pop = build_region(prefix, scale, period.ref_days, np.random.default_rng(pop_ss))
                n_dead = len(pop.birth) - pop.n_members
                bounds = np.unique(
                    np.arange(0, pop.n_families + CHUNK_FAMILIES, CHUNK_FAMILIES).clip(max=pop.n_families)
                )
                n_chunks = len(bounds) - 1
                dead_bounds = np.linspace(0, n_dead, n_chunks + 1).astype(np.int64)
                waiting: list[pa.Table] = []
                for c, chunk_ss in enumerate(chunks_ss.spawn(n_chunks)):
                    data_ss, defects_ss = chunk_ss.spawn(2)
                    f0, f1 = int(bounds[c]), int(bounds[c + 1])
                    built = ChunkBuilder(
                        pop,
                        period,
                        f0,
                        f1,
                        int(dead_bounds[c]),
                        int(dead_bounds[c + 1]),
                        data_ss,
                    ).build()
                    tables = {name: _to_table(name, cols, as_of) for name, cols in built.tables.items()}
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(
                        land,
                        tables,
                        _truth_table(built.truth),
                        np.random.default_rng(defects_ss),
                        prefix * 10**10 + 9 * 10**9 + c * 10**5,
                        waiting,
                    )
                    chunk_people = int(pop.fam_size[f0:f1].sum())
                    families += f1 - f0
                    people += chunk_people
                    bar.update(chunk_people)
                pending.result()
                pending = pool.submit(land_waiting_list, waiting, np.random.default_rng(region_defects_ss))
            pending.result()
        except BaseException:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    pending.result()
            for writer in [*writers.values(), *truth_writer]:
                writer.abort()
            raise
        finally:
            bar.close()
    for writer in [*writers.values(), *truth_writer]:
        writer.close()

    results: dict[str, RegistryResult] = {}
    for name in REGISTRY_NAMES:
        if name in late:
            results[name] = RegistryResult(name, "late", None, None, None, None, None)
            continue
        path = writers[name].path
        extract_as_of = period.previous.extract_as_of if name in stale else period.extract_as_of
        results[name] = RegistryResult(
            name,
            "delivered",
            path.name,
            writers[name].rows,
            extract_as_of.isoformat(),
            sha256_of(path),
            path.stat().st_size,
        )
    defect_list = [
        {"defect": defect, "registry": registry, "column": column, "rows": int(n)}
        for (defect, registry, column), n in sorted(
            counts.items(),
            key=lambda kv: (DefectRates.names().index(kv[0][0]), REGISTRY_NAMES.index(kv[0][1]), kv[0][2]),
        )
    ]
    window = period.window_months
    manifest = {
        "generator": "registry_simulator",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "regions": list(prefixes),
        "period": period.label,
        "reference_date": period.reference_date.isoformat(),
        "income_window": {"first_month": window[0].isoformat(), "last_month": window[-1].isoformat()},
        "extract_as_of": period.extract_as_of.isoformat(),
        "kato_classifier_version": KATO_CLASSIFIER_VERSION,
        "families": families,
        "people": people,
        "complete": not late,
        "registries": [dataclasses.asdict(r) for r in results.values()],
        "defect_rates": dataclasses.asdict(rates),
        "defects": defect_list,
    }
    write_json_atomically(manifest_path, manifest)
    return GenerationSummary(
        period.label,
        month_dir,
        manifest_path,
        truth_dir / TRUTH_NAME,
        results,
        defect_list,
        families,
        people,
        manifest,
    )


def remove_month(out: str | Path, month: str) -> None:
    """Delete one generated month of the landing area (used by benchmarks and tests)."""
    shutil.rmtree(Path(out) / Period.parse(month).label, ignore_errors=True)
