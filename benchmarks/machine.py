"""How fast this machine is right now: a fixed reference workload printed next to benchmark figures.

On the shared 2-core machine the same work takes up to 40 % longer from one hour to the next (the
monthly dbt step of the pilot pipeline: 48.5 s, later 65.4 s, same commit). The benchmarks print
this reference before and after their runs, so that a reader can tell a slower machine from slower
code: compare two figures only when their references agree.
"""

from __future__ import annotations

import time

import duckdb

#: Generated rows grouped by DuckDB: hash aggregation is the dbt build's commonest heavy operator.
DUCKDB_ROWS = 10_000_000
#: Iterations of a pure-Python loop: Dagster's event handling and the runs' glue are Python.
PYTHON_ITERATIONS = 5_000_000


def duckdb_reference_seconds(rows: int = DUCKDB_ROWS, repeats: int = 3) -> float:
    """Best wall time of a hash group-by of `rows` generated rows into ~2.5 M groups, 2 DuckDB threads."""
    connection = duckdb.connect()
    connection.execute("set threads = 2; set enable_progress_bar = false")
    query = f"select count(*), sum(total) from (select i % 2500009 as k, sum(i) as total from range({rows}) t(i) group by k)"
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        connection.execute(query).fetchall()
        best = min(best, time.perf_counter() - started)
    connection.close()
    return best


def python_reference_seconds(iterations: int = PYTHON_ITERATIONS, repeats: int = 3) -> float:
    """Best wall time of a pure-Python loop of `iterations` multiplications and additions."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        sum(i * i for i in range(iterations))
        best = min(best, time.perf_counter() - started)
    return best


def reference_line(label: str) -> str:
    """One printable line: the two reference times now (lower = faster machine)."""
    return (
        f"machine reference {label}: DuckDB {duckdb_reference_seconds():.2f} s "
        f"(group-by of {DUCKDB_ROWS / 1e6:.0f} M generated rows, 2 threads), "
        f"Python {python_reference_seconds():.2f} s ({PYTHON_ITERATIONS / 1e6:.0f} M-step loop); best of 3, lower = faster"
    )
