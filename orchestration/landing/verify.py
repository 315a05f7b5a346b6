"""Landing verification before dbt reads anything: is each extract the file the manifest describes,
in the shape the landing contract gives?

Per registry, from the Parquet footer and schema only (no row is read, so no value can leak):

==========================  ==============================================================
finding                     what it means
==========================  ==============================================================
``not_parquet``             the file is not complete Parquet (cut short in transfer, or another format)
``row_count_mismatch``      the footer's row count differs from the manifest's
``missing_column``          a column of the contract is absent (renamed or dropped at the source)
``extra_column``            a column the contract does not have
``wrong_type``              a column's type differs from the contract (numbers as text, dates as text...)
``iin_not_text``            an IIN column is not text: leading zeros may have been lost on the way
``empty_extract``           the extract has no rows (a source system exported an empty table)
``stale_extract``           the manifest's ``extract_as_of`` is not the eve of the period (the
                            upstream job did not run and last month's file was sent again)
==========================  ==============================================================

Every finding fails the month (docs/landing.md, "Verification"): each would make every family's
score wrong, not just a few rows. A stale extract can be accepted by a data engineer through run
config (`LandingApproval`). One line each, naming the registry, the column and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.domain import parse_period
from orchestration.landing.drop import DropStatus
from registry_simulator.schemas import REGISTRIES

#: The gates this verification records, one per kind of finding (gate log, `landing` dataset).
FEED_GATES = {
    "landing_files_are_parquet": ("not_parquet",),
    "landing_row_counts_match_manifest": ("row_count_mismatch",),
    "landing_schemas_match_contract": ("missing_column", "extra_column", "wrong_type", "iin_not_text"),
    "landing_extracts_not_empty": ("empty_extract",),
    "landing_extracts_fresh": ("stale_extract",),
}

#: Columns that hold IINs (text with leading zeros).
IIN_COLUMNS = frozenset({"iin", "payer_iin"})


@dataclass(frozen=True)
class Finding:
    """One problem of one extract; never carries a row value."""

    registry: str
    column: str  # "" when the problem is the whole file
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f"{self.registry}.{self.column}" if self.column else self.registry
        return f"{where}: {self.kind} ({self.detail})"


def verify_extract(path: Path, registry: str, manifest_rows: int | None) -> list[Finding]:
    """Every finding of one extract against the contract and its manifest entry."""
    try:
        metadata = pq.read_metadata(path)
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError):
        return [Finding(registry, "", "not_parquet", "no valid Parquet footer: truncated or another format")]
    findings = []
    if manifest_rows is not None and metadata.num_rows != int(manifest_rows):
        findings.append(
            Finding(
                registry,
                "",
                "row_count_mismatch",
                f"file has {metadata.num_rows} rows, manifest {manifest_rows}",
            )
        )
    if metadata.num_rows == 0:
        findings.append(Finding(registry, "", "empty_extract", "0 rows"))
    contract = REGISTRIES[registry]
    for field in contract:
        if field.name not in schema.names:
            findings.append(Finding(registry, field.name, "missing_column", f"contract type {field.type}"))
            continue
        actual = schema.field(field.name).type
        if actual == field.type or (pa.types.is_string(field.type) and pa.types.is_large_string(actual)):
            continue
        kind = "iin_not_text" if field.name in IIN_COLUMNS else "wrong_type"
        findings.append(Finding(registry, field.name, kind, f"type {actual}, contract {field.type}"))
    for name in schema.names:
        if name not in contract.names:
            findings.append(Finding(registry, name, "extra_column", "not in the landing contract"))
    return findings


def expected_as_of(period: str) -> date:
    """The as-of date every extract of a period must carry: the eve of its reference date."""
    year, month = (int(part) for part in parse_period(period).split("-"))
    return date(year, month, 1) - timedelta(days=1)


def freshness_finding(registry: str, as_of: str | None, period: str) -> Finding | None:
    """A stale extract: its as-of date (manifest entry) is not the eve of the period."""
    expected = expected_as_of(period)
    try:
        actual = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        actual = None
    if actual == expected:
        return None
    seen = actual.isoformat() if actual else "no valid date"
    return Finding(
        registry, "extract_as_of", "stale_extract", f"as of {seen}, expected {expected.isoformat()}"
    )


def verify_drop(
    month_dir: Path, drop: DropStatus, accept_stale: frozenset[str] = frozenset()
) -> list[Finding]:
    """Every finding of every delivered extract of a drop; a stale extract named in
    `accept_stale` (approved by a data engineer) is not a finding."""
    findings = []
    for extract in drop.extracts:
        if extract.usable:
            findings += verify_extract(
                month_dir / f"{extract.registry}.parquet", extract.registry, extract.rows
            )
            stale = freshness_finding(extract.registry, extract.extract_as_of, drop.period)
            if stale is not None and extract.registry not in accept_stale:
                findings.append(stale)
    return findings


def gate_outcomes(findings: list[Finding]) -> dict[str, bool]:
    """Feed gate -> passed, from the findings."""
    kinds = {finding.kind for finding in findings}
    return {gate: not (kinds & set(gate_kinds)) for gate, gate_kinds in FEED_GATES.items()}
