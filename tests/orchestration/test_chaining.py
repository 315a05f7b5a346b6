"""The run-status sensor that chains a month's runs, evaluated on a real Dagster instance:
scoring -> one publication run per pilot region -> the analytics, once the month's last region
has published."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

from orchestration.resources import PublicationResource
from orchestration.sensors import chain_month_runs

#: Dagster launches a request only for a job the sensor targets.
TARGET_JOBS = {target.job_name for target in chain_month_runs.targets}


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def publication(tmp_path):
    return PublicationResource(root=str(tmp_path / "published"), reference_key_path=str(tmp_path / "key"))


def add_run(instance, job_name: str, partition: str, status=dg.DagsterRunStatus.SUCCESS) -> dg.DagsterRun:
    # the instance keeps a queued run only with the origin the queue would launch it from
    origin = RemoteJobOrigin(
        repository_origin=RemoteRepositoryOrigin(
            code_location_origin=InProcessCodeLocationOrigin(
                loadable_target_origin=LoadableTargetOrigin(module_name="orchestration.definitions")
            ),
            repository_name="__repository__",
        ),
        job_name=job_name,
    )
    run = dg.DagsterRun(
        job_name=job_name, status=status, tags={"dagster/partition": partition}, remote_job_origin=origin
    )
    instance.add_run(run)
    return run


def success(run: dg.DagsterRun) -> DagsterEvent:
    return DagsterEvent(DagsterEventType.RUN_SUCCESS.value, job_name=run.job_name)


def evaluate(instance, publication, run: dg.DagsterRun):
    context = dg.build_run_status_sensor_context(
        sensor_name=chain_month_runs.name,
        dagster_event=success(run),
        dagster_instance=instance,
        dagster_run=run,
        resources={"publication": publication},
    )
    return chain_month_runs(context)


def test_a_scored_month_requests_one_publication_run_per_pilot_region(instance, publication):
    scoring = add_run(instance, "monthly_scoring_job", "2026-10")

    requests = evaluate(instance, publication, scoring)

    assert {(r.job_name, str(r.partition_key)) for r in requests} == {
        ("regional_publication_job", "2026-10|79"),
        ("regional_publication_job", "2026-10|35"),
    }
    assert {r.job_name for r in requests} <= TARGET_JOBS
    # one request per scoring run and region: the same run seen again requests nothing new
    assert {r.run_key for r in requests} == {f"{scoring.run_id}-79", f"{scoring.run_id}-35"}


def test_the_analytics_wait_for_the_months_last_region_to_publish(instance, publication):
    # the queue holds the second region's run while the first holds the warehouse
    first = add_run(instance, "regional_publication_job", "2026-10|79")
    last = add_run(instance, "regional_publication_job", "2026-10|35", status=dg.DagsterRunStatus.QUEUED)

    assert isinstance(evaluate(instance, publication, first), dg.SkipReason)

    instance.report_dagster_event(success(last), run_id=last.run_id)
    request = evaluate(instance, publication, instance.get_run_by_id(last.run_id))
    assert (request.job_name, request.partition_key) == ("monthly_analytics_job", "2026-10")
    assert request.job_name in TARGET_JOBS


def test_another_months_regional_run_in_flight_does_not_hold_the_analytics(instance, publication):
    add_run(instance, "regional_publication_job", "2026-11|79", status=dg.DagsterRunStatus.STARTED)
    region = add_run(instance, "regional_publication_job", "2026-10|35")

    request = evaluate(instance, publication, region)

    assert (request.job_name, request.partition_key) == ("monthly_analytics_job", "2026-10")


def test_a_run_without_a_partition_requests_nothing(instance, publication):
    for job_name in ("monthly_scoring_job", "regional_publication_job"):
        assert isinstance(evaluate(instance, publication, add_run(instance, job_name, "")), dg.SkipReason)
