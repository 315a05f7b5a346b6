"""The registries' monthly extracts as Dagster assets, keyed `landing/<registry>`.

The registries write the files; Dagster does not. Materialising a month of these assets means
verifying the drop (manifest present, every registry delivered, checksums right) and recording
each extract's rows, as-of date and checksum, so the dbt sources downstream only ever read a
complete, verified month. A late or missing extract fails the step and names the registry.
The verified checksums become the run's landing pin (`orchestration.landing.pin`).
"""

from pathlib import Path

import dagster as dg

from kz_domain.landing_contract import REGISTRIES
from orchestration.asset_keys import LANDING_KEY, landing_key
from orchestration.corrections.store import CorrectionError, pin_log
from orchestration.landing.drop import inspect_drop
from orchestration.landing.pin import pin_from_drop, record_pin
from orchestration.landing.verify import gate_outcomes, verify_drop
from orchestration.partitions import monthly_partitions
from orchestration.quality import evidence, gate_log
from orchestration.resources import WAREHOUSE_POOL, LandingResource, WarehouseResource

LANDING_SPECS = [
    dg.AssetSpec(
        landing_key(name),
        description=f"Monthly extract of the {name} registry (docs/landing.md).",
        group_name="landing",
        kinds={"parquet"},
        partitions_def=monthly_partitions,
        metadata={
            "dagster/column_schema": dg.TableSchema(
                columns=[
                    dg.TableColumn(
                        f.name, str(f.type), description=(f.metadata or {}).get(b"description", b"").decode()
                    )
                    for f in schema
                ]
            )
        },
    )
    for name, schema in REGISTRIES.items()
]


#: The gate this step records in the gate log (orchestration.quality.requirements).
LANDING_VERIFIED_CHECK = "landing_verified"


class LandingApproval(dg.Config):
    """Run config a data engineer sets to score a month with registries that did not refresh
    (`accept_stale`) or whose volume moved beyond tolerance (`accept_volume`)."""

    accept_stale: list[str] = []
    accept_volume: list[str] = []
    approved_by: str = ""
    reason: str = ""


@dg.multi_asset(specs=LANDING_SPECS, name="landing_extracts", can_subset=False, pool=WAREHOUSE_POOL)
def landing_extracts(
    context: dg.AssetExecutionContext,
    config: LandingApproval,
    landing: LandingResource,
    warehouse: WarehouseResource,
):
    """Verify the month's drop (checksums, then each file against the manifest and the contract:
    orchestration.landing.verify), pin it for the run and record every extract; fail naming any
    late, missing or malformed extract."""
    month_dir = landing.month_dir(context.partition_key)
    drop = inspect_drop(month_dir)
    if not drop.complete:
        lines = "\n".join(f"- {problem}" for problem in drop.problems())
        raise dg.Failure(
            description=f"landing drop {drop.period} is not complete:\n{lines}",
            metadata={"problems": dg.MetadataValue.md(lines)},
        )
    approved = bool(config.approved_by.strip())
    stale = frozenset(config.accept_stale) if approved else frozenset()
    volume = frozenset(config.accept_volume) if approved else frozenset()
    findings = verify_drop(month_dir, drop, accept_stale=stale, accept_volume=volume)
    accepted = [f"stale {', '.join(sorted(stale))}"] * bool(stale) + [
        f"volume {', '.join(sorted(volume))}"
    ] * bool(volume)
    note = f"accepted by {config.approved_by} ({'; '.join(accepted)}): {config.reason}" if accepted else ""
    if accepted:
        context.log.warning(note)
    try:
        corrections_pin = pin_log(Path(landing.corrections_root), drop.period)
    except CorrectionError as error:
        raise dg.Failure(description=f"the corrections log cannot be pinned: {error}") from None
    with warehouse.connect() as connection:
        pin = record_pin(
            connection, pin_from_drop(month_dir, drop, corrections_pin.as_dict()), context.run.run_id
        )
        outcomes = {LANDING_VERIFIED_CHECK: True, **gate_outcomes(findings)}
        gate_log.record(
            connection,
            drop.period,
            "",
            context.run.run_id,
            [
                dg.AssetCheckResult(asset_key=LANDING_KEY, check_name=name, passed=ok)
                for name, ok in outcomes.items()
            ],
            note=note,
            dataset=evidence.LANDING,
            fingerprint=pin.fingerprint,
        )
    if findings:
        lines = "\n".join(f"- {finding}" for finding in findings)
        raise dg.Failure(
            description=f"landing drop {drop.period} does not match its manifest or the landing contract:\n{lines}",
            metadata={"findings": dg.MetadataValue.md(lines)},
        )
    context.log.info(
        "landing %s pinned for this run: %d extracts, corrections log through event %d",
        drop.period,
        len(pin.checksums),
        pin.corrections_through_seq,
    )
    for extract in drop.extracts:
        yield dg.MaterializeResult(
            asset_key=landing_key(extract.registry),
            metadata={
                "dagster/row_count": int(extract.rows or 0),
                "extract_as_of": extract.extract_as_of or "",
                "sha256": extract.sha256 or "",
            },
        )
