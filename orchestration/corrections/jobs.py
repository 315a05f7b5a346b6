"""The Dagster side of corrections: rescoring a set of families on demand.

Launched from the UI (Launchpad of `rescore_families_job`) with the month and the families or
corrections; the step waits in the warehouse pool while a monthly run holds the warehouse, and
shows each family's before and after as a table in its output metadata.
"""

import dagster as dg

from kz_domain.period import parse_period
from orchestration.corrections import rescoring
from orchestration.resources import EXECUTOR, WAREHOUSE_POOL
from orchestration.settings import PlatformPaths


class RescoringConfig(dg.Config):
    """The month and the families to rescore: family ids, and/or the corrections whose
    families to take (a correction's family in the month's warehouse)."""

    period: str
    family_ids: list[int] = []
    correction_ids: list[str] = []


@dg.op(
    pool=WAREHOUSE_POOL,
    tags={"kind": "dbt"},
    description="Recompute families' features, level and eligibility with the corrections in force, "
    "from the month's warehouse, without rebuilding the month; shows before and after.",
)
def rescore_families(context: dg.OpExecutionContext, config: RescoringConfig) -> dg.Output[int]:
    paths = PlatformPaths.from_env()
    period = parse_period(config.period)
    try:
        families = [*config.family_ids, *rescoring.families_of(paths, period, config.correction_ids)]
        context.log.info("rescoring %d families of %s", len(set(families)), period)
        result = rescoring.rescore(paths, period, families)
    except (rescoring.RescoringError, ValueError) as error:
        raise dg.Failure(str(error)) from None
    table = result.table.fillna("")
    context.log.info(rescoring.report(result).splitlines()[-1])
    return dg.Output(
        result.changed_levels(),
        metadata={
            "families": len(result.families),
            "levels_changed": result.changed_levels(),
            "before_and_after": dg.MetadataValue.md(table.to_markdown(index=False)),
            "seconds": dg.MetadataValue.json({k: round(v, 2) for k, v in result.seconds.items()}),
            "published": "nothing: the next monthly run, or a republication of the region, applies the corrections",
        },
    )


@dg.job(
    executor_def=EXECUTOR,
    description="Rescore families on demand after a correction: before and after, nothing published.",
)
def rescore_families_job() -> None:
    rescore_families()
