"""The landing pin: the extracts a month's run computes from, fixed once when the run starts.

The landing step verifies the drop (every sha256 against the manifest) and records the pin as the
month's `landing` lineage (`orchestration.quality.evidence`): each extract's sha256, and its file
identity (size, modification time, inode). Every later step that reads the extracts checks the
identity first and re-hashes only a file whose identity moved; a re-delivery during the run then
fails the run by name instead of mixing two deliveries. The publication's manifest takes its
`landing_checksums` from the pin, never from the landing folder at publish time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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


def file_identity(path: Path) -> list[int]:
    """What changes when a file is rewritten or replaced: size, modification time, inode."""
    info = os.stat(path)
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def pin_from_drop(month_dir: Path, drop: DropStatus) -> LandingPin:
    """The pin of a complete, checksum-verified drop."""
    if not drop.complete:
        raise ValueError(f"landing drop {drop.period} is not complete")
    checksums = drop.checksums()
    return LandingPin(
        period=drop.period,
        checksums=checksums,
        identities={registry: file_identity(month_dir / f"{registry}.parquet") for registry in checksums},
        rows=sum(int(e.rows or 0) for e in drop.extracts),
    )


def record_pin(connection: duckdb.DuckDBPyConnection, pin: LandingPin, run_id: str) -> LandingPin:
    """Record the pin as the period's landing lineage; returns it with its fingerprint."""
    lineage = evidence.record_lineage(
        connection,
        evidence.LANDING,
        pin.period,
        "",
        run_id=run_id,
        upstream_fingerprint="",
        versions={"checksums": pin.checksums, "identities": pin.identities},
        digest=(evidence.landing_digest(pin.checksums), pin.rows),
    )
    return LandingPin(pin.period, pin.checksums, pin.identities, pin.rows, lineage.fingerprint, run_id)


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
