"""Fixtures shared by several test folders: a real PostgreSQL server (pgserver ships the binaries).

A test that needs PostgreSQL fails, never skips, when the server cannot start.
"""

from __future__ import annotations

import atexit
import subprocess
import time
import uuid
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory, worker_id):
    """One real PostgreSQL server per test run (pgserver ships the binaries).

    The pgdata folder sits in the run's shared temp folder, so pytest-xdist workers share one
    server: pgserver initialises it once, counts the processes using it, and the last one stops
    and deletes it.
    """
    # Imported, not importorskip: a test that needs PostgreSQL fails when it cannot have one.
    import pgserver
    import psycopg

    run_temp = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        run_temp = run_temp.parent
    server = _start_pgserver(pgserver, (run_temp / "publication_pgdata").resolve())
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        # A throwaway server: durability is not under test here, speed is welcome.
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute("SELECT pg_reload_conf()")
    yield server
    server.cleanup()


def _start_pgserver(pgserver, pgdata: Path):
    """pgserver.get_server, retried: it gives `pg_ctl start` only 10 s, which a loaded machine
    can exceed while the server goes on starting; a retry then finds it running."""
    for attempt in range(3):
        try:
            return pgserver.get_server(pgdata, cleanup_mode="delete")
        except subprocess.TimeoutExpired:
            if attempt == 2:
                raise
            # Forget the half-made handle, or get_server would hand it back.
            broken = pgserver.PostgresServer._instances.pop(pgdata, None)
            if broken is not None:
                atexit.unregister(broken._cleanup)
            time.sleep(2)
    raise AssertionError("unreachable")


@pytest.fixture
def postgres_uri(postgres_server):
    """A fresh, empty database on the shared server, so tests do not see each other's tables."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_server.get_uri(database=name)
