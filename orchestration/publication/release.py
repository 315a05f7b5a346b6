"""Publishing a region's lists: write, audit, publish, with files and PostgreSQL kept on one version.

`publish_region` is the one way the platform publishes. Whoever calls it (the regional job, the
publication asset alone from the UI, a re-execution, a backfill, a direct Python call):

1. **Audit.** In one read-only warehouse connection, `evidence.clearance` walks the chain
   list -> scores -> marts -> landing pin, recomputing each content digest, and checks that every
   required gate passed on exactly that fingerprint. Any problem refuses the publication
   (`PublicationRefused`, naming each missing, failed or stale gate) before anything is written.
   The rows published are read in that same connection, so they are the rows audited.
2. **Recover.** If PostgreSQL's last logged switch is newer than the files' (a publisher died
   between the two), the files' CURRENT is first brought to PostgreSQL's version.
3. **Write.** The snapshot is written as an immutable version directory, not yet current, with
   the landing checksums and the corrections of the pin (what the list was computed from).
4. **Switch, database first.** PostgreSQL loads the version and switches in one transaction
   (the commit point), then the files' CURRENT is flipped. A failed load leaves both sides on the
   previous version; a kill between the two is repaired by step 2 of the next attempt. Every
   switch is logged on its side: `published.publication_log` and `publication_log.jsonl`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from kz_domain.period import parse_period, previous_period
from kz_domain.regions import parse_region
from orchestration.publication.changes import ChangeFacts
from orchestration.publication.postgres import PostgresLoad, load_snapshot_to_postgres, postgres_state
from orchestration.publication.references import ReferenceKey
from orchestration.publication.schema import SERVICES
from orchestration.publication.snapshot import (
    PublishedSnapshot,
    publish_snapshot,
    read_publication_log,
    switch_current,
)
from orchestration.quality import evidence
from orchestration.quality.gate_log import GatesNotPassed
from orchestration.quality.requirements import required_gates
from orchestration.warehouse.queries import table_exists

LIST_COLUMNS = (
    "period, region, service, family_id, recipient_iin, beneficiary_iin, level, amount_kzt, "
    "rule_version, methodology_version, reason_codes, payment_flags"
)


class PublicationRefused(GatesNotPassed):
    """The list was not published: a required gate is missing, failed or stale on its data."""


@dataclass(frozen=True)
class Release:
    """What `publish_region` did (no personal data)."""

    snapshot: PublishedSnapshot
    postgres: PostgresLoad | None
    files_switched: bool
    recovered_to: str | None
    clearance: evidence.Clearance
    rows: pa.Table  # the published rows (for summaries: never log them)


def lists_by_service(rows: pa.Table) -> dict[str, pa.Table]:
    """Every service of the pilot with its rows (an empty table when nobody is eligible)."""
    return {service: rows.filter(pc.equal(rows["service"], service)) for service in SERVICES}


def publish_region(
    warehouse,
    root: str | Path,
    period: str,
    region: str,
    *,
    run_id: str,
    reference_key: ReferenceKey,
    postgres_conninfo: str = "",
) -> Release:
    """Publish the region's lists of the period if, and only if, every required gate passed on
    exactly these rows and the data they were computed from (module docstring)."""
    period, region = parse_period(period), parse_region(region)
    with warehouse.connect(read_only=True) as connection:
        cleared = evidence.clearance(connection, period, region, required_gates())
        if not cleared.cleared:
            raise PublicationRefused(
                description=f"publication of {period}/{region} refused, nothing was written:\n{cleared.message()}",
                metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in cleared.problems))},
            )
        # Arrow straight from DuckDB: the publisher conforms Arrow tables, and no IIN becomes a Python string.
        rows = connection.sql(
            f"select {LIST_COLUMNS} from eligibility_list where period = ? and region = ?",
            params=[period, region],
        ).to_arrow_table()
        facts = change_facts(connection, period, region)
    lists = cleared.lineage[evidence.ELIGIBILITY_LIST]
    scores = cleared.lineage[evidence.SCORES]

    recovered = recover_files_from_postgres(root, period, region, postgres_conninfo, run_id=run_id)
    snapshot = publish_snapshot(
        root,
        period,
        region,
        lists_by_service(rows),
        methodology_version=scores.versions["methodology_version"],
        rule_version=lists.versions["rule_version"],
        landing_checksums=cleared.landing_checksums,
        corrections=cleared.corrections,
        run_id=run_id,
        reference_key=reference_key,
        change_facts=facts,
        make_current=False,
    )
    loaded = (
        load_snapshot_to_postgres(postgres_conninfo, snapshot.path, run_id=run_id)
        if postgres_conninfo
        else None
    )
    switched = switch_current(root, period, region, snapshot.version, run_id=run_id)
    return Release(snapshot, loaded, switched, recovered, cleared, rows)


def change_facts(connection, period: str, region: str) -> ChangeFacts:
    """What the reasons of the changes files need from the warehouse (no personal data): the
    levels of the region's families this month and the previous one, and the families of the
    corrections of the log."""
    levels: dict[str, dict[int, int]] = {}
    if table_exists(connection, "family_scores") and table_exists(connection, "family_features"):
        for month in (period, previous_period(period)):
            rows = connection.execute(
                "select scores.family_id, scores.level from family_scores as scores "
                "join family_features as features using (family_id, period) "
                "where scores.period = ? and features.region_kato = ?",
                [month, region],
            ).fetchnumpy()
            levels[month] = dict(zip(rows["family_id"].tolist(), rows["level"].tolist(), strict=True))
    corrections: dict[int, set[str]] = {}
    if table_exists(connection, "stg_corrections", "staging"):
        # a person's correction concerns their family this month; a membership change, its card
        for family_id, correction_id in connection.execute(
            "select members.family_id, corrections.correction_id from staging.stg_corrections as corrections "
            "join family_members as members on members.iin = corrections.subject_iin and members.period = ? "
            "union select family_id, correction_id from staging.stg_corrections where family_id is not null",
            [period],
        ).fetchall():
            corrections.setdefault(family_id, set()).add(correction_id)
    return ChangeFacts(levels, {family: frozenset(ids) for family, ids in corrections.items()})


def recover_files_from_postgres(
    root: str | Path, period: str, region: str, postgres_conninfo: str, *, run_id: str
) -> str | None:
    """The recovery rule: PostgreSQL switches first, so when its last logged switch is newer than
    the files' last one, the files follow it. Returns the version the files were brought to."""
    if not postgres_conninfo:
        return None
    version, switched_at = postgres_state(postgres_conninfo, period, region)
    if version is None or switched_at is None:
        return None
    log = read_publication_log(root, period, region)
    files_at = log[-1]["switched_at"] if log else None
    if files_at is not None and datetime.fromisoformat(files_at) >= datetime.fromisoformat(switched_at):
        return None
    if not (Path(root) / period / region / version).is_dir():
        return None  # loaded from files this installation no longer holds: leave both as they are
    moved = switch_current(root, period, region, version, run_id=run_id, reason="recovery: follow PostgreSQL")
    return version if moved else None
