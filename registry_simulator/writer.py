"""Deterministic Parquet output: temp files renamed into place, then the manifest, written last."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# High-cardinality identifier columns: dictionary encoding only costs time there.
_NO_DICTIONARY = {
    "iin",
    "payer_iin",
    "dwelling_id",
    "object_id",
    "vehicle_id",
    "contract_id",
    "plot_id",
    "bin",
    "family_id",
}
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1


class StreamingParquet:
    """One Parquet file written chunk by chunk to ``.<name>.tmp`` and renamed on :meth:`close`."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.tmp")
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(
            self.tmp,
            schema,
            compression=COMPRESSION,
            compression_level=COMPRESSION_LEVEL,
            use_dictionary=[f.name for f in schema if f.name not in _NO_DICTIONARY],
            # Statistics on dates and numbers (cheap, useful for pruning), not on the id strings.
            write_statistics=[f.name for f in schema if not pa.types.is_string(f.type)],
        )

    def write(self, table: pa.Table) -> None:
        """Append a table of exactly the file's schema (one or more row groups)."""
        if table.num_rows:
            self._writer.write_table(
                table.cast(self.schema) if table.schema != self.schema else table, row_group_size=1_048_576
            )
            self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file and move it into place (an empty table still gets a valid file)."""
        self._writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Drop the temp file after a failure."""
        try:
            self._writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json_atomically(path: Path, payload: dict) -> None:
    """Write JSON to a temp file in the same directory, fsync, then rename over ``path``."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, sort_keys=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
