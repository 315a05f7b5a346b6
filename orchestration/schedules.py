"""The monthly rescoring schedule.

The registries deliver the extracts of month M during the first days of month M+1 (the
delivery contract gives them until the 3rd). The schedule runs on the 5th at 06:00 Almaty time
and scores month M, leaving a day's margin; the landing sensor usually starts the run earlier,
as soon as a drop is complete, and the schedule then only re-scores with the same inputs.
"""

from datetime import date, datetime

import dagster as dg

from orchestration.jobs import monthly_scoring_job

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
    description="Monthly rescoring of every family, on the 5th at 06:00 Almaty time, for the previous month.",
)
def monthly_rescoring_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    tick: datetime = context.scheduled_execution_time
    period = period_before(tick.date())
    return dg.RunRequest(run_key=f"rescoring-{period}", partition_key=period, tags={"trigger": "schedule"})
