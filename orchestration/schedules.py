"""The monthly rescoring schedule.

The registries deliver the extracts of month M during the first days of month M+1 (the
delivery contract gives them until the 3rd). The schedule runs on the 5th at 06:00 Almaty time
and scores month M, leaving a day's margin; the landing sensor usually starts the run earlier,
as soon as a drop is complete, and the schedule then only re-scores with the same inputs.
"""

from datetime import date, datetime

import dagster as dg

from orchestration.jobs import monthly_scoring_job
from orchestration.landing.drop import inspect_drop
from orchestration.resources import LandingResource

RESCORING_CRON = "0 6 5 * *"
RESCORING_TIMEZONE = "Asia/Almaty"


def period_before(day: date) -> str:
    """The last complete month before `day`, as `YYYY-MM`."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@dg.schedule(
    cron_schedule=RESCORING_CRON,
    execution_timezone=RESCORING_TIMEZONE,
    job=monthly_scoring_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Monthly rescoring of every family, on the 5th at 06:00 Almaty time, for the previous month.",
)
def monthly_rescoring_schedule(
    context: dg.ScheduleEvaluationContext, landing: LandingResource
) -> dg.RunRequest:
    tick: datetime = context.scheduled_execution_time
    period = period_before(tick.date())
    drop = inspect_drop(landing.month_dir(period), verify_checksums=False)
    return dg.RunRequest(
        run_key=rescoring_run_key(period, drop.fingerprint() if drop.complete else None),
        partition_key=period,
        tags={"trigger": "schedule"},
    )


def rescoring_run_key(period: str, drop_fingerprint: str | None) -> str:
    """The schedule's run key: once per period and drop, so a corrected re-delivery is rescored;
    an incomplete drop still runs once (its landing step then names what is missing)."""
    return f"rescoring-{period}-{drop_fingerprint or 'incomplete'}"
