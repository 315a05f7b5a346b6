"""The PostgreSQL load, against a real server: one transaction, idempotent, atomic switch."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import psycopg
import pytest

from orchestration.publication.postgres import PostgresLoadError, load_snapshot_to_postgres
from orchestration.publication.schema import COLUMNS
from orchestration.publication.snapshot import SnapshotIntegrityError, publish_snapshot, read_snapshot
from tests.publication.conftest import PERIOD, REGION, publish_args, service_list

pytestmark = pytest.mark.xdist_group("postgres")

LIST_COLUMNS = ", ".join(COLUMNS)


def lists_v1():
    return {
        "asp": service_list("asp", 5, with_beneficiary=False),
        "home_schooling": service_list("home_schooling", 3, amount=20_000.0),
    }


def lists_v2():
    return {**lists_v1(), "rent_subsidy": service_list("rent_subsidy", 4, amount=30_000.0)}


@pytest.fixture
def snapshots(tmp_path):
    v1 = publish_snapshot(tmp_path, PERIOD, REGION, lists_v1(), **publish_args())
    v2 = publish_snapshot(tmp_path, PERIOD, REGION, lists_v2(), **publish_args(run_id="run-2"))
    return v1, v2


def current_rows(conn) -> list[tuple]:
    return conn.execute(
        f"SELECT {LIST_COLUMNS} FROM published.current_eligibility ORDER BY service, family_id"
    ).fetchall()


def snapshot_rows(snapshot_dir) -> list[tuple]:
    _, tables = read_snapshot(snapshot_dir)
    rows = []
    for service in sorted(tables):
        rows += [tuple(row.values()) for row in tables[service].to_pylist()]
    return rows


def current_of(conn) -> str | None:
    row = conn.execute(
        "SELECT version FROM published.current_version WHERE period = %s AND region = %s", (PERIOD, REGION)
    ).fetchone()
    return row and row[0]


def test_load_makes_the_snapshot_current_with_identical_rows(postgres_uri, snapshots):
    v1, _ = snapshots
    load = load_snapshot_to_postgres(postgres_uri, v1.path)
    assert (load.status, load.version, load.rows, load.current_switched) == ("loaded", v1.version, 8, True)
    with psycopg.connect(postgres_uri) as conn:
        same_rows = current_rows(conn) == snapshot_rows(v1.path)
        assert same_rows, "PostgreSQL rows differ from the snapshot's rows"
        total, rows = conn.execute(
            "SELECT amount_total_kzt, rows FROM published.snapshot WHERE version = %s", (v1.version,)
        ).fetchone()
        assert (total, rows) == (Decimal("110013.00"), 8)  # hand-worked: 50,010 + 60,003, exactly


def test_loading_the_same_version_twice_is_a_noop(postgres_uri, snapshots):
    v1, _ = snapshots
    load_snapshot_to_postgres(postgres_uri, v1.path)
    again = load_snapshot_to_postgres(postgres_uri, v1.path)
    assert (again.status, again.current_switched) == ("already_loaded", False)
    with psycopg.connect(postgres_uri) as conn:
        assert conn.execute("SELECT count(*) FROM published.eligibility_list").fetchone()[0] == 8
        assert conn.execute("SELECT count(*) FROM published.snapshot").fetchone()[0] == 1


def test_a_new_version_switches_and_the_old_one_stays_loaded(postgres_uri, snapshots):
    v1, v2 = snapshots
    load_snapshot_to_postgres(postgres_uri, v1.path)
    load = load_snapshot_to_postgres(postgres_uri, v2.path)
    assert (load.status, load.current_switched) == ("loaded", True)
    with psycopg.connect(postgres_uri) as conn:
        assert current_of(conn) == v2.version
        same_rows = current_rows(conn) == snapshot_rows(v2.path)
        assert same_rows, "current_eligibility does not show exactly the new version"
        assert conn.execute("SELECT count(*) FROM published.eligibility_list").fetchone()[0] == 8 + 12
    back = load_snapshot_to_postgres(postgres_uri, v1.path)
    assert (back.status, back.current_switched) == ("already_loaded", True)
    with psycopg.connect(postgres_uri) as conn:
        assert current_of(conn) == v1.version


def test_a_failure_mid_load_leaves_the_previous_version_current(postgres_uri, snapshots):
    v1, v2 = snapshots
    load_snapshot_to_postgres(postgres_uri, v1.path)
    with psycopg.connect(postgres_uri, autocommit=True) as conn:
        # A real server-side failure after asp and home_schooling rows of v2 were copied.
        conn.execute(
            """
            CREATE FUNCTION public.fail_rent_subsidy() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
            CREATE TRIGGER fail_rent_subsidy BEFORE INSERT ON published.eligibility_list
            FOR EACH ROW WHEN (NEW.service = 'rent_subsidy') EXECUTE FUNCTION public.fail_rent_subsidy();
            """
        )
    with pytest.raises(PostgresLoadError, match="SQLSTATE P0001") as caught:
        load_snapshot_to_postgres(postgres_uri, v2.path)
    assert caught.value.__context__ is None and "injected" not in str(caught.value)
    with psycopg.connect(postgres_uri, autocommit=True) as conn:
        assert current_of(conn) == v1.version
        same_rows = current_rows(conn) == snapshot_rows(v1.path)
        assert same_rows, "the previous version is no longer intact"
        assert (
            conn.execute(
                "SELECT count(*) FROM published.eligibility_list WHERE version = %s", (v2.version,)
            ).fetchone()[0]
            == 0
        )
        assert (
            conn.execute(
                "SELECT count(*) FROM published.snapshot WHERE version = %s", (v2.version,)
            ).fetchone()[0]
            == 0
        )
        conn.execute("DROP TRIGGER fail_rent_subsidy ON published.eligibility_list")
    assert load_snapshot_to_postgres(postgres_uri, v2.path).status == "loaded"


def test_readers_see_the_old_list_until_commit_then_the_new(postgres_uri, snapshots):
    v1, v2 = snapshots
    load_snapshot_to_postgres(postgres_uri, v1.path)
    with psycopg.connect(postgres_uri) as blocker, psycopg.connect(postgres_uri, autocommit=True) as reader:
        # Hold the loader just before its switch, with all v2 rows already copied.
        blocker.execute("LOCK TABLE published.current_version IN SHARE MODE")
        errors: list[BaseException] = []

        def load():
            try:
                load_snapshot_to_postgres(postgres_uri, v2.path)
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        loader = threading.Thread(target=load)
        loader.start()
        deadline = time.monotonic() + 20
        while not reader.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = 'published.current_version'::regclass AND NOT granted"
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "the loader never reached the switch"
            time.sleep(0.02)
        same_rows = current_rows(reader) == snapshot_rows(v1.path)
        assert same_rows, "a reader saw a change before the commit"
        assert (
            reader.execute(
                "SELECT count(*) FROM published.eligibility_list WHERE version = %s", (v2.version,)
            ).fetchone()[0]
            == 0
        )
        blocker.rollback()  # releases the lock; the loader switches and commits
        loader.join(timeout=20)
        failed = bool(errors) or loader.is_alive()
        assert not failed, "the loader failed or hung"
        same_rows = current_rows(reader) == snapshot_rows(v2.path)
        assert same_rows, "a reader did not see the new version after the commit"


def test_a_damaged_snapshot_is_refused_before_touching_the_database(postgres_uri, snapshots):
    v1, v2 = snapshots
    load_snapshot_to_postgres(postgres_uri, v1.path)
    parquet = v2.path / "rent_subsidy.parquet"
    v2.path.chmod(0o755)
    parquet.chmod(0o644)
    parquet.write_bytes(parquet.read_bytes()[:-1] + b"\0")
    with pytest.raises(SnapshotIntegrityError):
        load_snapshot_to_postgres(postgres_uri, v2.path)
    with psycopg.connect(postgres_uri) as conn:
        assert current_of(conn) == v1.version
