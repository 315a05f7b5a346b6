"""The dbt command lines of the warehouse assets, as small pure functions (unit-tested)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def period_vars(period: str, region: str | None = None) -> dict[str, str]:
    """The dbt vars of one run: the period, and the region when the run is per region."""
    variables = {"period": period}
    if region is not None:
        variables["region"] = region
    return variables


#: dbt unit tests check SQL logic on fixed fixtures, not the month's data: `make test` (CI) runs
#: them, production builds skip them, as dbt recommends.
PRODUCTION_EXCLUDED_RESOURCE_TYPES = ("unit_test",)


def production_exclusion_args() -> list[str]:
    """The dbt flags that leave out of production builds what only CI needs (unit tests)."""
    return [arg for kind in PRODUCTION_EXCLUDED_RESOURCE_TYPES for arg in ("--exclude-resource-type", kind)]


def dbt_build_args(variables: Mapping[str, Any]) -> list[str]:
    """`dbt build` arguments for the given vars (the selection comes from the asset definition)."""
    return ["build", "--vars", json.dumps(dict(variables), sort_keys=True), *production_exclusion_args()]
