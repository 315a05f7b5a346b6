"""Gate evidence bound to the data it checked: the write-audit-publish chain of a month.

A gate's verdict is about one write, never about "the latest" data. So every dataset a gate
checks has an identity, recorded by the step that wrote it, and every gate outcome carries the
identity of what it checked (`gate_log`):

=====================  =================  ===============================================
dataset                scope              written by, from
=====================  =================  ===============================================
``landing``            period             the landing step: sha256 of every extract, pinned
``marts``              period             the dbt build: family_features + family_members
``scores``             period             the scoring step: family_scores, with the methodology
``eligibility_list``   period x region    the regional dbt build, with the rule versions
=====================  =================  ===============================================

A lineage row (`dataset_lineage`) holds the dataset's *content digest* (row count and an
order-independent hash over every column of every row, computed by DuckDB), the fingerprint of
the dataset it was computed from, and the versions that shaped it; its *fingerprint* hashes all
of that. `clearance` walks the chain from a region's list down to the landing pin: it recomputes
each content digest (so a write by any path that records no lineage is caught), checks that each
dataset was built from the current upstream one, and that every required gate passed on exactly
that fingerprint. The publication refuses unless the clearance is complete.

Problems name datasets, gates and runs, never a row's value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from orchestration.quality.gate_log import GATE_LOG_TABLE
from orchestration.warehouse.queries import table_exists

LINEAGE_TABLE = "dataset_lineage"

LANDING, MARTS, SCORES, ELIGIBILITY_LIST = "landing", "marts", "scores", "eligibility_list"

#: Each dataset: the warehouse tables it consists of, and whether it is per region.
DATASET_TABLES: dict[str, tuple[str, ...]] = {
    LANDING: (),
    MARTS: ("family_features", "family_members"),
    SCORES: ("family_scores",),
    ELIGIBILITY_LIST: ("eligibility_list",),
}
REGIONAL_DATASETS = frozenset({ELIGIBILITY_LIST})

#: What each dataset is computed from.
UPSTREAM: dict[str, str | None] = {
    LANDING: None,
    MARTS: LANDING,
    SCORES: MARTS,
    ELIGIBILITY_LIST: SCORES,
}

#: The fingerprint a gate records when its dataset has no lineage: it never clears a publication.
UNRECORDED = "unrecorded"

_CREATE = f"""
create table if not exists {LINEAGE_TABLE} (
    period varchar not null,
    region varchar not null,          -- '' for a national dataset
    dataset varchar not null,
    fingerprint varchar not null,
    content_digest varchar not null,
    rows bigint not null,
    upstream_fingerprint varchar not null,
    versions varchar not null,        -- JSON: methodology / rule versions, landing checksums
    run_id varchar not null,
    recorded_at timestamp not null
)
"""


@dataclass(frozen=True)
class Gate:
    """A required gate: a check on an asset, by the names Dagster shows."""

    asset: str
    check_name: str

    def __str__(self) -> str:
        return f"{self.asset}:{self.check_name}"


@dataclass(frozen=True)
class Lineage:
    """One recorded write of a dataset."""

    period: str
    region: str
    dataset: str
    fingerprint: str
    content_digest: str
    rows: int
    upstream_fingerprint: str
    versions: dict
    run_id: str


@dataclass(frozen=True)
class Clearance:
    """The verdict of `clearance`: what the chain is, and every problem found on it."""

    period: str
    region: str
    lineage: dict[str, Lineage]
    problems: list[str] = field(default_factory=list)

    @property
    def cleared(self) -> bool:
        return not self.problems

    @property
    def landing_checksums(self) -> dict[str, str]:
        """The sha256 of every extract the chain was computed from (pinned when the run started)."""
        return dict(self.lineage[LANDING].versions["checksums"]) if LANDING in self.lineage else {}

    @property
    def corrections(self) -> dict | None:
        """The corrections log as pinned when the run started (orchestration.landing.pin); None
        for a chain pinned before the corrections were."""
        landing = self.lineage.get(LANDING)
        pinned = landing.versions.get("corrections") if landing else None
        return dict(pinned) if pinned is not None else None

    def fingerprint(self, dataset: str) -> str:
        return self.lineage[dataset].fingerprint if dataset in self.lineage else UNRECORDED

    def message(self) -> str:
        scope = f"{self.period} region {self.region}" if self.region else self.period
        return f"{len(self.problems)} gate problem(s) for {scope}:\n" + "\n".join(
            f"- {problem}" for problem in self.problems
        )


def ensure_lineage(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(_CREATE)


def content_digest(
    connection: duckdb.DuckDBPyConnection, dataset: str, period: str, region: str = ""
) -> tuple[str, int]:
    """(digest, rows) of a dataset's rows now: DuckDB's hash of every row, summed (so row order
    does not matter and a duplicated row does), with the row count, per table."""
    parts, total = [], 0
    for table in DATASET_TABLES[dataset]:
        if not table_exists(connection, table):
            parts.append(f"{table}:absent")
            continue
        where, params = (
            ("period = ? and region = ?", [period, region]) if region else ("period = ?", [period])
        )
        rows, summed = connection.execute(
            f"select count(*), coalesce(sum(hash(fingerprinted_row)::hugeint), 0)::varchar "
            f"from {table} as fingerprinted_row where {where}",
            params,
        ).fetchall()[0]
        parts.append(f"{table}:{rows}:{summed}")
        total += rows
    return _sha256("|".join(parts)), total


def landing_digest(checksums: Mapping[str, str]) -> str:
    """The content digest of a landing pin: over every extract's sha256 (as DropStatus.fingerprint)."""
    return _sha256(json.dumps(dict(sorted(checksums.items())), separators=(",", ":")))


def record_lineage(
    connection: duckdb.DuckDBPyConnection,
    dataset: str,
    period: str,
    region: str,
    *,
    run_id: str,
    upstream_fingerprint: str,
    versions: Mapping | None = None,
    digest: tuple[str, int] | None = None,
) -> Lineage:
    """Record what `dataset` holds now (or the given `digest`), built from `upstream_fingerprint`."""
    ensure_lineage(connection)
    versions = dict(versions or {})
    digest_value, rows = digest if digest is not None else content_digest(connection, dataset, period, region)
    fingerprint = _sha256(
        json.dumps(
            {
                "dataset": dataset,
                "period": period,
                "region": region,
                "content": digest_value,
                "upstream": upstream_fingerprint,
                "versions": versions,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    connection.execute(
        f"insert into {LINEAGE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            period,
            region,
            dataset,
            fingerprint,
            digest_value,
            rows,
            upstream_fingerprint,
            json.dumps(versions, sort_keys=True),
            run_id,
            now,
        ],
    )
    return Lineage(
        period, region, dataset, fingerprint, digest_value, rows, upstream_fingerprint, versions, run_id
    )


def latest_lineage(
    connection: duckdb.DuckDBPyConnection, dataset: str, period: str, region: str = ""
) -> Lineage | None:
    """The newest recorded write of a dataset, or None."""
    if not table_exists(connection, LINEAGE_TABLE):
        return None
    row = connection.execute(
        f"select fingerprint, content_digest, rows, upstream_fingerprint, versions, run_id "
        f"from {LINEAGE_TABLE} where dataset = ? and period = ? and region = ? "
        "order by recorded_at desc limit 1",
        [dataset, period, region],
    ).fetchone()
    if row is None:
        return None
    fingerprint, digest, rows, upstream, versions, run_id = row
    return Lineage(period, region, dataset, fingerprint, digest, rows, upstream, json.loads(versions), run_id)


def current_fingerprint(
    connection: duckdb.DuckDBPyConnection, dataset: str, period: str, region: str = ""
) -> str:
    """The fingerprint a gate on `dataset` records: that of its newest lineage (the clearance
    then checks that the content still is what that lineage recorded)."""
    lineage = latest_lineage(connection, dataset, period, region)
    return lineage.fingerprint if lineage else UNRECORDED


def clearance(
    connection: duckdb.DuckDBPyConnection,
    period: str,
    region: str,
    required: Mapping[str, Sequence[Gate]],
    *,
    top: str = ELIGIBILITY_LIST,
    verify_content: bool = True,
) -> Clearance:
    """Walk the chain from `top` down to the landing pin and check every link and gate.

    `required` maps a dataset to the gates that must have passed on its current fingerprint.
    With `verify_content` (the publication), each dataset's rows are hashed again and compared
    with its lineage; without (an early refusal before a build), only the records are checked.
    """
    chain, problems, lineage = [], [], {}
    dataset: str | None = top
    while dataset is not None:
        chain.append(dataset)
        dataset = UPSTREAM[dataset]
    # Each dataset's newest record, read once: a link compares a dataset with the next one down.
    records = {
        dataset: latest_lineage(connection, dataset, period, region if dataset in REGIONAL_DATASETS else "")
        for dataset in chain
    }
    for position, dataset in enumerate(chain):
        scope_region = region if dataset in REGIONAL_DATASETS else ""
        recorded = records[dataset]
        if recorded is None:
            problems.append(f"{dataset}: no recorded build for this period (run the step that writes it)")
            continue
        lineage[dataset] = recorded
        if verify_content and dataset != LANDING:
            digest, _ = content_digest(connection, dataset, period, scope_region)
            if digest != recorded.content_digest:
                problems.append(
                    f"{dataset}: changed after run {recorded.run_id} recorded it, by a write that "
                    "no gate has checked (rebuild it through its Dagster step)"
                )
        upstream = chain[position + 1] if position + 1 < len(chain) else None
        if upstream is not None:
            upstream_lineage = records[upstream]
            if upstream_lineage is not None and recorded.upstream_fingerprint != upstream_lineage.fingerprint:
                problems.append(
                    f"{dataset}: built by run {recorded.run_id} from an older {upstream} than the current "
                    f"one (run {upstream_lineage.run_id}): rebuild {dataset}"
                )
        problems += _gate_problems(
            connection, period, scope_region, recorded.fingerprint, required.get(dataset, ())
        )
    return Clearance(period, region, lineage, problems)


def _gate_problems(
    connection: duckdb.DuckDBPyConnection, period: str, region: str, fingerprint: str, gates: Iterable[Gate]
) -> list[str]:
    gates = list(gates)
    if not gates:
        return []
    rows = (
        []
        if not table_exists(connection, GATE_LOG_TABLE)
        else connection.execute(
            f"select asset, check_name, passed, fingerprint, run_id from {GATE_LOG_TABLE} "
            "where period = ? and region = ? order by evaluated_at desc",
            [period, region],
        ).fetchall()
    )  # (a read-only connection cannot create the log: no log means no outcome yet)
    outcomes: dict[tuple[str, str], list[tuple[bool, str, str]]] = {}
    for asset, check_name, passed, gate_fingerprint, run_id in rows:
        outcomes.setdefault((asset, check_name), []).append((passed, gate_fingerprint, run_id))
    problems = []
    for gate in gates:
        history = outcomes.get((gate.asset, gate.check_name), [])
        on_this_data = [(passed, run_id) for passed, gate_fp, run_id in history if gate_fp == fingerprint]
        if not history:
            problems.append(f"missing: {gate} has never run for this period")
        elif not on_this_data:
            problems.append(f"stale: {gate} last ran on other data (run {history[0][2]}), not on this build")
        elif not on_this_data[0][0]:
            problems.append(f"failed: {gate} failed on this build (run {on_this_data[0][1]})")
    return problems


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
