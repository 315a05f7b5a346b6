"""dbt models as Dagster assets, in two groups by partitioning.

* `warehouse_dbt_models` (monthly): staging, intermediate and the marts, national per period.
* `eligibility_dbt_models` (month x region): the pilot services' lists. They sit downstream of
  the Python asset `family_scores` (a dbt source), so a failed gate in one region stops only
  that region's list and publication.

dbt tests become asset checks; tests at severity `error` are blocking.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.partitions import month_region_partitions, monthly_partitions, period_and_region
from orchestration.resources import WAREHOUSE_POOL
from orchestration.warehouse.resources import dbt_project

#: dbt selection of the eligibility models (and their rule seeds).
ELIGIBILITY_SELECTION = "path:models/eligibility path:seeds/service_rules"


def period_vars(period: str, region: str | None = None) -> dict[str, str]:
    """The dbt vars of one run: the period, and the region when the run is per region."""
    variables = {"period": period}
    if region is not None:
        variables["region"] = region
    return variables


def dbt_build_args(variables: Mapping[str, Any]) -> list[str]:
    """`dbt build` arguments for the given vars (the selection comes from the asset definition)."""
    return ["build", "--vars", json.dumps(dict(variables), sort_keys=True)]


class PlatformDbtTranslator(DagsterDbtTranslator):
    """Landing sources keyed `landing/<registry>`, models by their name, groups by folder."""

    def get_asset_spec(self, manifest, unique_id, project):  # noqa: ANN001 - dagster-dbt signature
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec
        folder = props["fqn"][1] if len(props["fqn"]) > 2 else "warehouse"
        return spec.replace_attributes(group_name=f"dbt_{folder}")


TRANSLATOR = PlatformDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


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
    args = dbt_build_args(period_vars(context.partition_key))
    yield from dbt.cli(args, context=context).stream()


@dbt_assets(
    manifest=dbt_project().manifest_path,
    select=ELIGIBILITY_SELECTION,
    partitions_def=month_region_partitions,
    dagster_dbt_translator=TRANSLATOR,
    project=dbt_project(),
    pool=WAREHOUSE_POOL,
    name="eligibility_dbt_models",
)
def eligibility_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Build one region's eligibility lists for the month and run their tests."""
    period, region = period_and_region(context)
    yield from dbt.cli(dbt_build_args(period_vars(period, region)), context=context).stream()
