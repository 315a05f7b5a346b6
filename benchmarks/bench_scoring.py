"""Scoring kernel speed: throughput, memory-bandwidth floor, numpy and DuckDB-SQL versions, JIT cache.

    .venv/bin/python -m benchmarks.bench_scoring                      # 6.2 M and 10 M families
    .venv/bin/python -m benchmarks.bench_scoring --sizes 1000000 --no-compile-check

For each size it prints, from one run: the kernel's throughput (outputs preallocated, best of
--repeat), the end-to-end score() time (Arrow in, Arrow out), the memory-bandwidth floor for the
same bytes the kernel reads and writes, a numpy-vectorised and a DuckDB-SQL implementation of the
same methodology (both generated from the same config and checked equal to the kernel), and the
ratios. Then the JIT compile time in a fresh process with an empty cache, and the first-call time
of a second fresh process using that cache (it must load, not recompile). NUMBA_CACHE_DIR is
respected for this process's own cache.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import duckdb
import numba
import numpy as np
import pyarrow as pa
from numba import njit, prange

from scoring_core import methodology_for_period, score
from scoring_core.config import Methodology
from scoring_core.kernel import KernelLayout, KernelParams, allocate_outputs, build_kernel_inputs, run_kernel
from scoring_core.money import subsistence_minimum
from scoring_core.synthetic import random_features

PERIOD = "2026-03"
OPS = ("<", "<=", "==", ">=", ">", "!=")


# ---------------------------------------------------------------- numpy, vectorised over all families
def _np_condition(values: np.ndarray, op: int, threshold: float) -> np.ndarray:
    return [np.less, np.less_equal, np.equal, np.greater_equal, np.greater, np.not_equal][op](
        values, threshold
    )


def numpy_score(columns: dict, layout: KernelLayout, p: KernelParams, pm: float) -> dict:
    """The kernel's algorithm as whole-array numpy operations over the same parameter arrays."""
    rows = [columns[f].astype(np.float64) for f in layout.features]
    dw, cp, lv, inf = (rows[i] for i in p.hidden_var)
    hidden = (
        np.maximum(dw - 1.0, 0.0) * p.hidden_par[0]
        + cp * p.hidden_par[1]
        + lv * p.hidden_par[2] / 12.0
        + inf * p.hidden_par[3] * pm
    )
    income = np.zeros_like(hidden)
    for v in p.income_var:
        income += rows[v]
    income += hidden
    pci = income / rows[p.members_var] / pm
    rows += [hidden, income, pci]
    n, k_count = len(hidden), len(p.ind_dim)
    points = np.empty((k_count, n), np.int32)
    for k in range(k_count):
        value = np.zeros(n)
        for t in range(p.num_ptr[k], p.num_ptr[k + 1]):
            value += p.num_coef[t] * rows[p.num_var[t]]
        if p.den_ptr[k + 1] > p.den_ptr[k]:
            den = np.zeros(n)
            for t in range(p.den_ptr[k], p.den_ptr[k + 1]):
                den += p.den_coef[t] * rows[p.den_var[t]]
            value /= np.maximum(den, p.den_floor[k])
        if p.ind_per_unit[k]:
            pk = value.astype(np.int32)
        else:
            pk = np.zeros(n, np.int32)
            for t in range(p.step_ptr[k], p.step_ptr[k + 1]):
                passed = value > p.step_thr[t] if p.step_strict[t] else value >= p.step_thr[t]
                pk += np.where(passed, np.int32(p.step_delta[t]), np.int32(0))
        for w in range(p.when_ptr[k], p.when_ptr[k + 1]):
            pk[~_np_condition(rows[p.when_var[w]], p.when_op[w], p.when_thr[w])] = 0
        points[k] = pk
    total = points.sum(axis=0, dtype=np.int32)
    level = np.full(n, p.level_base, np.int8)
    for cut in p.level_cut:
        level += (total >= cut).astype(np.int8)
    gate = np.full(n, -1, np.int8)
    for g in range(len(p.gate_lo)):
        holds = np.ones(n, bool)
        for c in range(p.gate_ptr[g], p.gate_ptr[g + 1]):
            holds &= _np_condition(rows[p.gate_var[c]], p.gate_op[c], p.gate_thr[c])
        level = np.where(holds, np.clip(level, p.gate_lo[g], p.gate_hi[g]), level).astype(np.int8)
        gate[holds] = g
    dims = np.zeros((4, n), np.int32)
    for k in range(k_count):
        dims[p.ind_dim[k]] += points[k]
    v1, v2, v3 = (np.zeros(n, np.int32) for _ in range(3))
    i1, i2, i3 = (np.full(n, -1, np.int8) for _ in range(3))
    for k in range(k_count):  # keep the three most negative, earlier indicators first on ties
        pk = points[k]
        lt1, lt2, lt3 = pk < v1, pk < v2, pk < v3
        v3, i3 = np.where(lt2, v2, np.where(lt3, pk, v3)), np.where(lt2, i2, np.where(lt3, k, i3))
        v2, i2 = np.where(lt1, v1, np.where(lt2, pk, v2)), np.where(lt1, i1, np.where(lt2, k, i2))
        v1, i1 = np.where(lt1, pk, v1), np.where(lt1, k, i1)
    share = np.divide(hidden, income, out=np.zeros(n), where=income > 0)
    return {"level": level, "score": total, "dims": dims, "points": points, "hidden_income": hidden,
            "hidden_income_share": share, "pci_ratio": pci, "gate": gate,
            "reasons": np.stack([i1, i2, i3]).astype(np.int8)}  # fmt: skip


# ---------------------------------------------------------------- DuckDB SQL generated from the config
def _sql_number(x: float) -> str:
    return (
        repr(float(x))
        if x not in (float("inf"), -float("inf"))
        else ("'inf'::DOUBLE" if x > 0 else "'-inf'::DOUBLE")
    )


def _sql_linear(terms: dict) -> str:
    return "(" + " + ".join(f"{_sql_number(c)} * CAST({v} AS DOUBLE)" for v, c in terms.items()) + ")"


def scoring_sql(m: Methodology, pm: float, table: str) -> str:
    """One SELECT computing the scores table from the features table, written from the methodology."""
    h = m.hidden_income
    step1 = (
        f"GREATEST(n_dwellings - 1.0, 0.0) * {h['extra_dwelling_rent']!r} + n_commercial_property * "
        f"{h['commercial_rent']!r} + livestock_value * {h['livestock_annual_yield']!r} / 12.0 + "
        f"n_informal_signal_adults * {h['informal_income_pm']!r} * {pm!r}"
    )
    declared = " + ".join(m.declared_income)
    points = []
    for ind in m.indicators:
        if ind.is_per_unit:
            expr = " + ".join(f"{p} * CAST({v} AS INTEGER)" for v, p in ind.per_unit.items())
        else:
            value = _sql_linear(ind.numerator)
            if ind.denominator:
                value = f"({value} / GREATEST({_sql_linear(ind.denominator)}, {_sql_number(ind.denominator_floor)}))"
            arms = []
            for b in ind.bands:
                lower = f"{value} {'>=' if b.lower_inclusive else '>'} {_sql_number(b.lower)}"
                upper = f"{value} {'<=' if b.upper_inclusive else '<'} {_sql_number(b.upper)}"
                arms.append(f"WHEN {lower} AND {upper} THEN {b.points}")
            expr = f"CASE {' '.join(arms)} ELSE 0 END"
        if ind.when:
            guard = " AND ".join(
                f"CAST({c.variable} AS DOUBLE) {c.op.replace('==', '=')} {c.threshold!r}" for c in ind.when
            )
            expr = f"CASE WHEN {guard} THEN {expr} ELSE 0 END"
        points.append(f"CAST({expr} AS INTEGER) AS points_{ind.code}")
    codes = m.indicator_codes
    total = " + ".join(f"points_{c}" for c in codes)
    level = (
        "CASE "
        + " ".join(f"WHEN score >= {s} THEN {lv}" for lv, s in reversed(m.score_ladder))
        + f" ELSE {m.base_level} END"
    )
    gated, gate = "level0", "NULL"
    for g in m.gates:
        cond = " AND ".join(
            f"CAST({c.variable} AS DOUBLE) {c.op.replace('==', '=')} {c.threshold!r}" for c in g.when
        )
        gated = (
            f"CASE WHEN {cond} THEN LEAST(GREATEST({gated}, {g.level_min}), {g.level_max}) ELSE {gated} END"
        )
        gate = f"CASE WHEN {cond} THEN '{g.code}' ELSE {gate} END"
    negatives = ", ".join(f"{{'p': points_{c}, 'i': {i}}}" for i, c in enumerate(codes))
    code_list = "[" + ", ".join(f"'{c}'" for c in codes) + "]"
    dims = {d: " + ".join(f"points_{i.code}" for i in m.indicators if i.dimension == d) for d in "MNDS"}
    return f"""
WITH step1 AS (
  SELECT *, {step1} AS hidden_income FROM {table}
), step1b AS (
  SELECT *, {declared} + hidden_income AS income FROM step1
), step2 AS (
  SELECT *, income / n_members / {pm!r} AS pci_ratio FROM step1b
), pts AS (
  SELECT family_id, hidden_income, income, pci_ratio, n_dwellings, n_cars, livestock_value, n_commercial_property,
         {", ".join(points)}
  FROM step2
), scored AS (
  SELECT *, CAST({total} AS INTEGER) AS score,
         list_sort(list_filter([{negatives}], lambda x: x.p < 0)) AS negative
  FROM pts
), leveled AS (
  SELECT *, {level} AS level0 FROM scored
)
SELECT family_id, score, {", ".join(f"CAST({e} AS INTEGER) AS score_{d.lower()}" for d, e in dims.items())},
       hidden_income, CASE WHEN income > 0 THEN hidden_income / income ELSE 0.0 END AS hidden_income_share,
       pci_ratio, CAST({gated} AS TINYINT) AS level, {gate} AS gate,
       {code_list}[negative[1].i + 1] AS reason_1, {code_list}[negative[2].i + 1] AS reason_2,
       {code_list}[negative[3].i + 1] AS reason_3,
       {", ".join(f"points_{c}" for c in codes)}
FROM leveled
"""


# ---------------------------------------------------------------- memory-bandwidth floor
@njit(parallel=True, cache=True)
def _read_write(source, target):
    """Stream-read `source` and stream-write `target` on all threads: the best case for those bytes."""
    total = 0.0
    for i in prange(source.shape[0]):
        total += source[i]
    for i in prange(target.shape[0]):
        target[i] = 1.0
    return total


def bandwidth_floor(in_bytes: int, out_bytes: int, repeat: int) -> tuple[float, float]:
    """Seconds to read in_bytes and write out_bytes: (numpy sum + fill, one thread), (Numba, all threads)."""
    source = np.ones(in_bytes // 8)
    target = np.ones(out_bytes // 8)  # touched already, like the kernel's preallocated outputs
    numpy_best = threads_best = float("inf")
    _read_write(source[:10], target[:10])
    for _ in range(repeat):
        started = time.perf_counter()
        source.sum()
        target.fill(2.0)
        numpy_best = min(numpy_best, time.perf_counter() - started)
        started = time.perf_counter()
        _read_write(source, target)
        threads_best = min(threads_best, time.perf_counter() - started)
    return numpy_best, threads_best


# ---------------------------------------------------------------- equality checks
def _check_numpy(kernel, other) -> str:
    for name in kernel._fields:
        a, b = getattr(kernel, name), other[name]
        if a.shape != b.shape or not np.array_equal(a, b):
            return f"DIFFERS in {name}: {int((a != b).sum())} values"
    return "equal to the kernel (all outputs, floats bit for bit)"


def _check_sql(kernel, table: pa.Table, layout: KernelLayout) -> str:
    def labels(codes, index):
        lookup = np.array([*codes, None], dtype=object)
        return lookup[np.where(index < 0, len(codes), index)]

    problems = []
    checks = {
        "level": kernel.level, "score": kernel.score, "pci_ratio": kernel.pci_ratio,
        "hidden_income": kernel.hidden_income, "hidden_income_share": kernel.hidden_income_share,
        "score_m": kernel.dims[0], "score_n": kernel.dims[1], "score_d": kernel.dims[2], "score_s": kernel.dims[3],
        **{f"points_{c}": kernel.points[k] for k, c in enumerate(layout.indicator_codes)},
    }  # fmt: skip
    for name, want in checks.items():
        got = table.column(name).to_numpy()
        if not np.array_equal(got, want):
            problems.append(f"{name} ({int((got != want).sum())})")
    for name, want in (("gate", labels(layout.gate_codes, kernel.gate)),
                       *((f"reason_{r + 1}", labels(layout.indicator_codes, kernel.reasons[r])) for r in range(3))):  # fmt: skip
        got = np.array(table.column(name).to_pylist(), dtype=object)
        if not (got == want).all():
            problems.append(f"{name} ({int((got != want).sum())})")
    return "equal to the kernel (all outputs)" if not problems else "DIFFERS in " + ", ".join(problems)


# ---------------------------------------------------------------- JIT compile and cache
_FIRST_CALL = """
import time, json
started = time.perf_counter()
from scoring_core.kernel import build_kernel_inputs, run_kernel, score_kernel, score_kernel_serial
from scoring_core.config import load_methodology, METHODOLOGY_DIR
from scoring_core.synthetic import random_features
imported = time.perf_counter()
layout, params = build_kernel_inputs(load_methodology(METHODOLOGY_DIR / "kz-2026.1.yaml"))
columns = random_features(30_000)
t0 = time.perf_counter()
run_kernel(layout, params, columns, 50851.0)
t1 = time.perf_counter()
run_kernel(layout, params, columns, 50851.0)
t2 = time.perf_counter()
misses = sum(score_kernel._cache_misses.values())
hits = sum(score_kernel._cache_hits.values())
print(json.dumps({"import": imported - started, "first": t1 - t0, "second": t2 - t1, "hits": hits, "misses": misses}))
"""


def _first_call(cache_dir: str) -> dict:
    import json

    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir, "PYTHONPATH": os.getcwd()}
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def compile_check() -> None:
    with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache_dir:
        cold = _first_call(cache_dir)
        warm = _first_call(cache_dir)
    print(f"JIT: fresh process, empty cache: first call {cold['first']:.1f} s (compile; cache misses "
          f"{cold['misses']}), second call {cold['second'] * 1e3:.1f} ms")  # fmt: skip
    print(f"JIT: second fresh process, same cache: first call {warm['first'] * 1e3:.0f} ms, cache hits "
          f"{warm['hits']}, misses {warm['misses']} -> {'no recompilation' if warm['misses'] == 0 else 'RECOMPILED'}")  # fmt: skip
    own = os.environ.get("NUMBA_CACHE_DIR")
    print(f"JIT: this process's cache: {own or 'next to the modules (__pycache__)'}")


# ---------------------------------------------------------------- main
def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def bench_size(n: int, full: dict, m: Methodology, pm: float, repeat: int, alternatives: bool) -> None:
    columns = {name: values[:n] for name, values in full.items() if values is not None}
    layout, params = build_kernel_inputs(m)
    out = allocate_outputs(n, layout)
    run_kernel(layout, params, columns, pm, out=out)  # warm (and touch the outputs)
    kernel_s = _best(lambda: run_kernel(layout, params, columns, pm, out=out), repeat)
    levels_out = allocate_outputs(n, layout, levels_only=True)
    levels_s = _best(
        lambda: run_kernel(layout, params, columns, pm, levels_only=True, out=levels_out), repeat
    )
    in_bytes = sum(columns[f].nbytes for f in layout.features)
    out_bytes = sum(a.nbytes for a in out)
    numpy_floor, threads_floor = bandwidth_floor(in_bytes, out_bytes, repeat)
    print(f"\n--- {n:,} families ---")
    print(f"kernel: {kernel_s:.3f} s = {n / kernel_s / 1e6:.1f} M families/s "
          f"(reads {in_bytes / 1e9:.2f} GB, writes {out_bytes / 1e9:.2f} GB; {numba.get_num_threads()} threads)")  # fmt: skip
    print(f"kernel, levels only (what-if path): {levels_s:.3f} s = {n / levels_s / 1e6:.1f} M families/s")
    print(f"bandwidth floor for the same bytes: numpy sum+fill {numpy_floor:.3f} s, all-thread stream "
          f"{threads_floor:.3f} s")  # fmt: skip
    print(f"kernel vs floor: {numpy_floor / kernel_s:.0%} of the numpy floor, {threads_floor / kernel_s:.0%} of the "
          f"all-thread floor (goal >= 50%)")  # fmt: skip

    table = pa.table({"family_id": full["family_id"][:n], **{f: columns[f] for f in m.features}})
    started = time.perf_counter()
    result = score(table, m, PERIOD, pm=pm)
    api_s = time.perf_counter() - started
    print(f"score() end to end (Arrow in, validation, kernel, Arrow out): {api_s:.3f} s = {n / api_s / 1e6:.1f} M/s, "
          f"{result.scores.num_rows:,} scored")  # fmt: skip
    del result
    if not alternatives:
        return

    started = time.perf_counter()
    numpy_out = numpy_score(columns, layout, params, pm)
    numpy_s = time.perf_counter() - started
    print(
        f"numpy vectorised: {numpy_s:.3f} s, {_check_numpy(out, numpy_out)}; kernel is {numpy_s / kernel_s:.1f}x faster (goal >= 20x)"
    )
    del numpy_out

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("features", table)
    sql = scoring_sql(m, pm, "features")
    started = time.perf_counter()
    sql_table = con.sql(sql).to_arrow_table()
    sql_s = time.perf_counter() - started
    print(f"DuckDB SQL ({duckdb.__version__}, 2 threads, Arrow in and out): {sql_s:.3f} s, "
          f"{_check_sql(out, sql_table, layout)}; kernel is {sql_s / kernel_s:.1f}x faster (goal >= 20x)")  # fmt: skip
    con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="scoring kernel benchmark")
    parser.add_argument("--sizes", default="6200000,10000000", help="comma-separated family counts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-alternatives", action="store_true", help="skip the numpy and SQL versions")
    parser.add_argument("--no-compile-check", action="store_true", help="skip the fresh-process JIT timing")
    args = parser.parse_args(argv if argv is not None else [])
    sizes = [int(s) for s in args.sizes.split(",")]
    m = methodology_for_period(PERIOD)
    pm = subsistence_minimum(PERIOD)
    started = time.perf_counter()
    full = random_features(max(sizes), pm, seed=7)
    print(f"methodology {m.version}, PM {pm:,.0f}; generated {max(sizes):,} synthetic families in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    started = time.perf_counter()
    run_kernel(*build_kernel_inputs(m), {k: v[:1000] for k, v in full.items() if v is not None}, pm)
    print(f"first kernel call in this process (cache load or compile): {time.perf_counter() - started:.2f} s")
    for n in sizes:
        bench_size(n, full, m, pm, args.repeat, not args.no_alternatives)
    if not args.no_compile_check:
        print()
        compile_check()


if __name__ == "__main__":
    main(sys.argv[1:])
