"""The gate log: every quality-gate outcome, kept in the warehouse for audit and for later runs.

Dagster stops downstream steps of a failed blocking check within a run, but the regional lists
and their publication run later, in other runs, and can be started alone from the UI. So every
outcome is logged with the fingerprint of exactly the data it checked (`evidence`), and the
publication asks this log whether every required gate passed on the data it is about to publish.
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
    note varchar not null,            -- e.g. who approved a drift, and why
    dataset varchar not null default '',      -- what the gate checked (evidence.DATASET_TABLES)
    fingerprint varchar not null default ''   -- the fingerprint of exactly that data
)
"""


class GatesNotPassed(dg.Failure):
    """Raised when the gates required for a step did not all pass on the data it would use."""


def ensure_gate_log(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the log, or add the evidence columns to a log of an older version of the platform."""
    connection.execute(_CREATE)
    for column in ("dataset", "fingerprint"):
        connection.execute(
            f"alter table {GATE_LOG_TABLE} add column if not exists {column} varchar default ''"
        )


def record(
    connection: duckdb.DuckDBPyConnection,
    period: str,
    region: str,
    run_id: str,
    results: Iterable[dg.AssetCheckResult],
    note: str = "",
    *,
    dataset: str,
    fingerprint: str,
) -> None:
    """Append check outcomes (one row per check), bound to the fingerprint of what they checked."""
    ensure_gate_log(connection)
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
            dataset,
            fingerprint,
        )
        for result in results
    ]
    if rows:
        connection.executemany(f"insert into {GATE_LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
