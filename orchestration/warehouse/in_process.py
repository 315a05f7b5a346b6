"""dbt run inside this Python process (dbtRunner), for the short commands where importing dbt
once matters: on-demand rescoring, and the tests that build a hand-made warehouse many times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NodeResult:
    """What dbt did with one node: its name and status, never its message (a database error
    may quote a row's values, IINs included)."""

    name: str
    status: str


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an invocation.

    Without this, a later `duckdb.connect` of the same file in this process fails ("different
    configuration than existing connections"), and an attached database stays locked.
    `_ENV` is dbt-duckdb's private singleton.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


def invoke(args: Sequence[str], manifest=None) -> tuple[bool, list[NodeResult]]:
    """Run one dbt command in process; whether it succeeded and each node's status.

    dbt's own log lines go nowhere (`--log-level none`, also for its log file): they quote the
    database's errors, which may carry a row's values.
    """
    from dbt.cli.main import dbtRunner

    try:
        result = dbtRunner(manifest=manifest).invoke(
            [*args, "--log-level", "none", "--log-level-file", "none"]
        )
    finally:
        release_duckdb()
    nodes = [] if result.result is None or not hasattr(result.result, "results") else result.result.results
    return result.success, [NodeResult(node.node.name, str(node.status)) for node in nodes]
