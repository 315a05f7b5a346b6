"""Landing verification before dbt reads anything: is each extract the file the manifest describes,
in the shape the landing contract gives, as fresh and as large as its feed should be?

Per registry, from the Parquet footer and schema, the text columns' encoding, and the manifests of
this month and the previous one:

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
``not_utf8``                a text column holds bytes that are not UTF-8 (a Latin-1 export)
``stale_extract``           the manifest's ``extract_as_of`` lags the eve of the period more than
                            the registry's cadence allows, or did not move since the previous
                            delivery (the upstream job did not run, last month's file sent again)
``volume_change``           the row count moved against the previous month's delivery beyond
                            the registry's tolerance (a halved extract, a doubled one)
==========================  ==============================================================

Cadence, freshness and volume tolerances per registry: `expectations/landing_feeds.yaml`.
Every finding fails the month (docs/landing.md, "Verification"): each would make every family's
score wrong, not just a few rows. A stale extract or a volume change can be accepted by a data
engineer through run config (`LandingApproval`). One line each, naming the registry, the column
and the problem. The UTF-8 check is the only one that reads rows: DuckDB validates the text as it
decodes it, and its error (which quotes the value) is caught and never shown; the finding says
only which column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from kz_domain.landing_contract import REGISTRIES
from kz_domain.period import parse_period, previous_period
from orchestration.landing.drop import DropStatus, inspect_drop
from orchestration.landing.feeds import FeedExpectation, feeds

#: The gates this verification records, one per kind of finding (gate log, `landing` dataset).
FEED_GATES = {
    "landing_files_are_parquet": ("not_parquet",),
    "landing_row_counts_match_manifest": ("row_count_mismatch",),
    "landing_schemas_match_contract": ("missing_column", "extra_column", "wrong_type", "iin_not_text"),
    "landing_extracts_not_empty": ("empty_extract",),
    "landing_text_is_utf8": ("not_utf8",),
    "landing_extracts_fresh": ("stale_extract",),
    "landing_volumes_within_tolerance": ("volume_change",),
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
    if manifest_rows is None:
        findings.append(Finding(registry, "", "row_count_mismatch", "the manifest states no row count"))
    elif metadata.num_rows != int(manifest_rows):
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


def utf8_findings(path: Path, registry: str) -> list[Finding]:
    """Text columns holding bytes that are not UTF-8, by name. DuckDB validates text as it
    decodes it; its error quotes the offending value, so it is dropped here, never shown."""
    columns = [
        f.name for f in pq.read_schema(path) if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    if not columns or _decodes(path, columns):
        return []
    return [
        Finding(registry, column, "not_utf8", "text that is not valid UTF-8 (another encoding?)")
        for column in columns
        if not _decodes(path, [column])
    ]


def _decodes(path: Path, columns: list[str]) -> bool:
    # min(length(...)) makes DuckDB decode every value (count(...) does not).
    selected = ", ".join(f'min(length("{column}"))' for column in columns)
    with duckdb.connect() as connection:
        try:
            connection.execute(f"select {selected} from read_parquet(?)", [str(path)]).fetchall()
        except duckdb.Error:
            return False
    return True


def freshness_finding(
    registry: str,
    as_of: str | None,
    period: str,
    previous_as_of: str | None = None,
    expectation: FeedExpectation | None = None,
) -> Finding | None:
    """A stale extract: its as-of date (manifest entry) lags the eve of the period more than its
    cadence allows, lies after it, or (monthly cadence) did not move since the previous delivery."""
    expectation = expectation or feeds()[registry]
    expected = expected_as_of(period)
    actual = _date(as_of)
    seen = actual.isoformat() if actual else "no valid date"
    if actual is None or actual > expected or (expected - actual).days > expectation.max_as_of_lag_days:
        return Finding(
            registry, "extract_as_of", "stale_extract", f"as of {seen}, expected {expected.isoformat()}"
        )
    if expectation.cadence == "monthly" and previous_as_of is not None and actual == _date(previous_as_of):
        return Finding(
            registry, "extract_as_of", "stale_extract", f"as of {seen}, the same as the previous delivery"
        )
    return None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def volume_finding(
    registry: str,
    rows: int,
    previous_rows: int | None,
    previous_period_label: str,
    expectation: FeedExpectation | None = None,
) -> Finding | None:
    """A row count that moved against the previous delivery beyond the registry's tolerance."""
    expectation = expectation or feeds()[registry]
    if previous_rows is None or previous_rows == 0 or rows == 0:
        return None  # 0 rows is `empty_extract`; no previous delivery, nothing to compare
    change = rows - previous_rows
    relative = change / previous_rows
    if abs(relative) <= expectation.max_rows_change or abs(change) <= expectation.min_rows_change:
        return None
    return Finding(
        registry,
        "",
        "volume_change",
        f"{rows} rows against {previous_rows} in {previous_period_label} ({relative:+.1%}; "
        f"tolerance {expectation.max_rows_change:.0%} and {expectation.min_rows_change} rows)",
    )


def previous_drop(month_dir: Path, period: str, months_back: int = 1) -> DropStatus | None:
    """The drop `months_back` months before this one, beside it, if it has a manifest and the
    same scope (checksums not re-read)."""
    for _ in range(months_back):
        period = previous_period(period)
    previous_dir = month_dir.parent / period
    if not (previous_dir / "manifest.json").exists() or not _same_scope(month_dir, previous_dir):
        return None
    return inspect_drop(previous_dir, verify_checksums=False)


def _same_scope(month_dir: Path, previous_dir: Path) -> bool:
    # A generated drop states its regions and scale; two drops of different scope (a test's
    # small month beside a pilot one) are not two deliveries of one feed.
    scope = [
        {k: json.loads((d / "manifest.json").read_text()).get(k) for k in ("regions", "scale")}
        for d in (month_dir, previous_dir)
    ]
    return scope[0] == scope[1]


def verify_drop(
    month_dir: Path,
    drop: DropStatus,
    accept_stale: frozenset[str] = frozenset(),
    accept_volume: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Every finding of every delivered extract of a drop; a stale extract named in
    `accept_stale`, or a volume change named in `accept_volume` (approved by a data engineer),
    is not a finding."""
    baselines: dict[int, DropStatus | None] = {}

    def baseline(months_back: int) -> DropStatus | None:
        if months_back not in baselines:
            baselines[months_back] = previous_drop(month_dir, drop.period, months_back)
        return baselines[months_back]

    def entry(months_back: int, registry: str):
        earlier = baseline(months_back)
        return next((e for e in earlier.extracts if e.registry == registry), None) if earlier else None

    findings = []
    for extract in drop.extracts:
        if not extract.usable:
            continue
        path = month_dir / f"{extract.registry}.parquet"
        found = verify_extract(path, extract.registry, extract.rows)
        if not any(f.kind == "not_parquet" for f in found):
            found += utf8_findings(path, extract.registry)
        last = entry(1, extract.registry)
        stale = freshness_finding(
            extract.registry, extract.extract_as_of, drop.period, last.extract_as_of if last else None
        )
        if stale is not None and extract.registry not in accept_stale:
            found.append(stale)
        months_back = feeds()[extract.registry].volume_baseline_months_back
        compared, earlier = entry(months_back, extract.registry), baseline(months_back)
        volume = volume_finding(
            extract.registry,
            int(extract.rows or 0),
            compared.rows if compared else None,
            earlier.period if compared and earlier else "",
        )
        if volume is not None and extract.registry not in accept_volume:
            found.append(volume)
        findings += found
    return findings


def gate_outcomes(findings: list[Finding]) -> dict[str, bool]:
    """Feed gate -> passed, from the findings."""
    kinds = {finding.kind for finding in findings}
    return {gate: not (kinds & set(gate_kinds)) for gate, gate_kinds in FEED_GATES.items()}
