"""The dbt command lines of the warehouse assets, as small pure functions (unit-tested)."""

from __future__ import annotations


def run_environment(
    period: str, region: str | None = None, corrections_through_seq: int | None = None
) -> dict[str, str]:
    """The environment variables that tell dbt which month (and region) to build, and up to
    which event of the corrections log it applies corrections (the run's pin; unset: all).

    Not `--vars`: dbt re-parses the whole project whenever a var changes (~5 s per invocation),
    whereas the project reads DBT_PERIOD / DBT_REGION only when a model runs
    (dbt_project/macros/period.sql), so every month reuses the manifest parsed at install time.
    A monthly build sets DBT_REGION to empty, so that no region can leak in from the caller.
    """
    # DBT_FAMILIES empty: a month is never narrowed to the families of an on-demand rescoring
    # (macros/rescoring.sql), whatever the caller's environment holds
    environment = {"DBT_PERIOD": period, "DBT_REGION": region or "", "DBT_FAMILIES": ""}
    if corrections_through_seq is not None:
        environment["DBT_CORRECTIONS_THROUGH_SEQ"] = str(int(corrections_through_seq))
    return environment


#: dbt unit tests check SQL logic on fixed fixtures, not the month's data: `make test` (CI) runs
#: them, production builds skip them, as dbt recommends.
PRODUCTION_EXCLUDED_RESOURCE_TYPES = ("unit_test",)


def production_exclusion_args() -> list[str]:
    """The dbt flags that leave out of production builds what only CI needs (unit tests)."""
    return [arg for kind in PRODUCTION_EXCLUDED_RESOURCE_TYPES for arg in ("--exclude-resource-type", kind)]


#: dbt writes manifest.json and run_results.json into every command's target folder (~0.9 s per
#: command, measured on the regional build). Dagster keeps every node's result in its event log
#: and loads the manifest that `make` prepared, so production builds skip them; the SQL each
#: node ran is still written to the target folder.
PRODUCTION_OUTPUT_FLAGS = ("--no-write-json",)


def dbt_build_args() -> list[str]:
    """`dbt build` arguments (the selection comes from the asset definition, the month from
    `run_environment`)."""
    return ["build", *production_exclusion_args(), *PRODUCTION_OUTPUT_FLAGS]
