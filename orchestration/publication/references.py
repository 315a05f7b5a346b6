"""Payment references: the idempotency key of every list row, the same in every version and rerun.

A row's `reference_id` is a keyed hash (HMAC-SHA256) of what a payment is for: the period, the
service, the family and the beneficiary (the empty string for a family-level payment). So:

- the same (period, service, family, beneficiary) gets the same reference in every version, rerun
  and republication of the month, and a payment system that already paid a reference knows it
  must not pay it again;
- anything else gets another reference (96 bits: collisions are not a practical concern, and the
  publisher refuses a snapshot that repeats one);
- the reference reveals nothing. It is derived from an IIN, but without the key it cannot be
  traced back to it (an unkeyed hash of a 12-digit IIN can be reversed by trying them all), so a
  reference may appear in a payment system's logs, a reconciliation report or a ticket.

The key is a deployment secret: 32 random bytes in a file only its owner reads, created on first
use (`load_reference_key`). It must never change while references are in use, and every
installation that reproduces a month needs the same file. The manifest records the key's id
(`reference_key_id`), never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from orchestration.publication.durable_fs import fsync_dir

KEY_BYTES = 32
#: "R", then 24 hex digits: 25 characters, within ISO 20022's 35 for an end-to-end id.
REFERENCE_PREFIX = "R"
_REFERENCE_HEX_DIGITS = 24
_OWNER_ONLY = 0o600


@dataclass(frozen=True)
class ReferenceKey:
    """The secret that reference ids are derived with (never logged: `repr` hides it)."""

    secret: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.secret, bytes) or len(self.secret) != KEY_BYTES:
            raise ValueError(f"a reference key is {KEY_BYTES} bytes")

    def __repr__(self) -> str:
        return f"ReferenceKey(id={self.key_id})"

    @property
    def key_id(self) -> str:
        """A public name of the key (12 hex digits), recorded in every manifest."""
        return hashlib.sha256(b"kz-reference-key-id:" + self.secret).hexdigest()[:12]


def load_reference_key(path: str | os.PathLike) -> ReferenceKey:
    """The deployment's reference key at `path`, created (owner-only, fsynced) if it is missing."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _OWNER_ONLY)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            try:
                os.write(fd, secrets.token_bytes(KEY_BYTES))
                os.fsync(fd)
            finally:
                os.close(fd)
            fsync_dir(path.parent)
    secret = path.read_bytes()
    if len(secret) != KEY_BYTES:
        raise ValueError(f"the reference key file {path.name} does not hold a {KEY_BYTES}-byte key")
    return ReferenceKey(secret)


def reference_message(period: str, service: str, family_id: int, beneficiary_iin: str | None) -> bytes:
    """What one reference identifies, as the bytes the key signs."""
    return f"{period}|{service}|{family_id}|{beneficiary_iin or ''}".encode()


def reference_id(
    key: ReferenceKey, period: str, service: str, family_id: int, beneficiary_iin: str | None
) -> str:
    """The reference of one payment (module docstring)."""
    digest = hmac.new(
        key.secret, reference_message(period, service, family_id, beneficiary_iin), hashlib.sha256
    )
    return REFERENCE_PREFIX + digest.hexdigest()[:_REFERENCE_HEX_DIGITS].upper()


def reference_ids(key: ReferenceKey, table: pa.Table) -> pa.Array:
    """The reference of every row of a list (columns period, service, family_id, beneficiary_iin)."""
    return pa.array(
        [
            reference_id(key, period, service, family_id, beneficiary)
            for period, service, family_id, beneficiary in zip(
                table.column("period").to_pylist(),
                table.column("service").to_pylist(),
                table.column("family_id").to_pylist(),
                table.column("beneficiary_iin").to_pylist(),
                strict=True,
            )
        ],
        pa.string(),
    )
