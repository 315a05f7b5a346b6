-- The eligibility candidates of the run's period and region (vars `period`, `region`): every
-- service's families and beneficiaries that meet every rule of the service except the wellbeing
-- level, with the rule's allowed_levels. `listed` is true exactly for the rows of
-- eligibility_list. Read by the what-if simulation of methodology variants
-- (orchestration/analytics/whatif.py), which re-applies allowed_levels to a variant's levels.
-- No IIN: one row per beneficiary, counted, never named. Incremental by partition like the list.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    full_refresh=false,
    pre_hook="{{ elig_delete_partition() }}",
) }}

with

assessment as (
    select * from {{ ref('eligibility_assessment') }}
    where {{ elig_partition_filter() }}
)

select
    cast(period as varchar) as period,
    cast(region as varchar) as region,
    cast(service as varchar) as service,
    cast(family_id as bigint) as family_id,
    cast(beneficiary_iin is not null as boolean) as per_beneficiary,
    cast(level as tinyint) as level,
    cast(allowed_levels as varchar) as allowed_levels,
    cast(listed as boolean) as listed,
    cast(amount_kzt as double) as amount_kzt,
    cast(rule_version as varchar) as rule_version,
    cast(methodology_version as varchar) as methodology_version
from assessment
