"""Load a published snapshot into PostgreSQL for the payment systems that read a database.

Design (the reader contract is docs/publication.md):

- `published.snapshot`: one row per loaded version (period, region, version) with its manifest.
- `published.eligibility_list`: the rows of every loaded version, keyed by (period, region,
  version). Versions are immutable here too: rows are only ever added, in one transaction with
  their `published.snapshot` row (so no foreign key is needed: it would cost a trigger per
  copied row, about a fifth of the load time).
- `published.current_version`: (period, region) -> version, switched in the same transaction.
- `published.current_eligibility`: a view joining the two; one SQL statement sees one MVCC
  snapshot, so a reader sees either the old or the new list, never a mix, and never a version
  that is half loaded (its rows are invisible until the commit).

Loading a version makes it current. Loading a version already loaded copies nothing; it only
switches `current_version` if another version is current (status "already_loaded").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg.types.json import Jsonb

from orchestration.publication.changes import BASES, CHANGE_COLUMNS
from orchestration.publication.schema import COLUMNS
from orchestration.publication.snapshot import read_changes, read_snapshot

# Serialises loaders (and the one-time DDL) across sessions: an arbitrary fixed advisory lock key.
_ADVISORY_LOCK_KEY = 7_264_019_001
_COPY_BATCH_ROWS = 100_000

_DDL = """
CREATE SCHEMA IF NOT EXISTS published;
CREATE TABLE IF NOT EXISTS published.snapshot (
    period text NOT NULL,
    region text NOT NULL,
    version text NOT NULL,
    content_hash text NOT NULL,
    schema_version text NOT NULL,
    methodology_version text NOT NULL,
    rule_version text NOT NULL,
    rows bigint NOT NULL,
    amount_total_kzt numeric(20, 2) NOT NULL,
    manifest jsonb NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period, region, version)
);
CREATE TABLE IF NOT EXISTS published.eligibility_list (
    period text NOT NULL,
    region text NOT NULL,
    version text NOT NULL,
    service text NOT NULL,
    reference_id text NOT NULL,
    family_id bigint NOT NULL,
    recipient_iin text NOT NULL,
    beneficiary_iin text,
    level smallint NOT NULL,
    amount_kzt numeric(18, 2) NOT NULL,
    rule_version text NOT NULL,
    methodology_version text NOT NULL,
    reason_codes text[] NOT NULL,
    payment_flags text[] NOT NULL
);
CREATE INDEX IF NOT EXISTS eligibility_list_version_key
    ON published.eligibility_list (period, region, version, service, family_id);
CREATE TABLE IF NOT EXISTS published.current_version (
    period text NOT NULL,
    region text NOT NULL,
    version text NOT NULL,
    switched_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period, region),
    FOREIGN KEY (period, region, version) REFERENCES published.snapshot
);
CREATE TABLE IF NOT EXISTS published.publication_log (
    period text NOT NULL,
    region text NOT NULL,
    from_version text,
    to_version text NOT NULL,
    run_id text NOT NULL,
    reason text NOT NULL,
    switched_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS published.list_change (
    period text NOT NULL,
    region text NOT NULL,
    version text NOT NULL,
    service text NOT NULL,
    basis text NOT NULL,
    basis_version text NOT NULL,
    change text NOT NULL,
    reason text NOT NULL,
    reference_id text,
    basis_reference_id text,
    family_id bigint NOT NULL,
    recipient_iin text NOT NULL,
    beneficiary_iin text,
    level_before smallint,
    level_after smallint,
    amount_before_kzt numeric(18, 2),
    amount_after_kzt numeric(18, 2),
    amount_change_kzt numeric(18, 2) NOT NULL
);
CREATE INDEX IF NOT EXISTS list_change_version_key
    ON published.list_change (period, region, version, basis, service);
CREATE OR REPLACE VIEW published.current_changes AS
SELECT l.*
FROM published.list_change AS l
JOIN published.current_version AS c USING (period, region, version);
CREATE OR REPLACE VIEW published.current_eligibility AS
SELECT e.period, e.region, e.service, e.reference_id, e.family_id, e.recipient_iin, e.beneficiary_iin,
       e.level, e.amount_kzt, e.rule_version, e.methodology_version, e.reason_codes, e.payment_flags,
       e.version
FROM published.eligibility_list AS e
JOIN published.current_version AS c USING (period, region, version);
"""

_LIST_COLUMNS = ("version", *COLUMNS)
_CHANGE_COLUMNS = ("version", *CHANGE_COLUMNS)
_ARRAY_COLUMNS = ("reason_codes", "payment_flags")


class PostgresLoadError(RuntimeError):
    """Copying a version's rows failed; the transaction was rolled back.

    Carries only the error class and SQLSTATE: PostgreSQL's own message, detail and COPY
    context can quote a row, and rows hold IINs.
    """

    def __init__(self, version: str, error: psycopg.Error):
        self.sqlstate = error.sqlstate
        super().__init__(
            f"loading {version} into PostgreSQL failed: {type(error).__name__} (SQLSTATE {error.sqlstate});"
            " rolled back, the previous version stays current"
        )


@dataclass(frozen=True)
class PostgresLoad:
    """What `load_snapshot_to_postgres` did (no personal data)."""

    status: Literal["loaded", "already_loaded"]
    period: str
    region: str
    version: str
    rows: int
    current_switched: bool


def load_snapshot_to_postgres(
    conninfo: str, snapshot_dir: str | os.PathLike, *, run_id: str = "", reason: str = "publication"
) -> PostgresLoad:
    """Load one published version directory into the `published` schema and make it current.

    Every file is checked against the manifest first. Everything happens in one transaction:
    on any failure the previously current version stays current and no row of the new one is
    visible. Idempotent: a version already loaded is not copied again. A switch is appended to
    `published.publication_log` in the same transaction.
    """
    manifest, tables = read_snapshot(Path(snapshot_dir))
    changes = {basis: read_changes(snapshot_dir, basis)[1] for basis in BASES}
    period, region, version = manifest["period"], manifest["region"], manifest["version"]
    with psycopg.connect(conninfo) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_KEY,))
        ensure_published_schema(conn)
        already = conn.execute(
            "SELECT 1 FROM published.snapshot WHERE period = %s AND region = %s AND version = %s",
            (period, region, version),
        ).fetchone()
        if not already:
            _insert_version(conn, manifest, tables, changes)
        current = conn.execute(
            "SELECT version FROM published.current_version WHERE period = %s AND region = %s FOR UPDATE",
            (period, region),
        ).fetchone()
        switched = current is None or current[0] != version
        if switched:
            conn.execute(
                """
                INSERT INTO published.current_version (period, region, version) VALUES (%s, %s, %s)
                ON CONFLICT (period, region) DO UPDATE SET version = EXCLUDED.version, switched_at = now()
                """,
                (period, region, version),
            )
            conn.execute(
                "INSERT INTO published.publication_log (period, region, from_version, to_version, run_id, reason)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (period, region, current[0] if current else None, version, run_id, reason),
            )
    return PostgresLoad(
        status="already_loaded" if already else "loaded",
        period=period,
        region=region,
        version=version,
        rows=manifest["totals"]["rows"],
        current_switched=switched,
    )


def ensure_published_schema(conn: psycopg.Connection) -> None:
    """Create the `published` schema, tables and view if they are missing (call inside the lock)."""
    # Only when missing: CREATE OR REPLACE VIEW would take an exclusive lock that queues readers.
    missing = conn.execute(
        "SELECT to_regclass('published.current_eligibility') IS NULL OR to_regclass('published.publication_log') IS NULL"
        " OR to_regclass('published.current_changes') IS NULL"
    ).fetchall()[0][0]
    if missing:
        conn.execute(_DDL)


def postgres_state(conninfo: str, period: str, region: str) -> tuple[str | None, str | None]:
    """(current version, time of its last logged switch as ISO text) of a period x region in
    PostgreSQL; (None, None) when nothing was loaded there."""
    with psycopg.connect(conninfo) as conn:
        if conn.execute("SELECT to_regclass('published.current_version')").fetchall()[0][0] is None:
            return None, None
        current = conn.execute(
            "SELECT version FROM published.current_version WHERE period = %s AND region = %s",
            (period, region),
        ).fetchone()
        if conn.execute("SELECT to_regclass('published.publication_log')").fetchall()[0][0] is None:
            return (current[0] if current else None), None
        switched = conn.execute(
            "SELECT max(switched_at) FROM published.publication_log WHERE period = %s AND region = %s",
            (period, region),
        ).fetchall()[0][0]
    return (current[0] if current else None), (switched.isoformat() if switched else None)


def _insert_version(
    conn: psycopg.Connection,
    manifest: dict,
    tables: dict[str, pa.Table],
    changes: dict[str, dict[str, pa.Table]],
) -> None:
    failure = None
    try:
        _copy_version(conn, manifest, tables, changes)
    except psycopg.Error as error:
        failure = PostgresLoadError(manifest["version"], error)
    if failure is not None:  # raised outside the except block: no chained message with row data
        raise failure


def _copy_version(
    conn: psycopg.Connection,
    manifest: dict,
    tables: dict[str, pa.Table],
    changes: dict[str, dict[str, pa.Table]],
) -> None:
    conn.execute(
        """
        INSERT INTO published.snapshot (period, region, version, content_hash, schema_version,
            methodology_version, rule_version, rows, amount_total_kzt, manifest)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        """,
        (
            manifest["period"],
            manifest["region"],
            manifest["version"],
            manifest["content_hash"],
            manifest["schema_version"],
            manifest["methodology_version"],
            manifest["rule_version"],
            manifest["totals"]["rows"],
            Decimal(manifest["totals"]["amount_total_kzt"]),
            Jsonb(manifest),
        ),
    )
    copy_sql = f"COPY published.eligibility_list ({', '.join(_LIST_COLUMNS)}) FROM STDIN (FORMAT csv)"
    with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for service in sorted(tables):
            for batch in tables[service].to_batches(max_chunksize=_COPY_BATCH_ROWS):
                copy.write(_csv_bytes(batch, manifest["version"]))
    _copy_changes(conn, manifest, changes)
    copied = conn.execute(
        "SELECT count(*) FROM published.eligibility_list WHERE period = %s AND region = %s AND version = %s",
        (manifest["period"], manifest["region"], manifest["version"]),
    ).fetchall()[0][0]
    if copied != manifest["totals"]["rows"]:
        raise RuntimeError(
            f"copied {copied} rows of {manifest['version']}, the manifest says {manifest['totals']['rows']}"
        )


def _copy_changes(conn: psycopg.Connection, manifest: dict, changes: dict[str, dict[str, pa.Table]]) -> None:
    """The version's changes files, with the rows the manifest's control totals count."""
    copy_sql = f"COPY published.list_change ({', '.join(_CHANGE_COLUMNS)}) FROM STDIN (FORMAT csv)"
    expected = 0
    with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for basis in sorted(changes):
            for service in sorted(changes[basis]):
                table = changes[basis][service]
                expected += table.num_rows
                for batch in table.to_batches(max_chunksize=_COPY_BATCH_ROWS):
                    copy.write(_csv_bytes(batch, manifest["version"], CHANGE_COLUMNS))
    copied = conn.execute(
        "SELECT count(*) FROM published.list_change WHERE period = %s AND region = %s AND version = %s",
        (manifest["period"], manifest["region"], manifest["version"]),
    ).fetchall()[0][0]
    if copied != expected:
        raise RuntimeError(f"copied {copied} change rows of {manifest['version']}, its files hold {expected}")


def _csv_bytes(batch: pa.RecordBatch, version: str, names: tuple[str, ...] = COLUMNS) -> bytes:
    """One batch as PostgreSQL CSV: strings always quoted (so '' stays ''), nulls unquoted-empty."""
    columns = [pa.repeat(pa.scalar(version, pa.string()), batch.num_rows)]
    for name in names:
        column = batch.column(name)
        columns.append(_pg_text_array(column) if name in _ARRAY_COLUMNS else column)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(
        pa.RecordBatch.from_arrays(columns, names=["version", *names]),
        sink,
        pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return sink.getvalue().to_pybytes()


def _pg_text_array(lists: pa.ListArray) -> pa.Array:
    """Render list<string> as PostgreSQL array literals: {"a","b"} with \\ and " escaped."""
    values = lists.values.slice(
        lists.offsets[0].as_py(), lists.offsets[-1].as_py() - lists.offsets[0].as_py()
    )
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, quoted), ",")
    return pc.binary_join_element_wise("{", joined, "}", "")
