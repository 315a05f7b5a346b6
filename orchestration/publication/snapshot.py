"""Immutable, atomically published file snapshots of the eligibility lists, and their reader.

Layout (the reader contract is docs/publication.md)::

    <root>/<period>/<region>/
        v<N>-<hash12>/             one immutable version: all services of the period x region
            <service>.parquet      one file per service, rows in schema.ROW_ORDER
            manifest.json          counts, totals, sha256 of every file, versions, inputs, run id
        CURRENT                    the name of the current version directory, flipped last
        .lock                      publishers of this period x region take turns on it

The version identity `<hash12>` is the start of the content hash: sha256 over the data files'
sha256 and the inputs that define them (schema, methodology and rule versions, landing extract
checksums), never over run ids or timestamps. Publishing the same content again is a no-op that
answers "already_published"; different content becomes version N+1 beside the old ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kz_domain.period import previous_period
from orchestration.publication.changes import (
    BASES,
    CHANGES_SCHEMA,
    CHANGES_SCHEMA_VERSION,
    Basis,
    ChangeFacts,
    control_totals,
    list_changes,
)
from orchestration.publication.durable_fs import (
    READ_ONLY_DIR,
    READ_ONLY_FILE,
    append_line_synced,
    exclusive_lock,
    fsync_dir,
    make_dirs_synced,
    remove_tree,
    replace_file_atomically,
    write_file_synced,
)
from orchestration.publication.references import ReferenceKey
from orchestration.publication.schema import (
    ELIGIBILITY_SCHEMA,
    SCHEMA_VERSION,
    SERVICES,
    SchemaViolation,
    amount_total,
    conform_service_list,
    validate_period,
    validate_region,
)

MANIFEST_NAME = "manifest.json"
CURRENT_NAME = "CURRENT"
LOCK_NAME = ".lock"
#: Append-only record of every switch of CURRENT (one JSON object per line).
PUBLICATION_LOG_NAME = "publication_log.jsonl"
MANIFEST_FORMAT = 1
_TEMP_DIR_PREFIX = ".tmp-"
_TEMP_CURRENT_PREFIX = f"{CURRENT_NAME}.tmp-"
_VERSION_PATTERN = re.compile(r"^v([1-9][0-9]*)-([0-9a-f]{12})$")
_SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# A data file's name in a manifest: a service's name and `.parquet`, no path separator, no dot
# first. Readers refuse any other name, so a manifest cannot point outside its version directory.
_FILE_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*\.parquet")
#: A changes file: `<service>.changes-<basis>.parquet` (changes.py).
_CHANGES_FILE_PATTERN = re.compile(r"[a-z][a-z0-9_]*\.changes-[a-z_]+\.parquet")
# The manifest fields that, with the data files' sha256, define a version's identity.
_IDENTITY_FIELDS = (
    "schema_version",
    "period",
    "region",
    "methodology_version",
    "rule_version",
    "landing_checksums",
)
# Identity fields that versions published before them do not have: part of the identity when
# the manifest holds them (a version of an older manifest still verifies).
_OPTIONAL_IDENTITY_FIELDS = ("corrections",)

# Fixed Parquet writer settings: with the same pyarrow version, the same rows give the same bytes.
PARQUET_SETTINGS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 1_000_000,
    "store_schema": True,
    "write_page_index": False,
}


class SnapshotIntegrityError(Exception):
    """A published snapshot does not match its manifest (a file is missing, changed or extra)."""


class NoCurrentSnapshot(FileNotFoundError):
    """Nothing has been published yet for this period and region."""


class VersionAlreadyExists(FileExistsError):
    """Refused: a published version directory is never written into or replaced."""


@dataclass(frozen=True)
class PublishedSnapshot:
    """What `publish_snapshot` did, for the caller's logs and Dagster metadata (no personal data)."""

    status: Literal["published", "already_published"]
    period: str
    region: str
    version: str
    path: Path
    content_hash: str
    files: dict[str, Path]
    rows: dict[str, int]
    amount_totals_kzt: dict[str, Decimal]
    total_rows: int
    total_amount_kzt: Decimal
    # True when CURRENT was flipped by this call (always for "published"; for "already_published"
    # only when the version existed but was not current, e.g. after a kill or a return to old inputs).
    current_switched: bool
    #: The manifest's `changes`: per basis, the version compared with and each service's totals.
    changes: dict = field(default_factory=dict)


def publish_snapshot(
    root: str | os.PathLike,
    period: str,
    region: str,
    tables_by_service: Mapping[str, pa.Table | pd.DataFrame],
    *,
    methodology_version: str,
    rule_version: str | Mapping[str, str],
    landing_checksums: Mapping[str, str],
    run_id: str,
    reference_key: ReferenceKey,
    corrections: Mapping | None = None,
    change_facts: ChangeFacts | None = None,
    code_version: str | None = None,
    make_current: bool = True,
) -> PublishedSnapshot:
    """Publish the eligibility lists of one period x region as an immutable snapshot.

    This is the file writer; it does not consult the quality gates. The platform publishes
    through `orchestration.publication.release.publish_region`, which refuses unless every
    required gate passed on exactly these rows, and passes `make_current=False` so that
    PostgreSQL switches first and CURRENT follows (`switch_current`).

    `tables_by_service` maps a service name (schema.SERVICES) to its list; an empty list is
    published as an empty file (zero eligible), a service left out is absent from the snapshot.
    `landing_checksums` maps each landing registry extract used to its sha256; `corrections` is
    the corrections log's pin (events through `through_seq`, their `sha256`, the ids `in_force`);
    None leaves the field out (a chain pinned before corrections were pinned). `rule_version` is
    one version for every service, or a mapping service -> version when each service's rule is
    versioned on its own (the manifest then records `service=version;...`). `reference_key` is
    the deployment's key of payment references (references.py). `code_version` defaults to the
    git commit of this checkout.

    With the lists, the version holds their changes (changes.py) against the version that was
    current when it was written and against the current version of the previous month, each
    basis that exists; `change_facts` give the reasons what the lists alone do not say.

    The snapshot is made visible atomically and then made current by flipping CURRENT. Raises
    SchemaViolation (naming columns and row counts, never values) if a list does not conform,
    and SnapshotIntegrityError if the version these inputs map to exists but was damaged.
    """
    if not isinstance(run_id, str) or not run_id:
        raise ValueError("run_id must be a non-empty string")
    prepared = prepare_snapshot(
        period,
        region,
        tables_by_service,
        methodology_version=methodology_version,
        rule_version=rule_version,
        landing_checksums=landing_checksums,
        corrections=corrections,
        reference_key=reference_key,
    )
    tables, files, content_hash = prepared.tables, prepared.files, prepared.content_hash

    region_dir = Path(root) / period / region
    make_dirs_synced(region_dir)
    with exclusive_lock(region_dir / LOCK_NAME):
        _step("locked")
        _remove_leftovers(region_dir)
        existing = _find_version(region_dir, content_hash)
        if existing is not None:
            manifest = json.loads((region_dir / existing / MANIFEST_NAME).read_bytes())
            switched = make_current and _read_current_name(region_dir) != existing
            if switched:
                _flip_current(region_dir, existing, run_id=run_id)
            return _result("already_published", region_dir / existing, manifest, switched)

        version = f"v{_next_version_number(region_dir)}-{content_hash[:12]}"
        change_files, changes_entry = _changes(
            _bases(root, region_dir, period, region),
            tables,
            prepared.identity_fields,
            change_facts or ChangeFacts(),
        )
        manifest = {
            **prepared.identity_fields,
            "manifest_format": MANIFEST_FORMAT,
            "version": version,
            "content_hash": content_hash,
            "run_id": run_id,
            "code_version": code_version if code_version is not None else detect_code_version(),
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "parquet_writer": {"pyarrow": pa.__version__, **PARQUET_SETTINGS},
            "reference_key_id": reference_key.key_id,
            "services": {
                service: _service_entry(table, f"{service}.parquet", files[f"{service}.parquet"])
                for service, table in tables.items()
            },
            "totals": {
                "rows": sum(table.num_rows for table in tables.values()),
                "amount_total_kzt": _amount_text(pa.concat_tables(tables.values())),
            },
            "changes": changes_entry,
        }
        _write_version_dir(region_dir, version, files | change_files, manifest)
        if make_current:
            _flip_current(region_dir, version, run_id=run_id)
        return _result("published", region_dir / version, manifest, make_current)


@dataclass(frozen=True)
class PreparedSnapshot:
    """A snapshot's conformed lists, Parquet bytes and content hash, before anything is written."""

    tables: dict[str, pa.Table]
    files: dict[str, bytes]
    identity_fields: dict
    content_hash: str


def prepare_snapshot(
    period: str,
    region: str,
    tables_by_service: Mapping[str, pa.Table | pd.DataFrame],
    *,
    methodology_version: str,
    rule_version: str | Mapping[str, str],
    landing_checksums: Mapping[str, str],
    reference_key: ReferenceKey,
    corrections: Mapping | None = None,
) -> PreparedSnapshot:
    """Validate and serialise the lists and compute the content hash, writing nothing.

    `prepared.content_hash[:12]` is the suffix of the version these inputs publish as.
    """
    validate_period(period)
    validate_region(region)
    unknown = sorted(set(tables_by_service) - set(SERVICES))
    if unknown or not tables_by_service:
        raise ValueError(f"tables_by_service must map one or more of {', '.join(SERVICES)} to a list")
    rule_versions = _rule_versions(rule_version, tables_by_service)
    distinct = set(rule_versions.values())
    rule_version = (
        distinct.pop()
        if len(distinct) == 1
        else ";".join(f"{service}={version}" for service, version in sorted(rule_versions.items()))
    )
    for name, value in (("methodology_version", methodology_version), ("rule_version", rule_version)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")
    identity_fields = {
        "schema_version": SCHEMA_VERSION,
        "period": period,
        "region": region,
        "methodology_version": methodology_version,
        "rule_version": rule_version,
        "landing_checksums": _validated_landing_checksums(landing_checksums),
    }
    if corrections is not None:
        identity_fields["corrections"] = _validated_corrections(corrections)
    tables = _conform_all(
        tables_by_service, period, region, methodology_version, rule_versions, reference_key
    )
    files = {f"{service}.parquet": _parquet_bytes(table) for service, table in tables.items()}
    file_hashes = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    return PreparedSnapshot(tables, files, identity_fields, _content_hash(identity_fields, file_hashes))


def read_current(root: str | os.PathLike, period: str, region: str) -> tuple[dict, dict[str, pa.Table]]:
    """Return (manifest, {service: table}) of the current snapshot, every file checked by sha256.

    Raises NoCurrentSnapshot when nothing is published, SnapshotIntegrityError when a file does
    not match the manifest.
    """
    validate_period(period)
    validate_region(region)
    return read_snapshot(Path(root) / period / region / current_version(root, period, region))


def current_version(root: str | os.PathLike, period: str, region: str) -> str:
    """The name of the current version directory of a period x region (the content of CURRENT)."""
    validate_period(period)
    validate_region(region)
    name = _read_current_name(Path(root) / period / region)
    if name is None:
        raise NoCurrentSnapshot(f"no snapshot published for period {period} region {region}")
    return name


def list_versions(root: str | os.PathLike, period: str, region: str) -> list[str]:
    """Every published version directory of a period x region, oldest first."""
    region_dir = Path(root) / period / region
    if not region_dir.is_dir():
        return []
    numbered = {
        entry.name: int(match.group(1))
        for entry in region_dir.iterdir()
        if (match := _VERSION_PATTERN.match(entry.name))
    }
    return sorted(numbered, key=numbered.__getitem__)


def read_snapshot(snapshot_dir: str | os.PathLike) -> tuple[dict, dict[str, pa.Table]]:
    """Return (manifest, {service: table}) of one version directory, every file checked."""
    manifest, contents = verify_snapshot(snapshot_dir)
    tables = {}
    for service, entry in manifest["services"].items():
        # Parse the very bytes that were hashed: the check and the read cannot disagree.
        table = pq.ParquetFile(pa.BufferReader(contents[entry["file"]])).read()
        if not table.schema.equals(ELIGIBILITY_SCHEMA) or table.num_rows != entry["rows"]:
            raise SnapshotIntegrityError(
                f"{entry['file']} does not have the schema or row count of its manifest"
            )
        tables[service] = table
    return manifest, tables


def verify_snapshot(snapshot_dir: str | os.PathLike) -> tuple[dict, dict[str, bytes]]:
    """Check a version directory against its manifest; return (manifest, {file name: bytes}).

    Checks the sha256 of every data file, that the manifest's content hash matches the files and
    the directory name, and that the manifest's schema version is one this code reads.
    """
    snapshot_dir = Path(snapshot_dir)
    try:
        manifest = json.loads((snapshot_dir / MANIFEST_NAME).read_bytes())
    except FileNotFoundError:
        raise SnapshotIntegrityError(f"{snapshot_dir.name}: {MANIFEST_NAME} is missing") from None
    except ValueError:
        raise SnapshotIntegrityError(f"{snapshot_dir.name}: {MANIFEST_NAME} is not valid JSON") from None
    if manifest.get("manifest_format") != MANIFEST_FORMAT or manifest.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotIntegrityError(f"{snapshot_dir.name}: unsupported manifest format or schema version")
    if manifest.get("version") != snapshot_dir.name:
        raise SnapshotIntegrityError(f"{snapshot_dir.name}: the manifest names another version")

    contents: dict[str, bytes] = {}
    for service, entry in manifest["services"].items():
        if not isinstance(entry.get("file"), str) or not _FILE_NAME_PATTERN.fullmatch(entry["file"]):
            raise SnapshotIntegrityError(
                f"{snapshot_dir.name}: the manifest names a file of {service} that is not a plain "
                "'<service>.parquet' name in its version directory"
            )
        try:
            content = (snapshot_dir / entry["file"]).read_bytes()
        except FileNotFoundError:
            raise SnapshotIntegrityError(f"{snapshot_dir.name}: {entry['file']} is missing") from None
        if hashlib.sha256(content).hexdigest() != entry["sha256"]:
            raise SnapshotIntegrityError(
                f"{snapshot_dir.name}: sha256 of {entry['file']} does not match the manifest"
            )
        contents[entry["file"]] = content
    for basis in (manifest.get("changes") or {}).get("bases", {}).values():
        for service, entry in ((basis or {}).get("services") or {}).items():
            name = entry.get("file")
            if not isinstance(name, str) or not _CHANGES_FILE_PATTERN.fullmatch(name):
                raise SnapshotIntegrityError(
                    f"{snapshot_dir.name}: the manifest names a changes file of {service} that is not a plain "
                    "'<service>.changes-<basis>.parquet' name in its version directory"
                )
            try:
                content = (snapshot_dir / name).read_bytes()
            except FileNotFoundError:
                raise SnapshotIntegrityError(f"{snapshot_dir.name}: {name} is missing") from None
            if hashlib.sha256(content).hexdigest() != entry["sha256"]:
                raise SnapshotIntegrityError(
                    f"{snapshot_dir.name}: sha256 of {name} does not match the manifest"
                )
            contents[name] = content
    recomputed = _content_hash(
        {key: manifest.get(key) for key in _IDENTITY_FIELDS}
        | {key: manifest[key] for key in _OPTIONAL_IDENTITY_FIELDS if key in manifest},
        {entry["file"]: entry["sha256"] for entry in manifest["services"].values()},
    )
    if recomputed != manifest["content_hash"] or not snapshot_dir.name.endswith(recomputed[:12]):
        raise SnapshotIntegrityError(f"{snapshot_dir.name}: the content hash does not match the manifest")
    return manifest, contents


def detect_code_version() -> str:
    """The git commit of this checkout, or 'unknown' outside a git checkout."""
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return completed.stdout.strip() or "unknown"


def _rule_versions(rule_version: str | Mapping[str, str], tables_by_service: Mapping) -> dict[str, str]:
    """The rule version of each service, from one version for all or a mapping by service."""
    if isinstance(rule_version, str):
        return {service: rule_version for service in tables_by_service}
    missing = sorted(set(tables_by_service) - set(rule_version))
    if missing:
        raise ValueError(f"rule_version names no version for {', '.join(missing)}")
    return {service: rule_version[service] for service in tables_by_service}


def _conform_all(
    tables_by_service, period, region, methodology_version, rule_versions, reference_key
) -> dict[str, pa.Table]:
    """Conform every service's list, collecting the issues of all services into one error."""
    tables, issues = {}, []
    for service in sorted(tables_by_service):
        try:
            tables[service] = conform_service_list(
                tables_by_service[service],
                period=period,
                region=region,
                service=service,
                methodology_version=methodology_version,
                rule_version=rule_versions[service],
                reference_key=reference_key,
            )
        except SchemaViolation as violation:
            issues += violation.issues
    if issues:
        raise SchemaViolation(issues)
    return tables


def _validated_corrections(corrections: Mapping) -> dict:
    """The corrections pin of a manifest: events through `through_seq`, their sha256, the ids in force."""
    through_seq, digest, ids = (
        corrections.get("through_seq"),
        corrections.get("sha256"),
        corrections.get("in_force", []),
    )
    if (
        not isinstance(through_seq, int)
        or through_seq < 0
        or not isinstance(digest, str)
        or not _SHA256_PATTERN.match(digest)
    ):
        raise ValueError("corrections must give through_seq (an event number) and the sha256 of those events")
    if not all(isinstance(cid, str) and re.fullmatch(r"C-[0-9]{6,}", cid) for cid in ids):
        raise ValueError("corrections.in_force must list correction ids")
    return {"through_seq": through_seq, "sha256": digest, "in_force": sorted(ids)}


def _validated_landing_checksums(landing_checksums: Mapping[str, str]) -> dict[str, str]:
    if not landing_checksums:
        raise ValueError("landing_checksums must name the landing extracts the list was computed from")
    for registry, checksum in landing_checksums.items():
        if (
            not isinstance(registry, str)
            or not isinstance(checksum, str)
            or not _SHA256_PATTERN.match(checksum)
        ):
            raise ValueError("landing_checksums must map registry names to lowercase hex sha256 digests")
    return dict(sorted(landing_checksums.items()))


def read_changes(snapshot_dir: str | os.PathLike, basis: str) -> tuple[dict, dict[str, pa.Table]]:
    """(the basis' manifest entry, {service: changes table}) of one version, every file checked;
    ({}, {}) when the version has no changes against that basis (none existed)."""
    manifest, contents = verify_snapshot(snapshot_dir)
    entry = (manifest.get("changes") or {}).get("bases", {}).get(basis)
    if not entry or "services" not in entry:
        return {}, {}
    tables = {}
    for service, file_entry in entry["services"].items():
        table = pq.ParquetFile(pa.BufferReader(contents[file_entry["file"]])).read()
        if not table.schema.equals(CHANGES_SCHEMA) or table.num_rows != file_entry["rows"]:
            raise SnapshotIntegrityError(
                f"{file_entry['file']} does not have the schema or row count of its manifest"
            )
        tables[service] = table
    return entry, tables


def _bases(
    root: str | os.PathLike, region_dir: Path, period: str, region: str
) -> list[tuple[str, str, Path]]:
    """(basis, version, directory) of every basis that exists (call under the region's lock)."""
    found = []
    current = _read_current_name(region_dir)
    if current is not None:
        found.append(("previous_version", current, region_dir / current))
    month_dir = Path(root) / previous_period(period) / region
    previous = _read_current_name(month_dir) if month_dir.is_dir() else None
    if previous is not None:
        found.append(("previous_month", previous, month_dir / previous))
    return found


def _changes(
    bases: list[tuple[str, str, Path]], tables: dict[str, pa.Table], identity: dict, facts: ChangeFacts
) -> tuple[dict[str, bytes], dict]:
    """The changes files of a new version and their manifest entry (`changes`)."""
    files: dict[str, bytes] = {}
    entry: dict = {"schema_version": CHANGES_SCHEMA_VERSION, "bases": {name: None for name in BASES}}
    in_force = (identity.get("corrections") or {}).get("in_force")
    for name, version, directory in bases:
        try:
            basis_manifest, basis_tables = read_snapshot(directory)
        except SnapshotIntegrityError as error:
            # e.g. a version of an earlier list schema: named, and not compared
            entry["bases"][name] = {"version": version, "not_compared": str(error)}
            continue
        basis = Basis(name, basis_manifest, basis_tables)
        services = {}
        for service, table in tables.items():
            changes = list_changes(
                basis,
                service,
                table,
                period=identity["period"],
                region=identity["region"],
                methodology_version=identity["methodology_version"],
                corrections_in_force=in_force,
                facts=facts,
            )
            file_name = f"{service}.changes-{name}.parquet"
            content = _parquet_bytes(changes)
            files[file_name] = content
            basis_entry = basis_manifest["services"].get(service, {"rows": 0, "amount_total_kzt": "0.00"})
            services[service] = {
                "file": file_name,
                "sha256": hashlib.sha256(content).hexdigest(),
                "bytes": len(content),
                "basis_rows": basis_entry["rows"],
                "basis_amount_total_kzt": basis_entry["amount_total_kzt"],
                **control_totals(changes),
            }
        entry["bases"][name] = {"version": version, "period": basis_manifest["period"], "services": services}
    return files, entry


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_SETTINGS)
    return sink.getvalue().to_pybytes()


def _content_hash(identity_fields: dict, file_hashes: dict[str, str]) -> str:
    identity = {**identity_fields, "files": file_hashes}
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _amount_text(table: pa.Table) -> str:
    """The exact total of a list's amounts, as the manifest writes money: a decimal string."""
    return str(amount_total(table.column("amount_kzt")))


def _service_entry(table: pa.Table, file_name: str, content: bytes) -> dict:
    return {
        "file": file_name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "bytes": len(content),
        "rows": table.num_rows,
        "families": pc.count_distinct(table.column("family_id")).as_py(),
        "amount_total_kzt": _amount_text(table),
    }


def _manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def _write_version_dir(region_dir: Path, version: str, files: dict[str, bytes], manifest: dict) -> None:
    """Write the version into a temp dir beside its final place, seal it, rename it into place."""
    target = region_dir / version
    if target.exists():
        raise VersionAlreadyExists(f"{version} is already published; a published version is never modified")
    temp = region_dir / f"{_TEMP_DIR_PREFIX}{version}-{os.getpid()}"
    temp.mkdir()
    _step("made temp dir")
    for name, content in files.items():
        write_file_synced(temp / name, content, mode=READ_ONLY_FILE)
        _step(f"wrote {name}")
    write_file_synced(temp / MANIFEST_NAME, _manifest_bytes(manifest), mode=READ_ONLY_FILE)
    _step("wrote manifest")
    os.chmod(temp, READ_ONLY_DIR)
    fsync_dir(temp)
    fsync_dir(region_dir)
    _step("sealed")
    os.rename(temp, target)
    fsync_dir(region_dir)
    _step("renamed")


def switch_current(
    root: str | os.PathLike,
    period: str,
    region: str,
    version: str,
    *,
    run_id: str,
    reason: str = "publication",
) -> bool:
    """Make `version` (already published, verified here) the current one; True if CURRENT moved.

    Every switch is appended to the region's publication log first-come first-served under the
    region's lock.
    """
    validate_period(period)
    validate_region(region)
    region_dir = Path(root) / period / region
    if not _VERSION_PATTERN.match(version):
        raise ValueError("not a version name")
    with exclusive_lock(region_dir / LOCK_NAME):
        verify_snapshot(region_dir / version)
        if _read_current_name(region_dir) == version:
            return False
        _flip_current(region_dir, version, run_id=run_id, reason=reason)
        return True


def read_publication_log(root: str | os.PathLike, period: str, region: str) -> list[dict]:
    """Every switch of CURRENT of a period x region, oldest first."""
    path = Path(root) / validate_period(period) / validate_region(region) / PUBLICATION_LOG_NAME
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def _flip_current(region_dir: Path, version: str, *, run_id: str, reason: str = "publication") -> None:
    """Flip CURRENT (call under the region's lock) and log the switch."""
    previous = _read_current_name(region_dir)
    replace_file_atomically(
        region_dir / CURRENT_NAME, f"{version}\n".encode(), temp_prefix=_TEMP_CURRENT_PREFIX
    )
    _step("flipped current")
    entry = {
        "side": "files",
        "period": region_dir.parent.name,
        "region": region_dir.name,
        "from_version": previous,
        "to_version": version,
        "run_id": run_id,
        "reason": reason,
        "switched_at": datetime.now(UTC).isoformat(timespec="microseconds"),
    }
    append_line_synced(region_dir / PUBLICATION_LOG_NAME, json.dumps(entry, sort_keys=True).encode())


def _read_current_name(region_dir: Path) -> str | None:
    try:
        name = (region_dir / CURRENT_NAME).read_text().strip()
    except FileNotFoundError:
        return None
    if not _VERSION_PATTERN.match(name):
        raise SnapshotIntegrityError(f"{CURRENT_NAME} of {region_dir} does not name a version")
    return name


def _find_version(region_dir: Path, content_hash: str) -> str | None:
    for entry in region_dir.iterdir():
        match = _VERSION_PATTERN.match(entry.name)
        if match and match.group(2) == content_hash[:12]:
            manifest, _ = verify_snapshot(entry)
            if manifest["content_hash"] == content_hash:
                return entry.name
    return None


def _next_version_number(region_dir: Path) -> int:
    numbers = [int(m.group(1)) for entry in region_dir.iterdir() if (m := _VERSION_PATTERN.match(entry.name))]
    return max(numbers, default=0) + 1


def _remove_leftovers(region_dir: Path) -> None:
    """Remove temp dirs and files of killed publishers (safe: we hold the region's lock)."""
    removed = False
    for entry in region_dir.iterdir():
        if entry.name.startswith(_TEMP_DIR_PREFIX) and entry.is_dir():
            remove_tree(entry)
            removed = True
        elif entry.name.startswith(_TEMP_CURRENT_PREFIX):
            entry.unlink()
            removed = True
    if removed:
        fsync_dir(region_dir)
    _step("cleaned leftovers")


def _result(status, snapshot_dir: Path, manifest: dict, switched: bool) -> PublishedSnapshot:
    services = manifest["services"]
    return PublishedSnapshot(
        status=status,
        period=manifest["period"],
        region=manifest["region"],
        version=manifest["version"],
        path=snapshot_dir,
        content_hash=manifest["content_hash"],
        files={service: snapshot_dir / entry["file"] for service, entry in services.items()},
        rows={service: entry["rows"] for service, entry in services.items()},
        amount_totals_kzt={
            service: Decimal(entry["amount_total_kzt"]) for service, entry in services.items()
        },
        total_rows=manifest["totals"]["rows"],
        total_amount_kzt=Decimal(manifest["totals"]["amount_total_kzt"]),
        current_switched=switched,
        changes=manifest.get("changes") or {},
    )


def _step(name: str) -> None:
    """A named point between two publication steps: a no-op, and the seam where the kill-safety
    test (tests/publication/test_kill_safety.py) waits and kills the publisher."""
