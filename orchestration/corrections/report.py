"""The regional report of corrections and appeals for a month: counts only, no person.

Per region (the family's region in the month's scores):

* appeals of the month: filed, still open, upheld, dismissed, withdrawn, and the days from
  filing to decision (median and longest) of those decided;
* corrections in force in the month (int_corrections_status): applied, lapsed (the registry
  came to agree), flagged for review (the registry said something else later);
* families with a correction in force whose level changed since the month before
  (family_level_changes, column `corrections`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from orchestration.corrections.appeals import appeals
from orchestration.warehouse.queries import table_exists

COLUMNS = (
    "region", "appeals_filed", "appeals_open", "appeals_upheld", "appeals_dismissed", "appeals_withdrawn",
    "median_days_to_decide", "max_days_to_decide", "corrections_in_force", "corrections_applied",
    "corrections_lapsed", "corrections_flagged", "levels_changed_with_a_correction",
)  # fmt: skip


def regional_report(connection, corrections_root: Path, period: str) -> pd.DataFrame:
    """One row per region with appeals or corrections in `period` (COLUMNS), and a total row."""
    month_appeals = [a for a in appeals(corrections_root).values() if a.period == period]
    families = pd.DataFrame({"family_id": [a.family_id for a in month_appeals]}, dtype="int64")
    connection.register("appealed_families", families)
    regions = dict(
        connection.execute(
            "select family_id, region_kato from family_scores where period = ? "
            "and family_id in (select family_id from appealed_families)",
            [period],
        ).fetchall()
    )
    connection.unregister("appealed_families")
    appeal_rows = pd.DataFrame(
        {
            "region": [regions.get(a.family_id, "unknown") for a in month_appeals],
            "state": [a.state for a in month_appeals],
            "days": [a.days_to_decide for a in month_appeals],
        },
        columns=["region", "state", "days"],
    )
    statuses = (
        connection.execute(
            "select coalesce(region_kato, 'unknown') as region, status, count(*) as n "
            "from intermediate.int_corrections_status where period = ? group by all",
            [period],
        ).df()
        if table_exists(connection, "int_corrections_status", "intermediate")
        else pd.DataFrame(columns=["region", "status", "n"])
    )
    changed = (
        connection.execute(
            "select region, count(*) as n from family_level_changes where period = ? "
            "and corrections is not null and level_change <> 0 group by region",
            [period],
        ).df()
        if table_exists(connection, "family_level_changes", "main")
        and "corrections" in {r[0] for r in connection.execute("describe family_level_changes").fetchall()}
        else pd.DataFrame(columns=["region", "n"])
    )
    rows = []
    for region in sorted(set(appeal_rows.region) | set(statuses.region) | set(changed.region)):
        mine = appeal_rows[appeal_rows.region == region]
        status = statuses[statuses.region == region].set_index("status")["n"]
        days = mine.days.dropna()
        rows.append(
            {
                "region": region,
                "appeals_filed": len(mine),
                "appeals_open": int((mine.state == "open").sum()),
                "appeals_upheld": int((mine.state == "upheld").sum()),
                "appeals_dismissed": int((mine.state == "dismissed").sum()),
                "appeals_withdrawn": int((mine.state == "withdrawn").sum()),
                "median_days_to_decide": float(days.median()) if len(days) else None,
                "max_days_to_decide": int(days.max()) if len(days) else None,
                "corrections_in_force": int(status.sum()),
                "corrections_applied": int(status.get("applied", 0)),
                "corrections_lapsed": int(status.get("lapsed", 0)),
                "corrections_flagged": int(status.get("flagged", 0)),
                "levels_changed_with_a_correction": int(changed[changed.region == region].n.sum()),
            }
        )
    report = pd.DataFrame(rows, columns=list(COLUMNS))
    if len(report):
        decided = appeal_rows.days.dropna()
        total = {column: report[column].sum() for column in COLUMNS[1:] if "days" not in column}
        total |= {
            "region": "all",
            "median_days_to_decide": float(decided.median()) if len(decided) else None,
            "max_days_to_decide": int(decided.max()) if len(decided) else None,
        }
        report = pd.concat([report, pd.DataFrame([total], columns=list(COLUMNS))], ignore_index=True)
    return report
