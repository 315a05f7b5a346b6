"""The gate log: every quality-gate outcome, kept in the warehouse for audit and for later runs.

Dagster stops downstream steps of a failed blocking check within a run. The regional lists run
in a later run, so they consult this log instead: a month whose national gates failed (or never
ran) gets no eligibility list, whoever launches the regional run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import dagster as dg
import duckdb

GATE_LOG_TABLE = "quality_gate_log"

_CREATE = f"""
create table if not exists {GATE_LOG_TABLE} (
    period varchar not null,
    region varchar not null,          -- '' for a national gate
    asset varchar not null,
    check_name varchar not null,
    blocking boolean not null,
    passed boolean not null,
    run_id varchar not null,
    evaluated_at timestamp not null,
    note varchar not null             -- e.g. who approved a drift, and why
)
"""


class GatesNotPassed(dg.Failure):
    """Raised when a period's national gates failed or have not run."""


def record(
    connection: duckdb.DuckDBPyConnection,
    period: str,
    region: str,
    run_id: str,
    results: Iterable[dg.AssetCheckResult],
    note: str = "",
) -> None:
    """Append check outcomes to the gate log (one row per check)."""
    connection.execute(_CREATE)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            period,
            region,
            "/".join(result.asset_key.path) if result.asset_key else "",
            result.check_name or "",
            result.severity == dg.AssetCheckSeverity.ERROR,
            result.passed,
            run_id,
            now,
            note,
        )
        for result in results
    ]
    if rows:
        connection.executemany(f"insert into {GATE_LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def failed_national_gates(connection: duckdb.DuckDBPyConnection, period: str) -> list[str] | None:
    """Blocking national checks whose latest outcome for `period` failed; None if none ever ran."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_name = ?", [GATE_LOG_TABLE]
    ).fetchone()[0]
    if not exists:
        return None
    latest = connection.execute(
        f"""
        select check_name, passed from (
            select check_name, passed,
                   row_number() over (partition by asset, check_name order by evaluated_at desc) as newest
            from {GATE_LOG_TABLE} where period = ? and region = '' and blocking
        ) where newest = 1
        """,
        [period],
    ).fetchall()
    if not latest:
        return None
    return sorted(name for name, passed in latest if not passed)


def require_national_gates(connection: duckdb.DuckDBPyConnection, period: str) -> None:
    """Refuse to go on unless the period's national gates ran and passed."""
    failed = failed_national_gates(connection, period)
    if failed is None:
        raise GatesNotPassed(f"the national quality gates of {period} have not run: score the month first")
    if failed:
        raise GatesNotPassed(f"the national quality gates of {period} failed: {', '.join(failed)}")
