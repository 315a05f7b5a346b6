"""Sensors: start the month when its landing drop is complete, chain its regional publications and
analytics, and reconcile the payment outcomes that come back."""

import hashlib

import dagster as dg

from kz_domain.regions import PILOT_REGIONS
from orchestration.jobs import monthly_analytics_job, monthly_scoring_job, regional_publication_job
from orchestration.landing.drop import inspect_drop
from orchestration.partitions import month_region_key, monthly_partitions
from orchestration.payments.assets import payment_reconciliation_job
from orchestration.payments.outcomes import outcome_files
from orchestration.resources import LandingResource, PublicationResource

#: How often the run-status sensor that chains a month's runs looks for finished runs (Dagster's
#: default is 30 s: two hops, scoring -> regions -> analytics, waited up to a minute). The sensor
#: daemon itself loops every 5 s (Dagster's MIN_INTERVAL_LOOP_TIME): below that, this means
#: "at every loop", so a hop waits 2.5 s on average; 5 here would skip a loop whenever one
#: came a little early.
CHAINING_INTERVAL_SECONDS = 2
#: How many recent periods the landing sensor looks at.
RECENT_PERIODS = 3


def landing_run_key(period: str, drop_fingerprint: str) -> str:
    """The run key of a complete drop: a re-delivery of any one extract starts a new run, the
    same drop seen again does not."""
    return f"landing-{period}-{drop_fingerprint}"


@dg.sensor(
    job=monthly_scoring_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts the monthly job when a month's landing drop is complete; names late or missing extracts."
    ),
)
def landing_drop_sensor(context: dg.SensorEvaluationContext, landing: LandingResource):
    periods = monthly_partitions.get_partition_keys()[-RECENT_PERIODS:]
    requests, waiting = [], []
    for period in periods:
        drop = inspect_drop(landing.month_dir(period), verify_checksums=False)
        if drop.complete:
            requests.append(
                dg.RunRequest(
                    run_key=landing_run_key(period, drop.fingerprint()),
                    partition_key=period,
                    tags={"trigger": "landing_drop"},
                )
            )
        elif drop.manifest_found:
            waiting.append(f"{period}: " + ", ".join(drop.problems()))
    if waiting:
        context.log.warning("incomplete landing drops: %s", "; ".join(waiting))
    if requests:
        return dg.SensorResult(run_requests=requests)
    return dg.SkipReason("; ".join(waiting) or "no complete landing drop among the recent months")


def regional_runs_after_scoring(scoring_run: dg.DagsterRun) -> list[dg.RunRequest] | dg.SkipReason:
    """One regional publication run per pilot region of the month a scoring run scored."""
    period = scoring_run.tags.get("dagster/partition")
    if not period:
        return dg.SkipReason("the scoring run had no partition")
    return [
        dg.RunRequest(
            run_key=f"{scoring_run.run_id}-{region}",
            partition_key=month_region_key(period, region),
            job_name=regional_publication_job.name,
        )
        for region in PILOT_REGIONS
    ]


def analytics_run_key(period: str, current_versions: dict[str, str | None]) -> str:
    """The analytics run key: once per period and state of its publication (each pilot region's
    current version), so a republication is analysed again and a rerun that published nothing
    new is not."""
    state = ",".join(f"{region}={current_versions.get(region) or '-'}" for region in sorted(current_versions))
    return f"analytics-{period}-{hashlib.sha256(state.encode()).hexdigest()[:16]}"


def current_versions(root: str, period: str) -> dict[str, str | None]:
    """Each pilot region's current published version of a period (None where none is)."""
    from orchestration.publication.snapshot import NoCurrentSnapshot, current_version

    versions: dict[str, str | None] = {}
    for region in PILOT_REGIONS:
        try:
            versions[region] = current_version(root, period, region)
        except NoCurrentSnapshot:
            versions[region] = None
    return versions


_IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def regions_in_flight(instance: dg.DagsterInstance, period: str) -> list[str]:
    """The partitions of the period's regional runs that are queued or running."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=regional_publication_job.name, statuses=_IN_FLIGHT)
    )
    partitions = [record.dagster_run.tags.get("dagster/partition", "") for record in records]
    return [partition for partition in partitions if partition.split("|")[0] == period]


def analytics_after_publication(
    instance: dg.DagsterInstance, regional_run: dg.DagsterRun, publication_root: str
) -> dg.RunRequest | dg.SkipReason:
    """The month's analytics run once its last regional run in flight has published."""
    period = regional_run.tags.get("dagster/partition", "").split("|")[0]
    if not period:
        return dg.SkipReason("the publication run had no partition")
    if regions_in_flight(instance, period):
        # the month's last regional run to finish starts the analytics, once
        return dg.SkipReason(f"other regions of {period} are still being published")
    return dg.RunRequest(
        run_key=analytics_run_key(period, current_versions(publication_root, period)),
        partition_key=period,
        job_name=monthly_analytics_job.name,
    )


# One sensor for both hops of the chain: the order of a month's runs is decided in one place, and
# the code server evaluates one run-status sensor per daemon loop, not two.
@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[monthly_scoring_job, regional_publication_job],
    minimum_interval_seconds=CHAINING_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    request_jobs=[regional_publication_job, monthly_analytics_job],
    description="Chains a month's runs: after the month is scored, builds, gates and publishes each pilot "
    "region's lists; after its last region publishes, explains the month's changes and audits targeting "
    "(once per state of the month's publication).",
)
def chain_month_runs(context: dg.RunStatusSensorContext, publication: PublicationResource):
    run = context.dagster_run
    if run.job_name == monthly_scoring_job.name:
        return regional_runs_after_scoring(run)
    return analytics_after_publication(context.instance, run, publication.root)


def outcomes_run_key(period: str, region: str, files: dict[str, bytes]) -> str:
    """The run key of a period and region's outcome files: a new or re-delivered file starts a
    new reconciliation, the same files seen again do not."""
    digest = hashlib.sha256()
    for version in sorted(files):
        digest.update(f"{version}:{hashlib.sha256(files[version]).hexdigest()};".encode())
    return f"outcomes-{period}-{region}-{digest.hexdigest()[:16]}"


@dg.sensor(
    job=payment_reconciliation_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Reconciles a period and region's payment outcomes when a payment system drops or re-delivers a file.",
)
def payment_outcomes_sensor(context: dg.SensorEvaluationContext, publication: PublicationResource):
    requests = []
    for period in monthly_partitions.get_partition_keys()[-RECENT_PERIODS:]:
        for region in PILOT_REGIONS:
            files = {
                v: path.read_bytes()
                for v, path in outcome_files(publication.outcomes_root, period, region).items()
            }
            if files:
                requests.append(
                    dg.RunRequest(
                        run_key=outcomes_run_key(period, region, files),
                        partition_key=month_region_key(period, region),
                        tags={"trigger": "payment_outcomes"},
                    )
                )
    if requests:
        return dg.SensorResult(run_requests=requests)
    return dg.SkipReason("no payment outcome file among the recent months")
