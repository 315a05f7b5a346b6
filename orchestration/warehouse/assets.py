"""dbt models as Dagster assets, in two groups by partitioning.

* `warehouse_dbt_models` (monthly): staging, intermediate and the marts, national per period.
* `eligibility_dbt_models` (month x region): the pilot services' lists. They sit downstream of
  the Python asset `family_scores` (a dbt source), so a failed gate in one region stops only
  that region's list and publication.

dbt tests become asset checks; tests at severity `error` are blocking.
"""

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.partitions import month_region_partitions, monthly_partitions, period_and_region
from orchestration.quality.gate_log import require_national_gates
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.warehouse.cli_args import dbt_build_args, run_environment
from orchestration.warehouse.resources import dbt_project, process_environment, tidy_after_command

#: dbt selection of the eligibility models (and their rule seeds).
ELIGIBILITY_SELECTION = "path:models/eligibility path:seeds/service_rules"


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


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, environment: dict[str, str]):
    """Run `dbt build` for the asset's selection with the run's month (and region) in the
    environment, stream its events, then keep its parse state for the next dbt command and
    rotate the command folders (see tidy_after_command)."""
    with process_environment(environment):
        invocation = dbt.cli(dbt_build_args(), context=context)
    try:
        yield from invocation.stream()
    finally:
        tidy_after_command(invocation.target_path)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    exclude=ELIGIBILITY_SELECTION,
    partitions_def=monthly_partitions,
    dagster_dbt_translator=TRANSLATOR,
    project=dbt_project(),
    pool=WAREHOUSE_POOL,
    name="warehouse_dbt_models",
)
def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Build the month's staging, intermediate and mart models and run their tests."""
    yield from _dbt_build(context, dbt, run_environment(context.partition_key))


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

    Refuses unless the month's national gates (scores, level shares, drift) passed: they ran in
    the monthly run, so Dagster's in-run blocking cannot stop this later run by itself.
    """
    period, region = period_and_region(context)
    with warehouse.connect(read_only=True) as connection:
        require_national_gates(connection, period)
    yield from _dbt_build(context, dbt, run_environment(period, region))
