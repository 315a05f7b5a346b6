"""The landing pin: the extracts a month's run computes from, fixed once when the run starts.

The landing step verifies the drop (every sha256 against the manifest) and records the pin as the
month's `landing` lineage (`orchestration.quality.evidence`): each extract's sha256, and its file
identity (size, modification time, inode). Every later step that reads the extracts checks the
identity first and re-hashes only a file whose identity moved; a re-delivery during the run then
fails the run by name instead of mixing two deliveries. The publication's manifest takes its
`landing_checksums` from the pin, never from the landing folder at publish time. The pin also
fixes the corrections log (its events up to a sequence number and their sha256): dbt applies
only those, and the manifest records them, so a month reproduces with the corrections in force
when it was published.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from orchestration.landing.drop import DropStatus, file_sha256
from orchestration.quality import evidence


@dataclass(frozen=True)
class LandingPin:
    """The verified extracts of one period: sha256 and file identity per registry."""

    period: str
    checksums: dict[str, str]
    identities: dict[str, list[int]]
    rows: int
    fingerprint: str = ""
    run_id: str = ""
    #: The corrections log as pinned with the extracts (store.CorrectionsPin.as_dict); None when
    #: the pin was recorded before the corrections were pinned (unknown, not "none").
    corrections: dict | None = None

    @property
    def corrections_through_seq(self) -> int | None:
        return None if self.corrections is None else int(self.corrections["through_seq"])


def file_identity(path: Path) -> list[int]:
    """What changes when a file is rewritten or replaced: size, modification time, inode."""
    info = os.stat(path)
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def pin_from_drop(month_dir: Path, drop: DropStatus, corrections: dict | None = None) -> LandingPin:
    """The pin of a complete, checksum-verified drop, with the corrections log's pin."""
    if not drop.complete:
        raise ValueError(f"landing drop {drop.period} is not complete")
    checksums = drop.checksums()
    return LandingPin(
        period=drop.period,
        checksums=checksums,
        identities={registry: file_identity(month_dir / f"{registry}.parquet") for registry in checksums},
        rows=sum(int(e.rows or 0) for e in drop.extracts),
        corrections=None if corrections is None else dict(corrections),
    )


def record_pin(connection: duckdb.DuckDBPyConnection, pin: LandingPin, run_id: str) -> LandingPin:
    """Record the pin (extracts and corrections) as the period's landing lineage; returns it with
    its fingerprint."""
    lineage = evidence.record_lineage(
        connection,
        evidence.LANDING,
        pin.period,
        "",
        run_id=run_id,
        upstream_fingerprint="",
        versions={
            "checksums": pin.checksums,
            "identities": pin.identities,
            **({"corrections": pin.corrections} if pin.corrections is not None else {}),
        },
        digest=(evidence.landing_digest(pin.checksums), pin.rows),
    )
    return replace(pin, fingerprint=lineage.fingerprint, run_id=run_id)


def pinned(connection: duckdb.DuckDBPyConnection, period: str) -> LandingPin | None:
    """The newest recorded pin of a period, or None if its landing was never verified."""
    lineage = evidence.latest_lineage(connection, evidence.LANDING, period)
    if lineage is None:
        return None
    return LandingPin(
        period=period,
        checksums=lineage.versions["checksums"],
        identities=lineage.versions["identities"],
        rows=lineage.rows,
        fingerprint=lineage.fingerprint,
        run_id=lineage.run_id,
        corrections=lineage.versions.get("corrections"),
    )


def changed_since_pin(month_dir: Path, pin: LandingPin) -> list[str]:
    """The registries whose extract is no longer the pinned one (replaced, rewritten or gone)."""
    changed = []
    for registry, checksum in sorted(pin.checksums.items()):
        path = month_dir / f"{registry}.parquet"
        try:
            if file_identity(path) == list(pin.identities.get(registry, [])):
                continue
            if file_sha256(path) == checksum:  # touched, same bytes
                continue
        except FileNotFoundError:
            pass
        changed.append(registry)
    return changed
