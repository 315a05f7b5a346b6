"""Corrections of registry data: an append-only, validated log of events, one JSON line each.

Why a file and not the warehouse or PostgreSQL: DuckDB takes one writer per file, so a correction
could not be filed while a monthly run holds the warehouse; PostgreSQL is optional in this
deployment (only payment systems need it), and corrections must work without it. An append-only
JSON Lines file under an exclusive lock accepts writes at any time, is fsynced line by line, keeps
the whole history (who did what, when: nothing is ever rewritten), and dbt reads it as a source
with DuckDB's `read_json` (no extension to download).

Events: `filed` (the correction itself), then at most one decision, `approved` or `rejected`,
then possibly `withdrawn`. Approval by the requester is refused. A correction is one of:

* a registry value: (registry, column) of the landing contract, for the subject's rows (or one
  row, by the registry's row key), with the registry's value and the corrected value;
* a family membership change: the subject person leaves (or joins) a family card.

Errors name the correction, the field and the problem, never a value: subjects are IINs.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from kz_domain.iin import is_valid_iin
from kz_domain.landing_contract import RECORD_KEYS, REGISTRIES, SUBJECT_COLUMNS
from kz_domain.period import reference_date
from orchestration.publication.durable_fs import append_line_synced

LOG_NAME = "corrections.jsonl"
#: The log holds IINs: readable and writable by the platform's user only.
LOG_MODE = 0o600
SCHEMA_VERSION = 1
DECISIONS = ("approved", "rejected")
EVENTS = ("filed", *DECISIONS, "withdrawn")
MEMBERSHIP_CHANGES = ("leaves_family", "joins_family")
#: Columns a correction may not change: the keys that say which row and whose it is.
_KEY_COLUMNS = frozenset({"extract_as_of"})


class CorrectionError(ValueError):
    """A correction or a decision that cannot be recorded; the message quotes no value."""


@dataclass(frozen=True)
class Evidence:
    document_type: str
    reference: str
    date: str


@dataclass
class Correction:
    """The current state of one correction, folded from its events."""

    correction_id: str
    kind: str  # registry_value | membership
    subject_iin: str
    registry: str | None
    column: str | None
    record_key: str | None
    registry_value: Any
    corrected_value: Any
    family_id: int | None
    change: str | None
    evidence: Evidence
    requested_by: str
    filed_at: str
    effective_from: str
    valid_until: str | None
    reason: str
    state: str = "filed"  # filed | approved | rejected | withdrawn
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None
    history: list[dict] = field(default_factory=list)

    def in_force_on(self, day: dt.date) -> bool:
        """Approved, and `day` lies in [effective_from, valid_until)."""
        if self.state != "approved" or dt.date.fromisoformat(self.effective_from) > day:
            return False
        return self.valid_until is None or day < dt.date.fromisoformat(self.valid_until)


def log_path(root: Path, name: str = LOG_NAME) -> Path:
    return Path(root) / name


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """The lock every writer of the corrections root (corrections and appeals) holds."""
    Path(root).mkdir(parents=True, exist_ok=True)
    with open(Path(root) / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_events(root: Path, name: str = LOG_NAME) -> list[dict]:
    """Every complete event of a log of the corrections root. A last line without its newline
    is an append cut short by a crash: it was never acknowledged, so it is not an event (the
    next append starts a new line after it)."""
    return [json.loads(line) for line in _complete_lines(root, name) if line.strip()]


@dataclass(frozen=True)
class CorrectionsPin:
    """The corrections a month's run computes with: every event up to `through_seq`, whose
    lines hash to `sha256`. Fixed when the run starts (the landing step) and recorded in the
    month's evidence and the published manifest, so that the month reproduces with exactly
    these corrections, whatever was decided since."""

    through_seq: int
    sha256: str
    #: the corrections in force on the period's reference date (ids; no personal data)
    in_force: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"through_seq": self.through_seq, "sha256": self.sha256, "in_force": list(self.in_force)}


def _complete_lines(root: Path, name: str = LOG_NAME) -> list[bytes]:
    path = log_path(root, name)
    if not path.exists():
        return []
    data = path.read_bytes()
    complete = data if data.endswith(b"\n") else data[: data.rfind(b"\n") + 1]
    return complete.splitlines(keepends=True)


def pin_log(root: Path, period: str) -> CorrectionsPin:
    """The pin of the log as it is now (every complete event), with the corrections it has in
    force for `period`; refused, naming the line, when a line is not a valid event (the log was
    edited by hand)."""
    lines = _complete_lines(root)
    for number, line in enumerate(lines, start=1):
        try:
            event = json.loads(line)
        except ValueError:
            raise CorrectionError(
                f"corrections log line {number}: not a JSON event (edited by hand?)"
            ) from None
        if event.get("seq") != number or event.get("event") not in EVENTS:
            raise CorrectionError(f"corrections log line {number}: not the event number {number} of the log")
    prefix = b"".join(lines)
    return CorrectionsPin(len(lines), hashlib.sha256(prefix).hexdigest(), tuple(in_force(prefix, period)))


def log_prefix(root: Path, pin: CorrectionsPin | dict) -> bytes:
    """The log's first `pin.through_seq` events, byte for byte; refused when they no longer hash
    to the pin (the append-only log was rewritten)."""
    if isinstance(pin, dict):
        pin = CorrectionsPin(int(pin["through_seq"]), str(pin["sha256"]))
    prefix = b"".join(_complete_lines(root)[: pin.through_seq])
    if hashlib.sha256(prefix).hexdigest() != pin.sha256:
        raise CorrectionError(
            f"corrections log: its first {pin.through_seq} events are not those pinned (the log was rewritten)"
        )
    return prefix


def corrections(root: Path) -> dict[str, Correction]:
    """Every correction's current state, in filing order."""
    return corrections_from_events(read_events(root))


def in_force(prefix: bytes, period: str) -> list[str]:
    """The corrections a pinned log prefix has in force on the period's reference date (the
    rule of dbt's stg_corrections__in_force, which applies them; a test ties the two)."""
    events = [json.loads(line) for line in prefix.splitlines() if line.strip()]
    day = reference_date(period)
    return [cid for cid, c in corrections_from_events(events).items() if c.in_force_on(day)]


def corrections_from_events(events: list[dict]) -> dict[str, Correction]:
    """Every correction's state after `events` (in the log's order)."""
    state: dict[str, Correction] = {}
    for event in events:
        cid = event["correction_id"]
        if event["event"] == "filed":
            state[cid] = Correction(
                correction_id=cid,
                kind=event["kind"],
                subject_iin=event["subject_iin"],
                registry=event.get("registry"),
                column=event.get("column"),
                record_key=event.get("record_key"),
                registry_value=event.get("registry_value"),
                corrected_value=event.get("corrected_value"),
                family_id=event.get("family_id"),
                change=event.get("change"),
                evidence=Evidence(**event["evidence"]),
                requested_by=event["by"],
                filed_at=event["at"],
                effective_from=event["effective_from"],
                valid_until=event.get("valid_until"),
                reason=event.get("reason", ""),
            )
        else:
            correction = state[cid]
            correction.state = event["event"]
            if event["event"] in DECISIONS:
                correction.decided_by, correction.decided_at = event["by"], event["at"]
                correction.decision_reason = event.get("reason")
        state[cid].history.append({k: event[k] for k in ("event", "by", "at") if k in event})
    return state


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def append_event(root: Path, event: dict, name: str = LOG_NAME) -> None:
    """Append one event, fsynced, readable by its owner only (the logs hold IINs). Call under the
    lock: `seq` numbers the events in the order they were recorded."""
    event = {"schema_version": SCHEMA_VERSION, "seq": len(read_events(root, name)) + 1, **event}
    line = json.dumps(event, ensure_ascii=False, sort_keys=True).encode()
    append_line_synced(log_path(root, name), line, mode=LOG_MODE)


def _date(text: str | None, what: str, *, optional: bool = False) -> str | None:
    if text is None and optional:
        return None
    try:
        return dt.date.fromisoformat(str(text)).isoformat()
    except ValueError:
        raise CorrectionError(f"{what}: not a date YYYY-MM-DD") from None


def _typed(value: Any, registry: str, column: str, what: str) -> Any:
    """`value` as the contract's type of the column (None stays None), or CorrectionError."""
    if value is None:
        return None
    kind = REGISTRIES[registry].field(column).type
    try:
        if pa.types.is_string(kind):
            if not isinstance(value, str):
                raise TypeError
            return value
        if pa.types.is_date(kind):
            return dt.date.fromisoformat(str(value)).isoformat()
        if pa.types.is_boolean(kind):
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise TypeError
        number = float(value)
        if isinstance(value, bool) or not math.isfinite(number):
            raise TypeError
        if pa.types.is_integer(kind):
            if number != int(number):
                raise TypeError
            return int(number)
        if pa.types.is_floating(kind):
            return number
    except (TypeError, ValueError, OverflowError):
        raise CorrectionError(f"{what}: not a value of type {kind} ({registry}.{column})") from None
    raise CorrectionError(f"{what}: {registry}.{column} cannot be corrected (type {kind})")


def file_registry_correction(
    root: Path,
    *,
    subject_iin: str,
    registry: str,
    column: str,
    registry_value: Any,
    corrected_value: Any,
    evidence: Evidence,
    requested_by: str,
    effective_from: str,
    valid_until: str | None = None,
    record_key: str | None = None,
    reason: str = "",
    known_iins: frozenset[str] | None = None,
) -> str:
    """File a correction of one registry column for the subject (or one of its rows); its id."""
    if registry not in REGISTRIES:
        raise CorrectionError(
            f"registry: not a registry of the landing contract (known: {', '.join(REGISTRIES)})"
        )
    if column not in REGISTRIES[registry].names or column in _KEY_COLUMNS:
        raise CorrectionError(f"column: {registry} has no correctable column of that name")
    if registry == "family_links":
        raise CorrectionError(
            "registry: who belongs to a family is corrected by a membership change (--change)"
        )
    if record_key is not None and registry not in RECORD_KEYS:
        raise CorrectionError(f"record_key: {registry} has no record key; correct all the subject's rows")
    if registry not in SUBJECT_COLUMNS and record_key is None:
        raise CorrectionError(f"record_key: {registry} rows are not a person's; name the record")
    event = {
        "kind": "registry_value",
        "registry": registry,
        "column": column,
        "record_key": record_key,
        "registry_value": _typed(registry_value, registry, column, "registry_value"),
        "corrected_value": _typed(corrected_value, registry, column, "corrected_value"),
    }
    if event["registry_value"] == event["corrected_value"]:
        raise CorrectionError("corrected_value: equal to the registry's value, nothing to correct")
    return _file(
        root, subject_iin, event, evidence, requested_by, effective_from, valid_until, reason, known_iins
    )


def file_membership_change(
    root: Path,
    *,
    subject_iin: str,
    family_id: int,
    change: str,
    evidence: Evidence,
    requested_by: str,
    effective_from: str,
    valid_until: str | None = None,
    reason: str = "",
    known_iins: frozenset[str] | None = None,
) -> str:
    """File a family membership change: the subject leaves (or joins) a family card; its id."""
    if change not in MEMBERSHIP_CHANGES:
        raise CorrectionError(f"change: one of {', '.join(MEMBERSHIP_CHANGES)}")
    event = {"kind": "membership", "family_id": int(family_id), "change": change}
    return _file(
        root, subject_iin, event, evidence, requested_by, effective_from, valid_until, reason, known_iins
    )


def _file(
    root, subject_iin, event, evidence, requested_by, effective_from, valid_until, reason, known_iins
) -> str:
    if not is_valid_iin(subject_iin):
        raise CorrectionError("subject_iin: not a valid IIN (12 digits with a correct check digit)")
    if known_iins is not None and subject_iin not in known_iins:
        raise CorrectionError("subject_iin: no such person in the population extract of the period")
    if not requested_by.strip():
        raise CorrectionError("requested_by: who files the correction is required")
    if not (evidence.document_type.strip() and evidence.reference.strip()):
        raise CorrectionError("evidence: a document type and a reference are required")
    begins = _date(effective_from, "effective_from") or ""
    ends = _date(valid_until, "valid_until", optional=True)
    if ends is not None and ends <= begins:
        raise CorrectionError("valid_until: must come after effective_from")
    record = {
        **event,
        "event": "filed",
        "subject_iin": subject_iin,
        "evidence": {
            "document_type": evidence.document_type,
            "reference": evidence.reference,
            "date": _date(evidence.date, "evidence.date"),
        },
        "effective_from": begins,
        "valid_until": ends,
        "reason": reason,
        "by": requested_by,
        "at": now(),
    }
    with locked(root):
        record["correction_id"] = f"C-{len(corrections(root)) + 1:06d}"
        append_event(root, record)
    return record["correction_id"]


def decide(root: Path, correction_id: str, decision: str, by: str, reason: str = "") -> Correction:
    """Approve, reject or withdraw a correction; the requester may not approve their own."""
    if decision not in (*DECISIONS, "withdrawn"):
        raise CorrectionError(f"decision: one of {', '.join((*DECISIONS, 'withdrawn'))}")
    if not by.strip():
        raise CorrectionError("by: who decides is required")
    with locked(root):
        state = corrections(root)
        if correction_id not in state:
            raise CorrectionError(f"{correction_id}: no such correction")
        correction = state[correction_id]
        if decision in DECISIONS:
            if correction.state != "filed":
                raise CorrectionError(f"{correction_id}: already {correction.state}")
            if by.strip().casefold() == correction.requested_by.strip().casefold():
                raise CorrectionError(f"{correction_id}: the requester cannot decide their own correction")
            if decision == "rejected" and not reason.strip():
                raise CorrectionError(f"{correction_id}: a rejection needs a reason")
        else:
            if correction.state in ("rejected", "withdrawn"):
                raise CorrectionError(f"{correction_id}: already {correction.state}")
            if not reason.strip():
                raise CorrectionError(f"{correction_id}: a withdrawal needs a reason")
        append_event(
            root,
            {"event": decision, "correction_id": correction_id, "by": by, "reason": reason, "at": now()},
        )
        return corrections(root)[correction_id]


def mask_iin(iin: str) -> str:
    """An IIN as a caseworker may see it on screen: its last four digits."""
    return "••••••••" + iin[-4:]


def population_iins(landing_month: Path) -> frozenset[str]:
    """The IINs of a landing month's population extract (to refuse a correction of nobody)."""
    import duckdb

    failed = False
    with duckdb.connect() as connection:
        try:
            rows = connection.execute(
                "select distinct iin from read_parquet(?) where iin is not null",
                [str(landing_month / "population.parquet")],
            ).fetchall()
        except duckdb.Error:  # its message may quote a value: never shown
            failed = True
    if failed:
        raise CorrectionError(f"population extract of {landing_month.name}: missing or unreadable")
    return frozenset(r[0] for r in rows)
