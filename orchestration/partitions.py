"""Partitions shared by every domain of the code location.

A period is a calendar month, keyed `YYYY-MM` exactly like the dbt var `period` and the
landing folder names. The region dimension (2-digit KATO prefix) covers the regional pilots:
eligibility lists, their quality gates and their publication run per month and region, so a
failed gate in one region blocks only that region.
"""

from __future__ import annotations

import dagster as dg

from kz_domain.period import parse_period
from kz_domain.regions import PILOT_REGIONS, parse_region

#: First month the platform holds data for.
FIRST_PERIOD = "2025-01"

# end_offset=0: the newest partition is the last complete month, never the month in progress.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_PERIOD, fmt="%Y-%m", end_offset=0)

region_partitions = dg.StaticPartitionsDefinition(list(PILOT_REGIONS))

month_region_partitions = dg.MultiPartitionsDefinition(
    {"month": monthly_partitions, "region": region_partitions}
)


def month_region_key(period: str, region: str) -> dg.MultiPartitionKey:
    """The partition key of one period and pilot region."""
    return dg.MultiPartitionKey({"month": parse_period(period), "region": parse_region(region)})


def period_and_region(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> tuple[str, str]:
    """Split the month x region partition key of a run into (period, region)."""
    keys = context.partition_key.keys_by_dimension
    return parse_period(keys["month"]), parse_region(keys["region"])
