"""Small warehouse queries that more than one domain needs."""

from __future__ import annotations

import duckdb
import pandas as pd


def rule_versions(connection: duckdb.DuckDBPyConnection, period: str, region: str) -> dict[str, str]:
    """The rule version in force for each service of the region (also for a service nobody gets)."""
    rows = connection.execute(
        "select service, arg_max(rule_version, valid_from) from eligibility_service_rules "
        "where region = ? and valid_from <= cast(? || '-01' as date) group by service",
        [region, period],
    ).fetchall()
    return dict(rows)


def table_exists(connection: duckdb.DuckDBPyConnection, table: str, schema: str | None = None) -> bool:
    """Whether the warehouse has `table` (in `schema`, or in any schema)."""
    found = connection.execute(
        "select count(*) from information_schema.tables where table_name = ? "
        "and (? is null or table_schema = ?)",
        [table, schema, schema],
    ).fetchone()
    return bool(found and found[0])


def corrections_of(connection: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    """(family_id, correction_id) of the corrections of registry data in force in `period`: a
    person's through their family, a membership change through its family card. Read by the
    change explanations (month's warehouse) and the on-demand rescoring (its scratch database)."""
    if not table_exists(connection, "stg_corrections__in_force"):
        return pd.DataFrame({"family_id": pd.Series(dtype="int64"), "correction_id": pd.Series(dtype=object)})
    return connection.execute(
        """
        select members.family_id, corrections.correction_id
        from staging.stg_corrections__in_force as corrections
        join family_members as members on members.iin = corrections.subject_iin and members.period = ?
        where corrections.period = ?
        union
        select family_id, correction_id from staging.stg_corrections__in_force
        where kind = 'membership' and period = ?
        """,
        [period, period, period],
    ).df()
