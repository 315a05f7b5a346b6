"""Payment outcomes coming back: the file drop's contract, and receiving it into the warehouse.

A payment system returns, for each published version it paid from, one CSV file

    <PAYMENT_OUTCOMES_ROOT>/<period>/<region>/<version>.csv

with a header and one row per reference (docs/publication.md, "Payment outcomes"): the columns
`OUTCOME_COLUMNS`, an outcome of dbt_project/seeds/payment_outcomes.csv. Receiving (`receive_outcomes`) copies, for every
such file of a period and region, two things into the warehouse's `payments` schema, the dbt
sources of the reconciliation (dbt_project/models/payments):

- `payments.outcomes_received`: every line of the file as text, with its line number and the
  file's sha256 (nothing is typed or dropped here: dbt's staging checks each row and rejects it
  with a reason, so rows in = rows kept + rows rejected);
- `payments.published_references`: the references of that version, read from the published
  snapshot after its checksums were verified (what was actually published).

A re-delivered file replaces that version's received rows (the latest delivery counts; its
sha256 is recorded, and the report says which delivery was reconciled). A file naming a version
that was never published is received too, and all its rows are rejected (UNKNOWN_VERSION).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from kz_domain.period import parse_period
from kz_domain.regions import parse_region
from orchestration.publication.snapshot import read_snapshot

OUTCOMES_SCHEMA_VERSION = "payment_outcomes/1"
#: The columns of an outcome file, in order (the header must be exactly these).
OUTCOME_COLUMNS = ("reference_id", "outcome", "reason_code", "amount_kzt", "reported_at")
SCHEMA = "payments"
RECEIVED_TABLE = f"{SCHEMA}.outcomes_received"
REFERENCES_TABLE = f"{SCHEMA}.published_references"
_VERSION_FILE = re.compile(r"^(v[1-9][0-9]*-[0-9a-f]{12})\.csv$")

_DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {RECEIVED_TABLE} (
    period varchar not null,
    region varchar not null,
    version varchar not null,
    file_sha256 varchar not null,
    received_at timestamptz not null,
    line_number bigint not null,
    reference_id varchar,
    outcome varchar,
    reason_code varchar,
    amount_kzt varchar,
    reported_at varchar,
    malformed boolean not null
);
create table if not exists {REFERENCES_TABLE} (
    period varchar not null,
    region varchar not null,
    version varchar not null,
    service varchar not null,
    reference_id varchar not null,
    family_id bigint not null,
    recipient_iin varchar not null,
    beneficiary_iin varchar,
    amount_kzt decimal(18, 2) not null
);
"""


class OutcomeFileError(ValueError):
    """An outcome file cannot be read at all (no header, wrong columns): names the file's version
    and the problem, never a row."""


@dataclass(frozen=True)
class ReceivedFile:
    """One outcome file received (no personal data)."""

    version: str
    sha256: str
    rows: int
    published: bool  # the version exists in the publication root


def outcome_path(outcomes_root: str | os.PathLike, period: str, region: str, version: str) -> Path:
    """Where a payment system drops the outcomes of one published version."""
    return Path(outcomes_root) / parse_period(period) / parse_region(region) / f"{version}.csv"


def outcome_files(outcomes_root: str | os.PathLike, period: str, region: str) -> dict[str, Path]:
    """{version: file} of every outcome file dropped for a period and region (other names ignored)."""
    folder = Path(outcomes_root) / parse_period(period) / parse_region(region)
    if not folder.is_dir():
        return {}
    return {
        match.group(1): entry
        for entry in sorted(folder.iterdir())
        if (match := _VERSION_FILE.match(entry.name)) and entry.is_file()
    }


def ensure_payment_sources(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the two source tables if this warehouse has none yet."""
    connection.execute(_DDL)


def receive_outcomes(
    connection: duckdb.DuckDBPyConnection,
    publish_root: str | os.PathLike,
    outcomes_root: str | os.PathLike,
    period: str,
    region: str,
) -> list[ReceivedFile]:
    """Copy every outcome file of the period and region, and the references of its version, into
    the dbt sources (module docstring), one transaction per file."""
    ensure_payment_sources(connection)
    received = []
    for version, path in outcome_files(outcomes_root, period, region).items():
        content = path.read_bytes()
        rows = parse_outcome_file(content, version)
        references = _published_references(Path(publish_root) / period / region / version)
        received_at = datetime.now(UTC)
        connection.execute("begin transaction")
        try:
            for table in (RECEIVED_TABLE, REFERENCES_TABLE):
                connection.execute(
                    f"delete from {table} where period = ? and region = ? and version = ?",
                    [period, region, version],
                )
            received_rows = pa.table(
                {
                    "period": [period] * len(rows),
                    "region": [region] * len(rows),
                    "version": [version] * len(rows),
                    "file_sha256": [hashlib.sha256(content).hexdigest()] * len(rows),
                    "received_at": pa.array([received_at] * len(rows), pa.timestamp("us", tz="UTC")),
                    **{
                        name: [row[index] for row in rows]
                        for index, name in enumerate(("line_number", *OUTCOME_COLUMNS, "malformed"))
                    },
                }
            )
            connection.register("received_rows", received_rows)
            connection.execute(f"insert into {RECEIVED_TABLE} by name select * from received_rows")
            connection.unregister("received_rows")
            if references is not None:
                connection.register("published_rows", references)
                connection.execute(
                    f"insert into {REFERENCES_TABLE} by name select ? as period, ? as region, ? as version, * "
                    "from published_rows",
                    [period, region, version],
                )
                connection.unregister("published_rows")
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise
        received.append(
            ReceivedFile(version, hashlib.sha256(content).hexdigest(), len(rows), references is not None)
        )
    return received


def parse_outcome_file(content: bytes, version: str) -> list[tuple]:
    """(line number, *OUTCOME_COLUMNS as text or None, malformed) of every data line.

    A line with another number of fields is kept as malformed (rejected in staging, with its
    line number), never dropped. Raises OutcomeFileError when the file is not UTF-8 text or its
    header is not exactly OUTCOME_COLUMNS.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutcomeFileError(f"outcome file of {version}: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(name.strip() for name in header) != OUTCOME_COLUMNS:
        raise OutcomeFileError(
            f"outcome file of {version}: the header must be exactly {','.join(OUTCOME_COLUMNS)}"
        )
    rows: list[tuple[object, ...]] = []
    for fields in reader:
        if not fields or fields == [""]:
            continue  # a blank line
        line_number = reader.line_num
        if len(fields) != len(OUTCOME_COLUMNS):
            rows.append((line_number, *([None] * len(OUTCOME_COLUMNS)), True))
            continue
        rows.append((line_number, *(value.strip() or None for value in fields), False))
    return rows


def _published_references(snapshot_dir: Path) -> pa.Table | None:
    """The references of a published version (checked against its manifest), or None when the
    version was never published here."""
    if not snapshot_dir.is_dir():
        return None
    # a version that does not match its manifest raises SnapshotIntegrityError: never reconcile it
    _, tables = read_snapshot(snapshot_dir)
    columns = ["service", "reference_id", "family_id", "recipient_iin", "beneficiary_iin", "amount_kzt"]
    return pa.concat_tables(table.select(columns) for table in tables.values())
