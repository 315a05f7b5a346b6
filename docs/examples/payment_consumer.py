"""An example payment system: read the current snapshot and its changes, pay, report outcomes.

What a payment system does with the platform's files (docs/publication.md), in one page that the
tests run (tests/publication/test_payment_consumer.py):

1. read CURRENT once, verify every file of that version against its manifest;
2. check the control totals: each list's rows and exact amount against the manifest, and each
   changes file against the two lists (basis + added - removed + amount changes = now);
3. build one payment batch per service keyed by `reference_id` (the idempotency key: a reference
   already paid is never paid again, whatever version it comes from), with its declared number of
   transactions and control sum, as ISO 20022 and G2P rails expect;
4. write one outcome per reference to `<outcomes root>/<period>/<region>/<version>.csv`.

Needs only the standard library and pyarrow. It prints counts and totals, never an IIN.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OUTCOME_COLUMNS = ("reference_id", "outcome", "reason_code", "amount_kzt", "reported_at")
REPORTED_AT = "2026-12-01T10:00:00+05:00"  # a real rail reports when it learned each outcome


@dataclass
class Batch:
    """One service's payments of one published version."""

    message_id: str  # unique per batch: the version and the service
    service: str
    items: dict[str, Decimal] = field(default_factory=dict)  # reference_id -> amount
    skipped: dict[str, Decimal] = field(default_factory=dict)  # paid before: not paid again

    @property
    def number_of_transactions(self) -> int:
        return len(self.items)

    @property
    def control_sum(self) -> Decimal:
        return sum(self.items.values(), Decimal("0.00"))


def read_verified(snapshot_dir: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and the bytes of every file it names, each checked by sha256."""
    manifest = json.loads((snapshot_dir / "manifest.json").read_text())
    entries = list(manifest["services"].values())
    for basis in manifest.get("changes", {}).get("bases", {}).values():
        entries += list((basis or {}).get("services", {}).values())
    contents = {}
    for entry in entries:
        if "/" in entry["file"] or entry["file"].startswith("."):
            raise RuntimeError("the manifest names a file outside its version directory")
        content = (snapshot_dir / entry["file"]).read_bytes()
        if hashlib.sha256(content).hexdigest() != entry["sha256"]:
            raise RuntimeError(f"{entry['file']} does not match the manifest: do not use this snapshot")
        contents[entry["file"]] = content
    return manifest, contents


def table_of(content: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(content))


def exact_sum(table: pa.Table, column: str) -> Decimal:
    return sum((value for value in table.column(column).to_pylist() if value is not None), Decimal("0.00"))


def check_control_totals(manifest: dict, contents: dict[str, bytes]) -> None:
    """Every list and every changes file against the manifest's exact totals."""
    for service, entry in manifest["services"].items():
        table = table_of(contents[entry["file"]])
        if table.num_rows != entry["rows"] or exact_sum(table, "amount_kzt") != Decimal(
            entry["amount_total_kzt"]
        ):
            raise RuntimeError(f"{service}: the list does not match its control totals")
    for basis, basis_entry in manifest.get("changes", {}).get("bases", {}).items():
        for service, entry in ((basis_entry or {}).get("services") or {}).items():
            changes = table_of(contents[entry["file"]])
            kinds = changes.column("change").to_pylist()
            added, removed = kinds.count("added"), kinds.count("removed")
            now = manifest["services"][service]
            rows_ok = entry["basis_rows"] + added - removed == now["rows"]
            amount = Decimal(entry["basis_amount_total_kzt"]) + exact_sum(changes, "amount_change_kzt")
            if not rows_ok or amount != Decimal(now["amount_total_kzt"]) or changes.num_rows != entry["rows"]:
                raise RuntimeError(f"{service}: the changes against {basis} do not add up to the list")


def build_batches(manifest: dict, contents: dict[str, bytes], already_paid: set[str]) -> list[Batch]:
    """One batch per service of the references not paid before (idempotent by reference_id)."""
    batches = []
    for service, entry in sorted(manifest["services"].items()):
        table = table_of(contents[entry["file"]])
        batch = Batch(message_id=f"{manifest['version']}:{service}", service=service)
        for reference, amount in zip(
            table.column("reference_id").to_pylist(), table.column("amount_kzt").to_pylist(), strict=True
        ):
            if reference in batch.items or reference in batch.skipped:
                raise RuntimeError(f"{service}: a reference repeats within one list")
            (batch.skipped if reference in already_paid else batch.items)[reference] = amount
        batches.append(batch)
    return batches


def write_outcomes(path: Path, rows: list[tuple[str, str, str, Decimal, str]]) -> None:
    """The outcome file of one version: a header, then one line per reference."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(OUTCOME_COLUMNS)
        for reference, outcome, reason_code, amount, reported_at in rows:
            writer.writerow([reference, outcome, reason_code, f"{amount:.2f}", reported_at])
    os.replace(temporary, path)  # the platform never sees half a file


def pay_current(
    publish_root: Path,
    outcomes_root: Path,
    period: str,
    region: str,
    rail: Callable[[str, str, Decimal], tuple[str, str]],
    already_paid: set[str],
) -> list[Batch]:
    """Pay the current snapshot of a period and region through `rail` and report the outcomes.

    `rail(service, reference_id, amount)` returns (outcome, reason code)."""
    region_dir = publish_root / period / region
    version = (region_dir / "CURRENT").read_text().strip()  # read CURRENT once
    manifest, contents = read_verified(region_dir / version)
    check_control_totals(manifest, contents)
    batches = build_batches(manifest, contents, already_paid)
    outcomes = []
    for batch in batches:
        # the envelope the rail checks first: with what was paid before, exactly the published list
        listed = manifest["services"][batch.service]
        paid_before = sum(batch.skipped.values(), Decimal("0.00"))
        if batch.number_of_transactions + len(batch.skipped) != listed[
            "rows"
        ] or batch.control_sum + paid_before != Decimal(listed["amount_total_kzt"]):
            raise RuntimeError(f"{batch.message_id}: the batch does not match the published list")
        for reference, amount in batch.items.items():
            outcome, reason_code = rail(batch.service, reference, amount)
            outcomes.append((reference, outcome, reason_code, amount, REPORTED_AT))
            if outcome == "paid":
                already_paid.add(reference)
        # every published reference gets its outcome, the ones paid under an earlier version too
        outcomes += [
            (reference, "paid", "", amount, REPORTED_AT) for reference, amount in batch.skipped.items()
        ]
    write_outcomes(outcomes_root / period / region / f"{version}.csv", outcomes)
    for batch in batches:
        print(f"{batch.message_id}: {batch.number_of_transactions} payments, {batch.control_sum} KZT")
    return batches
