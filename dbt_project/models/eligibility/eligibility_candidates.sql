-- The eligibility candidates of the run's period and region (vars `period`, `region`): every
-- service's families and beneficiaries that meet every rule of the service except the wellbeing
-- level, with the rule's allowed_levels. `listed` is true exactly for the rows of
-- eligibility_list. Read by the what-if simulation of methodology variants
-- (orchestration/analytics/whatif.py), which re-applies allowed_levels to a variant's levels.
-- No IIN: one row per beneficiary, counted, never named. Incremental by partition (period, region) like the list:
-- configured in dbt_project.yml.

with

assessment as (
    select * from {{ ref('eligibility_assessment') }}
    where {{ elig_partition_filter() }}
)

-- the column types are the assessment's (enforced contract)
select
    period,
    region,
    service,
    family_id,
    beneficiary_iin is not null as per_beneficiary,
    level,
    allowed_levels,
    listed,
    amount_kzt,
    rule_version,
    methodology_version
from assessment
