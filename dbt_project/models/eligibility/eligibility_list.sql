-- The eligibility list of the run's period and region (vars `period`, `region`): every service's
-- eligible families (and beneficiaries), with the family head as the recipient.
-- Incremental by partition (period, region): configured in dbt_project.yml.
-- depends_on: {{ ref('money_by_year') }}
{{ elig_assert_money_for_period() }}

with

service_rows as (
    -- the candidates at an allowed level (eligibility_assessment applies the level filter)
    select
        period,
        region,
        service,
        family_id,
        beneficiary_iin,
        level,
        amount_kzt,
        rule_version,
        methodology_version,
        reason_codes
    from {{ ref('eligibility_assessment') }}
    where {{ elig_partition_filter() }} and listed
),

recipients as (
    -- the family head; should a family have none, its oldest adult (then oldest member)
    select
        family_id,
        iin as recipient_iin
    from {{ ref('family_members') }}
    where
        period = {{ period_literal() }}
        and family_id in (select family_id from service_rows)
    qualify row_number() over (
        partition by family_id
        order by is_head desc, age >= {{ var('adult_age', 18) }} desc, age desc, iin asc
    ) = 1
)

select
    cast(service_rows.period as varchar) as period,
    cast(service_rows.region as varchar) as region,
    cast(service_rows.service as varchar) as service,
    cast(service_rows.family_id as bigint) as family_id,
    cast(recipients.recipient_iin as varchar) as recipient_iin,
    cast(service_rows.beneficiary_iin as varchar) as beneficiary_iin,
    cast(coalesce(service_rows.beneficiary_iin, '') as varchar) as beneficiary_key,
    cast(service_rows.level as tinyint) as level,
    cast(service_rows.amount_kzt as decimal(18, 2)) as amount_kzt,
    cast(service_rows.rule_version as varchar) as rule_version,
    cast(service_rows.methodology_version as varchar) as methodology_version,
    cast(service_rows.reason_codes as varchar []) as reason_codes
from service_rows
left join recipients on recipients.family_id = service_rows.family_id
