"""Files and PostgreSQL on one version: PostgreSQL switches first, the files follow, both log."""

from __future__ import annotations

from orchestration.publication.postgres import load_snapshot_to_postgres, postgres_state
from orchestration.publication.release import recover_files_from_postgres
from orchestration.publication.snapshot import (
    current_version,
    list_versions,
    publish_snapshot,
    read_publication_log,
    switch_current,
)
from tests.publication.conftest import PERIOD, REGION, publish_args, service_list


def write(tmp_path, families: int, run_id: str):
    return publish_snapshot(
        tmp_path,
        PERIOD,
        REGION,
        {"asp": service_list("asp", families)},
        **publish_args(run_id=run_id),
        make_current=False,
    )


def test_a_version_written_without_switching_is_not_current_and_nothing_is_logged(tmp_path):
    snapshot = write(tmp_path, 3, "run-1")
    assert snapshot.status == "published" and not snapshot.current_switched
    assert list_versions(tmp_path, PERIOD, REGION) == [snapshot.version]
    assert not (tmp_path / PERIOD / REGION / "CURRENT").exists()
    assert read_publication_log(tmp_path, PERIOD, REGION) == []


def test_every_switch_of_current_is_logged_with_from_to_and_run(tmp_path):
    first, second = write(tmp_path, 3, "run-1"), write(tmp_path, 4, "run-2")
    assert switch_current(tmp_path, PERIOD, REGION, first.version, run_id="run-1")
    assert switch_current(tmp_path, PERIOD, REGION, second.version, run_id="run-2")
    assert not switch_current(tmp_path, PERIOD, REGION, second.version, run_id="run-3")  # already current
    log = read_publication_log(tmp_path, PERIOD, REGION)
    assert [(e["from_version"], e["to_version"], e["run_id"]) for e in log] == [
        (None, first.version, "run-1"),
        (first.version, second.version, "run-2"),
    ]


def test_a_publisher_killed_between_the_database_and_the_files_is_repaired_by_the_next_attempt(
    tmp_path, postgres_uri
):
    first, second = write(tmp_path, 3, "run-1"), write(tmp_path, 4, "run-2")
    load_snapshot_to_postgres(postgres_uri, first.path, run_id="run-1")
    switch_current(tmp_path, PERIOD, REGION, first.version, run_id="run-1")
    # run-2 committed in PostgreSQL, then died before flipping the files.
    load_snapshot_to_postgres(postgres_uri, second.path, run_id="run-2")
    assert current_version(tmp_path, PERIOD, REGION) == first.version
    assert postgres_state(postgres_uri, PERIOD, REGION)[0] == second.version

    assert (
        recover_files_from_postgres(tmp_path, PERIOD, REGION, postgres_uri, run_id="run-3") == second.version
    )
    assert current_version(tmp_path, PERIOD, REGION) == second.version
    last = read_publication_log(tmp_path, PERIOD, REGION)[-1]
    assert (last["to_version"], last["run_id"], last["reason"]) == (
        second.version,
        "run-3",
        "recovery: follow PostgreSQL",
    )
    # Both sides agree now: a second attempt changes nothing.
    assert recover_files_from_postgres(tmp_path, PERIOD, REGION, postgres_uri, run_id="run-4") is None


def test_files_newer_than_the_database_are_not_moved_back(tmp_path, postgres_uri):
    first, second = write(tmp_path, 3, "run-1"), write(tmp_path, 4, "run-2")
    load_snapshot_to_postgres(postgres_uri, first.path, run_id="run-1")
    switch_current(
        tmp_path, PERIOD, REGION, second.version, run_id="run-2"
    )  # e.g. published without a database
    assert recover_files_from_postgres(tmp_path, PERIOD, REGION, postgres_uri, run_id="run-3") is None
    assert current_version(tmp_path, PERIOD, REGION) == second.version
