"""Small warehouse queries that more than one domain needs."""

from __future__ import annotations

import duckdb


def rule_versions(connection: duckdb.DuckDBPyConnection, period: str, region: str) -> dict[str, str]:
    """The rule version in force for each service of the region (also for a service nobody gets)."""
    rows = connection.execute(
        "select service, arg_max(rule_version, valid_from) from eligibility_service_rules "
        "where region = ? and valid_from <= cast(? || '-01' as date) group by service",
        [region, period],
    ).fetchall()
    return dict(rows)
