"""Appeals: a family disputes its level for a month; the appeal links the corrections filed for
it and ends with a decision.

Appeals live beside the corrections, in the append-only log `appeals.jsonl` of the corrections
root, with the same lock, fsync and privacy as the corrections log (`store.append_event`).
Events: `filed` (family, month, the level disputed, grounds, by), `linked` (a correction filed
for the appeal), then one decision: `upheld` (the level was wrong: at least one linked
correction is approved), `dismissed` (with a reason) or `withdrawn` (by the family, with a
reason). Whoever filed an appeal does not decide it. An appeal names a family, never a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kz_domain.period import parse_period
from orchestration.corrections.store import (
    CorrectionError,
    append_event,
    corrections,
    locked,
    now,
    read_events,
)

LOG_NAME = "appeals.jsonl"
DECISIONS = ("upheld", "dismissed", "withdrawn")


@dataclass
class Appeal:
    """One appeal's current state and history."""

    appeal_id: str
    family_id: int
    period: str
    disputed_level: int
    grounds: str
    filed_by: str
    filed_at: str
    corrections: list[str] = field(default_factory=list)
    state: str = "open"  # open | upheld | dismissed | withdrawn
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None
    history: list[dict] = field(default_factory=list)

    @property
    def days_to_decide(self) -> int | None:
        if self.decided_at is None:
            return None
        return (dt.datetime.fromisoformat(self.decided_at) - dt.datetime.fromisoformat(self.filed_at)).days


def appeals(root: Path) -> dict[str, Appeal]:
    """Every appeal's current state, in filing order."""
    state: dict[str, Appeal] = {}
    for event in read_events(root, LOG_NAME):
        aid = event["appeal_id"]
        if event["event"] == "filed":
            state[aid] = Appeal(
                appeal_id=aid,
                family_id=int(event["family_id"]),
                period=event["period"],
                disputed_level=int(event["disputed_level"]),
                grounds=event.get("grounds", ""),
                filed_by=event["by"],
                filed_at=event["at"],
            )
        elif event["event"] == "linked":
            state[aid].corrections.append(event["correction_id"])
        else:
            appeal = state[aid]
            appeal.state, appeal.decided_by, appeal.decided_at = event["event"], event["by"], event["at"]
            appeal.decision_reason = event.get("reason")
        state[aid].history.append({k: event[k] for k in ("event", "by", "at", "correction_id") if k in event})
    return state


def file_appeal(
    root: Path, *, family_id: int, period: str, disputed_level: int, grounds: str, by: str
) -> str:
    """File an appeal of a family's level for a month; its id."""
    if int(family_id) <= 0:
        raise CorrectionError("family_id: a family card id is a positive integer")
    if int(disputed_level) not in range(1, 7):
        raise CorrectionError("disputed_level: a wellbeing level, 1 to 6")
    if not grounds.strip():
        raise CorrectionError("grounds: say what the family disputes")
    if not by.strip():
        raise CorrectionError("by: who files the appeal is required")
    event: dict[str, object] = {
        "event": "filed",
        "family_id": int(family_id),
        "period": parse_period(period),
        "disputed_level": int(disputed_level),
        "grounds": grounds,
        "by": by,
        "at": now(),
    }
    with locked(root):
        appeal_id = f"A-{len(appeals(root)) + 1:06d}"
        append_event(root, {**event, "appeal_id": appeal_id}, LOG_NAME)
    return appeal_id


def link_correction(root: Path, appeal_id: str, correction_id: str, by: str) -> Appeal:
    """Link a correction filed for the appeal. A membership change must concern the appeal's
    family card; a registry value is a person's, whose family the log does not know: the
    caseworker who links it answers for it (the link is recorded with their name)."""
    if not by.strip():
        raise CorrectionError("by: who links the correction is required")
    with locked(root):
        appeal = _open(root, appeal_id)
        state = corrections(root)
        if correction_id not in state:
            raise CorrectionError(f"{correction_id}: no such correction")
        correction = state[correction_id]
        if correction.kind == "membership" and correction.family_id != appeal.family_id:
            raise CorrectionError(f"{appeal_id}: {correction_id} changes another family's card")
        if correction_id in appeal.corrections:
            raise CorrectionError(f"{appeal_id}: {correction_id} is already linked")
        append_event(
            root,
            {
                "event": "linked",
                "appeal_id": appeal_id,
                "correction_id": correction_id,
                "by": by,
                "at": now(),
            },
            LOG_NAME,
        )
        return appeals(root)[appeal_id]


def decide_appeal(root: Path, appeal_id: str, decision: str, by: str, reason: str = "") -> Appeal:
    """Uphold, dismiss or withdraw an appeal; whoever filed it cannot uphold or dismiss it."""
    if decision not in DECISIONS:
        raise CorrectionError(f"decision: one of {', '.join(DECISIONS)}")
    if not by.strip():
        raise CorrectionError("by: who decides is required")
    with locked(root):
        appeal = _open(root, appeal_id)
        if decision != "withdrawn" and by.strip().casefold() == appeal.filed_by.strip().casefold():
            raise CorrectionError(f"{appeal_id}: whoever filed the appeal cannot decide it")
        if decision == "upheld":
            state = corrections(root)
            if not any(state[cid].state == "approved" for cid in appeal.corrections):
                raise CorrectionError(
                    f"{appeal_id}: an upheld appeal needs an approved correction linked to it"
                )
        elif not reason.strip():
            raise CorrectionError(f"{appeal_id}: a {decision} appeal needs a reason")
        append_event(
            root,
            {"event": decision, "appeal_id": appeal_id, "by": by, "reason": reason, "at": now()},
            LOG_NAME,
        )
        return appeals(root)[appeal_id]


def _open(root: Path, appeal_id: str) -> Appeal:
    state = appeals(root)
    if appeal_id not in state:
        raise CorrectionError(f"{appeal_id}: no such appeal")
    if state[appeal_id].state != "open":
        raise CorrectionError(f"{appeal_id}: already {state[appeal_id].state}")
    return state[appeal_id]
