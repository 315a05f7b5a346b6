"""Reproduce a published month: rescore it from its recorded inputs and prove the result identical.

    python -m orchestration.reproduce --period 2026-10 [--region 79 ...]

For each region, the published manifest records what the list was made from: the sha256 of
every landing extract, the corrections log's pinned events, the methodology and rule versions,
and the code version. This command

1. checks that the landing extracts on disk are still those (names any that changed);
2. reruns the month in a scratch warehouse and publication root (monthly and regional jobs,
   in process, nothing shared with the live warehouse), with the corrections log as it was
   pinned (its first events, checked against their sha256: a correction withdrawn since still
   applies, one filed since does not);
3. compares the new snapshot with the published one file by file, and where they differ, says
   exactly what differs (rows added/removed, levels or amounts changed, per service), by counts,
   never by IIN.

Exit status 0 when every region is byte-identical.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from kz_domain.period import parse_period
from kz_domain.regions import PILOT_REGIONS, parse_region
from orchestration.corrections.store import LOG_NAME, CorrectionError, log_path, log_prefix
from orchestration.landing.drop import inspect_drop
from orchestration.publication.snapshot import read_current
from orchestration.runner import run_month
from orchestration.settings import PlatformPaths

KEY = ("family_id", "beneficiary_iin")


@dataclass
class RegionReproduction:
    """The outcome for one region: identical, or the list of differences found."""

    region: str
    published_version: str
    reproduced_version: str | None = None
    differences: list[str] = field(default_factory=list)  # in the published output
    input_changes: list[str] = field(default_factory=list)  # in what it was made from

    @property
    def identical(self) -> bool:
        return self.reproduced_version is not None and not self.differences


def input_differences(manifest: dict, landing_checksums: dict[str, str], code_version: str) -> list[str]:
    """What changed in the inputs since the publication (landing extracts, code)."""
    differences = []
    recorded = manifest.get("landing_checksums", {})
    for registry in sorted(set(recorded) | set(landing_checksums)):
        if recorded.get(registry) != landing_checksums.get(registry):
            differences.append(f"landing extract {registry} differs from the one published with")
    if manifest.get("code_version") not in (None, "unknown", code_version):
        differences.append(
            f"code version {code_version[:12]} differs from the published {manifest['code_version'][:12]}"
            " (check that commit out to reproduce exactly)"
        )
    return differences


def table_differences(service: str, published: pa.Table, reproduced: pa.Table) -> list[str]:
    """Counts of rows added, removed and changed between two lists of one service."""
    old = published.to_pandas().set_index(list(KEY))
    new = reproduced.to_pandas().set_index(list(KEY))
    removed = old.index.difference(new.index)
    added = new.index.difference(old.index)
    common = old.index.intersection(new.index)
    notes = []
    if len(removed):
        notes.append(f"{service}: {len(removed)} rows published but not reproduced")
    if len(added):
        notes.append(f"{service}: {len(added)} rows reproduced but not published")
    for column in (
        "level",
        "amount_kzt",
        "recipient_iin",
        "reason_codes",
        "methodology_version",
        "rule_version",
    ):
        before, after = old.loc[common, column], new.loc[common, column]
        changed = int((before.astype(str) != after.astype(str)).sum())
        if changed:
            notes.append(f"{service}: {changed} rows with a different {column}")
    return notes or [f"{service}: same rows and values, different bytes (writer settings or version)"]


def compare_snapshots(published: tuple[dict, dict], reproduced: tuple[dict, dict]) -> list[str]:
    """Every difference between a published and a reproduced snapshot (empty when identical)."""
    (old_manifest, old_tables), (new_manifest, new_tables) = published, reproduced
    differences = []
    for key in ("methodology_version", "rule_version", "schema_version", "corrections", "reference_key_id"):
        if old_manifest.get(key) != new_manifest.get(key):
            differences.append(
                f"{key}: published {old_manifest.get(key)}, reproduced {new_manifest.get(key)}"
            )
    for service in sorted(set(old_manifest["services"]) | set(new_manifest["services"])):
        old_entry, new_entry = old_manifest["services"].get(service), new_manifest["services"].get(service)
        if old_entry is None or new_entry is None:
            differences.append(f"{service}: present in only one of the two snapshots")
        elif old_entry["sha256"] != new_entry["sha256"]:
            differences += table_differences(service, old_tables[service], new_tables[service])
    return differences


def reproduce(
    period: str, regions: list[str], live: PlatformPaths, scratch_root: Path
) -> list[RegionReproduction]:
    """Rerun `period` in a scratch root and compare it with what `live` published.

    Regions published with different corrections pins (one republished after a correction) are
    rerun apart, each with its own pin."""
    published = {region: read_current(live.publish_root, period, region) for region in regions}
    groups: dict[str, list[str]] = {}
    for region in regions:
        key = json.dumps(published[region][0].get("corrections"), sort_keys=True)
        groups.setdefault(key, []).append(region)
    outcomes: dict[str, RegionReproduction] = {}
    for number, members in enumerate(groups.values()):
        root = scratch_root if len(groups) == 1 else scratch_root / f"pin-{number}"
        for outcome in _reproduce_with_one_pin(period, members, live, root, published):
            outcomes[outcome.region] = outcome
    live.export()  # restore the live paths in the environment
    return [outcomes[region] for region in regions]


def _reproduce_with_one_pin(
    period: str, regions: list[str], live: PlatformPaths, scratch_root: Path, published: dict
) -> list[RegionReproduction]:
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.publication.snapshot import detect_code_version

    outcomes = {r: RegionReproduction(r, published[r][0]["version"]) for r in regions}
    drop = inspect_drop(live.landing_root / period)
    for region in regions:
        outcomes[region].input_changes += input_differences(
            published[region][0], drop.checksums(), detect_code_version()
        )

    scratch = PlatformPaths(
        data_root=scratch_root,
        landing_root=live.landing_root,  # read only
        truth_root=live.truth_root,
        warehouse_path=scratch_root / "warehouse" / "warehouse.duckdb",
        publish_root=scratch_root / "published",
        corrections_root=scratch_root / "corrections",
        # the payment references of the live deployment: the same key gives the same references
        reference_key_path=live.reference_key_path,
    )
    # The corrections as they were when the regions were published: the log's pinned events,
    # byte for byte (later decisions, a withdrawal, are not replayed).
    pin = published[regions[0]][0].get("corrections")
    if pin is None:
        note = "published before the corrections log was pinned: rerun with the whole log as it is now"
        prefix = (
            log_path(live.corrections_root).read_bytes() if log_path(live.corrections_root).exists() else b""
        )
        for outcome in outcomes.values():
            outcome.input_changes.append(note)
    else:
        try:
            prefix = log_prefix(live.corrections_root, pin)
        except CorrectionError as error:
            for outcome in outcomes.values():
                outcome.input_changes.append(str(error))
            prefix = b""
    scratch.corrections_root.mkdir(parents=True, exist_ok=True)
    if prefix:
        target = scratch.corrections_root / LOG_NAME
        target.touch(mode=0o600)  # the log holds IINs
        target.write_bytes(prefix)
    defs = build_definitions(scratch)
    instance = dg.DagsterInstance.ephemeral()
    # The month's runs without analytics; a region whose run failed has no result to compare.
    results = run_month(defs, instance, period, regions, analytics=False, echo=False)
    regional = dict(zip(regions, results[1:], strict=False))  # in region order, when the month passed
    for region in regions:
        outcome = outcomes[region]
        if not results[0].success:
            outcome.differences.append("the month did not pass its gates when rerun")
            continue
        if not regional[region].success:
            outcome.differences.append("the region's lists did not pass their gates when rerun")
            continue
        reproduced = read_current(scratch.publish_root, period, region)
        outcome.reproduced_version = reproduced[0]["version"]
        outcome.differences += compare_snapshots(published[region], reproduced)
    return list(outcomes.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rescore a published month and prove it byte-identical.")
    parser.add_argument("--period", required=True, type=parse_period, help="YYYY-MM")
    parser.add_argument(
        "--region",
        action="append",
        type=parse_region,
        help="KATO prefix (repeatable); default: every pilot region",
    )
    args = parser.parse_args(argv)
    live = PlatformPaths.from_env()
    with tempfile.TemporaryDirectory(
        prefix="reproduce-", dir=live.data_root if live.data_root.exists() else None
    ) as tmp:
        outcomes = reproduce(args.period, args.region or list(PILOT_REGIONS), live, Path(tmp))
    for outcome in outcomes:
        if outcome.identical:
            print(f"{args.period}/{outcome.region}: byte-identical to published {outcome.published_version}")
        else:
            print(f"{args.period}/{outcome.region}: DIFFERS from published {outcome.published_version}")
            for difference in outcome.differences:
                print(f"  - {difference}")
        for change in outcome.input_changes:
            print(f"  input: {change}")
    return 0 if all(o.identical for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
