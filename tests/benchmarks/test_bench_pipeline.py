"""The pure parts of the pipeline benchmark: step durations from an event log, the process tree."""

from __future__ import annotations

from types import SimpleNamespace

from benchmarks.bench_pipeline import (
    RunTiming,
    StepTiming,
    cpu_between,
    daemon_figures,
    month_finished,
    process_role,
    step_timings,
    tree_pids,
)


# Timestamps are binary-exact (halves, quarters) so differences compare exactly.
def record(timestamp: float, event_type: str | None = None, step_key: str | None = None) -> SimpleNamespace:
    """An event-log record shaped like Dagster's EventLogEntry (no event: a plain log line)."""
    event = SimpleNamespace(event_type_value=event_type, step_key=step_key) if event_type else None
    return SimpleNamespace(timestamp=timestamp, dagster_event=event)


def test_steps_last_from_start_to_success_or_failure_in_order_of_start():
    records = [
        record(100.0, "RUN_START"),
        record(100.5, "STEP_START", "landing_extracts"),
        record(101.0),  # a log line inside the step
        record(102.5, "STEP_OUTPUT", "landing_extracts"),
        record(103.0, "STEP_SUCCESS", "landing_extracts"),
        record(103.25, "STEP_START", "warehouse_dbt_models"),
        record(163.25, "STEP_FAILURE", "warehouse_dbt_models"),
        record(164.0, "RUN_FAILURE"),
    ]
    assert step_timings(records) == [
        StepTiming("landing_extracts", "success", 0.5, 2.5),
        StepTiming("warehouse_dbt_models", "failure", 3.25, 60.0),
    ]


def test_a_skipped_step_takes_no_time_and_an_unfinished_one_lasts_to_the_last_record():
    records = [
        record(10.0, "RUN_START"),
        record(11.0, "STEP_START", "family_scores"),
        record(12.0, "STEP_SKIPPED", "published_eligibility_lists"),
        record(15.0),  # the run crashed: no end event for family_scores
    ]
    assert step_timings(records) == [
        StepTiming("family_scores", "unfinished", 1.0, 4.0),
        StepTiming("published_eligibility_lists", "skipped", 2.0, 0.0),
    ]


def test_a_retried_step_counts_from_its_last_start():
    records = [
        record(0.0, "RUN_START"),
        record(1.0, "STEP_START", "family_scores"),
        record(2.0, "STEP_UP_FOR_RETRY", "family_scores"),
        record(5.0, "STEP_START", "family_scores"),
        record(6.5, "STEP_SUCCESS", "family_scores"),
    ]
    assert step_timings(records) == [StepTiming("family_scores", "success", 5.0, 1.5)]


def test_an_empty_log_has_no_steps():
    assert step_timings([]) == []


def test_the_tree_holds_the_root_and_every_descendant_but_not_siblings_or_ancestors():
    # 1 -> 50 (the benchmark) -> 60 (pipeline) -> 70 (dbt) -> 71 (a dbt worker); 60 -> 61; 1 -> 80
    parent_of = {50: 1, 60: 50, 61: 60, 70: 60, 71: 70, 80: 1, 1: 0}
    assert tree_pids(parent_of, 60) == {60, 61, 70, 71}
    assert tree_pids(parent_of, 71) == {71}
    assert tree_pids(parent_of, 999) == {999}  # ended before the sample: only itself


def run(job: str, status: str, created: float, ended: float | None, partition: str = "2026-10") -> RunTiming:
    return RunTiming(job, partition, status, created, created + 1.0, ended, created + 2.0, ())


def test_the_daemon_path_counts_from_the_scoring_runs_creation_to_the_last_region_and_the_analytics():
    runs = [
        run("monthly_scoring_job", "SUCCESS", 100.0, 140.0),
        run("regional_publication_job", "SUCCESS", 142.0, 150.0, "2026-10|79"),
        run("regional_publication_job", "SUCCESS", 142.5, 158.5, "2026-10|35"),
        run("monthly_analytics_job", "SUCCESS", 160.0, 166.25),
    ]
    assert month_finished(runs, regions=2)
    assert daemon_figures(runs, regions=2) == {"published": 58.5, "analytics": 66.25}


def test_the_daemon_path_waits_for_the_second_region_and_the_analytics():
    scored = [run("monthly_scoring_job", "SUCCESS", 100.0, 140.0)]
    one_region = [*scored, run("regional_publication_job", "SUCCESS", 142.0, 150.0, "2026-10|79")]
    assert not month_finished(scored, regions=2)
    assert not month_finished(one_region, regions=2)
    assert daemon_figures(one_region, regions=2) == {"published": None, "analytics": None}


def test_a_failed_run_ends_the_daemon_path_once_nothing_else_runs():
    failed = [
        run("monthly_scoring_job", "SUCCESS", 100.0, 140.0),
        run("regional_publication_job", "FAILURE", 142.0, 150.0, "2026-10|79"),
        run("regional_publication_job", "STARTED", 142.5, None, "2026-10|35"),
    ]
    assert not month_finished(failed, regions=2)
    finished = [*failed[:2], run("regional_publication_job", "SUCCESS", 142.5, 158.5, "2026-10|35")]
    assert month_finished(finished, regions=2)
    assert daemon_figures(finished, regions=2)["published"] is None


def test_processes_of_the_daemon_path_are_told_apart_by_their_command_line():
    venv = "/repo/.venv/bin"
    assert process_role(f"{venv}/python {venv}/dagster-daemon run -w workspace.yaml") == "daemon"
    assert (
        process_role(f"{venv}/python -m dagster api grpc --lazy-load-user-code --socket /tmp/x")
        == "code server"
    )
    run = f"{venv}/python -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7)"
    assert process_role(run) == "run process"
    assert process_role(f"{venv}/python {venv}/platform-dbt build --select path:models") == "dbt"
    assert process_role("/usr/bin/sh -c true") == "other"


def test_cpu_between_two_moments_is_the_difference_of_the_samples_before_them():
    timeline = [
        (10.0, {"dbt": 0.0}),
        (11.0, {"dbt": 1.5, "daemon": 0.25}),
        (12.0, {"dbt": 3.0, "daemon": 0.5}),
    ]
    assert cpu_between(timeline, 10.5, 12.0) == {"dbt": 3.0, "daemon": 0.5}
    assert cpu_between(timeline, 11.0, 11.9) == {}  # no sample in between: nothing measured
    assert cpu_between(timeline, 0.0, 11.0) == {"dbt": 1.5, "daemon": 0.25}
