"""What a month's landing drop holds, and whether it is complete.

The registries write `<landing>/<YYYY-MM>/<registry>.parquet` and, last, `manifest.json`
(docs/landing.md). A drop is complete when the manifest exists, lists every registry of the
contract as delivered, and every file is present with the checksum the manifest gives. A late or
missing extract is reported by name, never treated as an empty registry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from kz_domain.landing_contract import REGISTRY_NAMES

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ExtractStatus:
    """One registry's extract in a drop."""

    registry: str
    status: str  # delivered | late | missing | checksum_mismatch | not_in_manifest
    rows: int | None = None
    extract_as_of: str | None = None
    sha256: str | None = None

    @property
    def usable(self) -> bool:
        return self.status == "delivered"


@dataclass(frozen=True)
class DropStatus:
    """The state of one period's landing drop."""

    period: str
    manifest_found: bool
    extracts: list[ExtractStatus] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.manifest_found and all(e.usable for e in self.extracts)

    def problems(self) -> list[str]:
        """Human-readable list of what keeps the drop from being complete."""
        if not self.manifest_found:
            return [f"{self.period}: no {MANIFEST_NAME} yet (the drop is incomplete or still being written)"]
        return [f"{e.registry}: {e.status}" for e in self.extracts if not e.usable]

    def checksums(self) -> dict[str, str]:
        """sha256 of every delivered extract, by registry (recorded with publications)."""
        return {e.registry: e.sha256 for e in self.extracts if e.sha256}

    def fingerprint(self) -> str:
        """One sha256 over every registry's name and checksum: any re-delivered extract changes it."""
        canonical = json.dumps(dict(sorted(self.checksums().items())), separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


#: Read size for hashing. Reading and hashing release the GIL; after each chunk the thread must win
#: it back, which takes up to 5 ms while another thread runs Python (the background GX import at
#: run start): small chunks multiply that wait, so chunks are large.
HASH_CHUNK_BYTES = 16 << 20


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in large chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entries(manifest: dict) -> dict[str, dict]:
    registries = manifest.get("registries", manifest.get("extracts", []))
    if isinstance(registries, dict):
        return {name: dict(entry, registry=name) for name, entry in registries.items()}
    return {entry.get("registry") or entry.get("name"): entry for entry in registries}


def inspect_drop(month_dir: Path, verify_checksums: bool = True) -> DropStatus:
    """Read a month's manifest and check every registry of the contract against it and the files."""
    period = month_dir.name
    manifest_path = month_dir / MANIFEST_NAME
    if not manifest_path.exists():
        return DropStatus(period=period, manifest_found=False)
    entries = _entries(json.loads(manifest_path.read_text(encoding="utf-8")))
    extracts = []
    for registry in REGISTRY_NAMES:
        entry = entries.get(registry)
        if entry is None:
            extracts.append(ExtractStatus(registry, "not_in_manifest"))
            continue
        path = month_dir / f"{registry}.parquet"
        status = entry.get("status", "delivered")
        if status == "delivered" and not path.exists():
            status = "missing"
        elif status == "delivered" and verify_checksums and file_sha256(path) != entry.get("sha256"):
            status = "checksum_mismatch"
        extracts.append(
            ExtractStatus(
                registry,
                status,
                rows=entry.get("rows"),
                extract_as_of=entry.get("extract_as_of") or entry.get("as_of"),
                sha256=entry.get("sha256"),
            )
        )
    return DropStatus(period=period, manifest_found=True, extracts=extracts)
