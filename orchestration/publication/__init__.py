"""Publication of eligibility lists for the payment systems.

- `prepare_snapshot`: validate and serialise the lists, compute the content hash, write nothing.
- `publish_snapshot`: an immutable Parquet + manifest snapshot per period x region, made
  visible atomically, then made current (module `snapshot`).
- `read_current` / `read_snapshot`: the reader, checking every file's sha256 (module `snapshot`).
- `load_snapshot_to_postgres`: the same snapshot in PostgreSQL, switched in one transaction
  (module `postgres`).
- `ELIGIBILITY_SCHEMA`: the list schema (module `schema`).

The reader contract is docs/publication.md.
"""

from orchestration.publication.postgres import PostgresLoad, PostgresLoadError, load_snapshot_to_postgres
from orchestration.publication.schema import ELIGIBILITY_SCHEMA, SCHEMA_VERSION, SERVICES, SchemaViolation
from orchestration.publication.snapshot import (
    NoCurrentSnapshot,
    PreparedSnapshot,
    PublishedSnapshot,
    SnapshotIntegrityError,
    VersionAlreadyExists,
    current_version,
    list_versions,
    prepare_snapshot,
    publish_snapshot,
    read_current,
    read_snapshot,
    verify_snapshot,
)

__all__ = [
    "ELIGIBILITY_SCHEMA",
    "SCHEMA_VERSION",
    "SERVICES",
    "NoCurrentSnapshot",
    "PostgresLoad",
    "PostgresLoadError",
    "PreparedSnapshot",
    "PublishedSnapshot",
    "SchemaViolation",
    "SnapshotIntegrityError",
    "VersionAlreadyExists",
    "current_version",
    "list_versions",
    "load_snapshot_to_postgres",
    "prepare_snapshot",
    "publish_snapshot",
    "read_current",
    "read_snapshot",
    "verify_snapshot",
]
