"""Distribution and continuity of a month against the previous one, per region: a feed that is
present, well formed and of the usual size can still be wrong (another population, a registry
joined on the wrong key). The arithmetic of the gate `family_scores:month_continuity`; its
tolerances are in `expectations/drift_tolerances.yaml` (`continuity`).

Measured per region, in the warehouse (both months are kept there):

* distribution, against the previous month's value (absolute change of a share, relative change
  of the mean): the shares of families with no declared income, with no dwelling, with a car, with
  a disability, and the mean declared monthly income per family;
* continuity: the share of this month's persons and families that were there the month before,
  and the share of the families carried over whose level changed.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.quality.tolerances import ContinuityTolerance

_DECLARED_INCOME = "income_wages + income_entrepreneur + income_pensions_benefits"

#: Distribution metrics: name -> SQL over family_features (a share, or the mean income).
DISTRIBUTION = {
    "share_no_declared_income": f"avg(({_DECLARED_INCOME} = 0)::double)",
    "share_no_dwelling": "avg((n_dwellings = 0)::double)",
    "share_with_car": "avg((n_cars > 0)::double)",
    "share_with_disability": "avg((n_disabled_adults_g12 + n_disabled_adults_g3 + n_disabled_children > 0)::double)",
    "mean_declared_income": f"avg({_DECLARED_INCOME})",
}


def distribution(connection: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    """One row per region of the period: every distribution metric."""
    selected = ", ".join(f"{sql} as {name}" for name, sql in DISTRIBUTION.items())
    return connection.execute(
        f"select region_kato, {selected} from family_features where period = ? group by region_kato",
        [period],
    ).df()


def carried_over(connection: duckdb.DuckDBPyConnection, period: str, previous: str) -> pd.DataFrame:
    """Per region of the period: the shares of persons and families carried over from `previous`,
    and the share of the carried-over families whose level changed."""
    families = connection.execute(
        """
        with now as (select family_id, region_kato, level from family_scores where period = ?),
        before as (select family_id, level from family_scores where period = ?)
        select now.region_kato,
            avg((before.family_id is not null)::double) as families_carried_over,
            coalesce(avg(case when before.family_id is not null then (before.level <> now.level)::double end), 0)
                as families_changing_level
        from now left join before on before.family_id = now.family_id
        group by now.region_kato
        """,
        [period, previous],
    ).df()
    persons = connection.execute(
        """
        with now as (
            select members.iin, features.region_kato
            from family_members as members
            join family_features as features
              on features.family_id = members.family_id and features.period = members.period
            where members.period = ?
        ),
        before as (select distinct iin from family_members where period = ?)
        select now.region_kato, avg((before.iin is not null)::double) as persons_carried_over
        from now left join before on before.iin = now.iin
        group by now.region_kato
        """,
        [period, previous],
    ).df()
    return families.merge(persons, on="region_kato", how="outer")


def continuity_table(
    current: pd.DataFrame, baseline: pd.DataFrame, links: pd.DataFrame, tolerance: ContinuityTolerance
) -> pd.DataFrame:
    """One row per region and metric: value now, value in the previous month (distribution), the
    change or the value judged, its limit and whether it is within. Regions the previous month did
    not have are not judged (no baseline)."""
    rows: list[tuple] = []
    before = baseline.set_index("region_kato")
    carried = links.set_index("region_kato") if len(links) else pd.DataFrame()
    for region in sorted(set(before.index) - set(current["region_kato"])):
        # a region scored last month and absent now: its families vanished from the month
        rows.append((region, "region_present", 0.0, 1.0, 0.0, "present", False))
    for record in current.itertuples(index=False):
        region = record.region_kato
        if region not in before.index:
            continue
        for metric in DISTRIBUTION:
            now, then = float(getattr(record, metric)), float(before.at[region, metric])
            if metric == "mean_declared_income":
                change = abs(now - then) / then if then else (0.0 if now == then else 1.0)
                limit = tolerance.max_mean_income_change
            else:
                change, limit = abs(now - then), tolerance.max_share_change[metric]
            rows.append((region, metric, now, then, change, f"<= {limit}", change <= limit))
        if region in carried.index:
            for metric, limit, at_least in [
                ("persons_carried_over", tolerance.min_persons_carried_over, True),
                ("families_carried_over", tolerance.min_families_carried_over, True),
                ("families_changing_level", tolerance.max_families_changing_level, False),
            ]:
                value = float(carried.at[region, metric])
                within = value >= limit if at_least else value <= limit
                rows.append(
                    (region, metric, value, None, value, f"{'>=' if at_least else '<='} {limit}", within)
                )
    return pd.DataFrame(
        rows, columns=["region_kato", "metric", "value", "previous", "judged", "limit", "within"]
    )
