"""The warehouse side of the change explanations: read two months of scores and features region
by region, explain them (orchestration.analytics.changes) and replace the period's rows of
`family_level_changes` in one transaction."""

from __future__ import annotations

import pandas as pd

from kz_domain.period import previous_period
from orchestration.analytics.changes import (
    CHANGES_TABLE,
    SourceMap,
    explain_changes,
    families_not_compared,
)
from orchestration.warehouse.queries import corrections_of
from scoring_core.config import Methodology


def scored_regions(connection, period: str) -> list[str]:
    """Regions with scores in the period (the unit of work: one region's families fit in memory)."""
    rows = connection.execute(
        "select distinct region_kato from family_scores where period = ? order by 1", [period]
    ).fetchall()
    return [r[0] for r in rows]


def read_month(connection, period: str, region: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, features) of one period and region from the warehouse."""
    scores = connection.execute(
        "select * from family_scores where period = ? and region_kato = ?", [period, region]
    ).df()
    features = connection.execute(
        "select * from family_features where period = ? and region_kato = ?", [period, region]
    ).df()
    return scores, features


def write_changes(connection, period: str, frames: list[pd.DataFrame]) -> int:
    """Replace the period's rows of `family_level_changes` by `frames` in one transaction."""
    connection.execute("begin transaction")
    try:
        for i, frame in enumerate(frames):
            connection.register("incoming_changes", frame)
            if i == 0:
                connection.execute(
                    f"create table if not exists {CHANGES_TABLE} as select * from incoming_changes limit 0"
                )
                # a table written before a column was added gains it (empty for earlier months)
                existing = {c[0] for c in connection.execute(f"describe {CHANGES_TABLE}").fetchall()}
                for column in frame.columns.difference(sorted(existing)):
                    connection.execute(f'alter table {CHANGES_TABLE} add column "{column}" varchar')
                connection.execute(f"delete from {CHANGES_TABLE} where period = ?", [period])
            connection.execute(f"insert into {CHANGES_TABLE} by name select * from incoming_changes")
            connection.unregister("incoming_changes")
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return sum(len(f) for f in frames)


def build_changes(connection, period: str, methodology: Methodology, source_map: SourceMap | None = None):
    """Explain every family of `period` vs the month before, region by region, and write the table.

    Returns (changes of all regions, counts of families not compared) or None when the previous
    month has no scores.
    """
    previous = previous_period(period)
    previous_regions = set(scored_regions(connection, previous))
    if not previous_regions:
        return None
    frames, not_compared = [], {"new_families": 0, "gone_families": 0}
    for region in scored_regions(connection, period):
        scores_a, features_a = read_month(connection, period, region)
        scores_b, features_b = read_month(connection, previous, region)
        for key, value in families_not_compared(scores_b, scores_a).items():
            not_compared[key] += value
        frames.append(
            explain_changes(
                scores_b,
                scores_a,
                features_b,
                features_a,
                methodology,
                source_map,
                corrections_of(connection, period),
            )
        )
    frames = [f for f in frames if len(f)]
    if frames:
        write_changes(connection, period, frames)
    changes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return changes, not_compared
