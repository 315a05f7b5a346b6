"""dbt models as Dagster assets, in two groups by partitioning.

* `warehouse_dbt_models` (monthly): staging, intermediate and the marts, national per period.
* `eligibility_dbt_models` (month x region): the pilot services' lists. They sit downstream of
  the Python asset `family_scores` (a dbt source), so a failed gate in one region stops only
  that region's list and publication.

dbt tests become asset checks; tests at severity `error` are blocking.
"""

from collections.abc import Callable

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.asset_keys import LANDING_KEY
from orchestration.landing.pin import changed_since_pin, pinned
from orchestration.partitions import month_region_partitions, monthly_partitions, period_and_region
from orchestration.quality import evidence, gate_log
from orchestration.quality.gate_log import GatesNotPassed
from orchestration.resources import WAREHOUSE_POOL, LandingResource, WarehouseResource
from orchestration.warehouse.cli_args import dbt_build_args, run_environment
from orchestration.warehouse.queries import rule_versions
from orchestration.warehouse.resources import dbt_project, process_environment, tidy_after_command

#: The gate the monthly dbt step records: no extract was re-delivered while dbt read them.
LANDING_UNCHANGED_CHECK = "landing_unchanged_during_build"

#: dbt selection of the eligibility models (and their rule seeds).
ELIGIBILITY_SELECTION = "path:models/eligibility path:seeds/service_rules"
#: dbt selection of the payment outcome models (orchestration/payments).
PAYMENTS_SELECTION = "path:models/payments"


class PlatformDbtTranslator(DagsterDbtTranslator):
    """Models keyed by their name alone (the warehouse has one namespace), grouped by folder.

    Sources keep dagster-dbt's `<source>/<table>` keys: `landing/<registry>` are the verified
    extracts of `orchestration.landing`, and `family_scores` is keyed by its `meta.dagster`.
    """

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec
        folder = props["fqn"][1] if len(props["fqn"]) > 2 else "seeds"
        return spec.replace_attributes(key=dg.AssetKey([props["name"]]), group_name=f"dbt_{folder}")


TRANSLATOR = PlatformDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    environment: dict[str, str],
    on_finish: Callable[[list], None],
):
    """Run `dbt build` for the asset's selection with the run's month (and region) in the
    environment, stream its events, then keep its parse state for the next dbt command and
    rotate the command folders (see tidy_after_command).

    `on_finish` receives every test outcome once dbt has exited, whether the build passed or
    failed (a failed blocking test is evidence too); a killed step records nothing, so its gates
    stay missing.
    """
    outcomes: list = []
    with process_environment(environment):
        invocation = dbt.cli(dbt_build_args(), context=context)
    try:
        for event in invocation.stream():
            if isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
                outcomes.append(event)
            yield event
    finally:
        tidy_after_command(invocation.target_path)
        on_finish(outcomes)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    exclude=f"{ELIGIBILITY_SELECTION} {PAYMENTS_SELECTION}",
    partitions_def=monthly_partitions,
    dagster_dbt_translator=TRANSLATOR,
    project=dbt_project(),
    pool=WAREHOUSE_POOL,
    name="warehouse_dbt_models",
)
def warehouse_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    landing: LandingResource,
):
    """Build the month's staging, intermediate and mart models and run their tests.

    Reads the extracts pinned by the month's landing step, and checks before and after the build
    that none was re-delivered meanwhile: a re-delivery fails the run by name, and its marts are
    recorded with a failed `landing_unchanged_during_build` gate, so nothing built from a mix of
    two deliveries can be published.
    """
    period = context.partition_key
    month_dir = landing.month_dir(period)
    with warehouse.connect(read_only=True) as connection:
        pin = pinned(connection, period)
    if pin is None:
        raise dg.Failure(f"the landing of {period} was never verified: materialize landing_extracts first")
    if pin.corrections is None:
        raise dg.Failure(
            f"the landing of {period} was pinned before the corrections log was: "
            "rerun the month from landing_extracts"
        )
    changed = changed_since_pin(month_dir, pin)
    if changed:
        raise dg.Failure(
            f"landing extracts of {period} changed since run {pin.run_id} verified them "
            f"({', '.join(changed)}): rerun the month from landing_extracts"
        )
    changed_during_build: list[str] = []

    def record(outcomes: list) -> None:
        changed_during_build.extend(changed_since_pin(month_dir, pin))
        unchanged = dg.AssetCheckResult(
            asset_key=LANDING_KEY,
            check_name=LANDING_UNCHANGED_CHECK,
            passed=not changed_during_build,
        )
        with warehouse.connect() as connection:
            marts = evidence.record_lineage(
                connection,
                evidence.MARTS,
                period,
                "",
                run_id=context.run.run_id,
                upstream_fingerprint=pin.fingerprint,
            )
            gate_log.record(
                connection,
                period,
                "",
                context.run.run_id,
                [*outcomes, unchanged],
                dataset=evidence.MARTS,
                fingerprint=marts.fingerprint,
            )

    yield from dbt_build(context, dbt, run_environment(period, None, pin.corrections_through_seq), record)
    if changed_during_build:
        raise dg.Failure(
            f"landing extracts of {period} were re-delivered during the dbt build "
            f"({', '.join(changed_during_build)}): the marts mix two deliveries and cannot be published; "
            "rerun the month from landing_extracts"
        )


@dbt_assets(
    manifest=dbt_project().manifest_path,
    select=ELIGIBILITY_SELECTION,
    partitions_def=month_region_partitions,
    dagster_dbt_translator=TRANSLATOR,
    project=dbt_project(),
    pool=WAREHOUSE_POOL,
    name="eligibility_dbt_models",
)
def eligibility_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Build one region's eligibility lists for the month and run their tests.

    Refuses unless the month's national gates (marts, scores, level shares, drift) passed on the
    scores it would read: they ran in the monthly run, so Dagster's in-run blocking cannot stop
    this later run by itself. The publication checks the whole chain again, content included.
    """
    # Imported here: the requirements are read off this module's own definitions.
    from orchestration.quality.requirements import required_gates

    period, region = period_and_region(context)
    with warehouse.connect(read_only=True) as connection:
        national = evidence.clearance(
            connection, period, "", required_gates(), top=evidence.SCORES, verify_content=False
        )
    if not national.cleared:
        raise GatesNotPassed(
            description="the national gates did not pass on the month's scores:\n" + national.message(),
        )

    def record(outcomes: list) -> None:
        with warehouse.connect() as connection:
            scores = evidence.latest_lineage(connection, evidence.SCORES, period)
            lists = evidence.record_lineage(
                connection,
                evidence.ELIGIBILITY_LIST,
                period,
                region,
                run_id=context.run.run_id,
                upstream_fingerprint=scores.fingerprint if scores else evidence.UNRECORDED,
                versions={"rule_version": rule_versions(connection, period, region)},
            )
            gate_log.record(
                connection,
                period,
                region,
                context.run.run_id,
                outcomes,
                dataset=evidence.ELIGIBILITY_LIST,
                fingerprint=lists.fingerprint,
            )

    yield from dbt_build(context, dbt, run_environment(period, region), record)
