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
),

listed as (
    select
        service_rows.*,
        recipients.recipient_iin,
        coalesce(service_rows.beneficiary_iin, '') as beneficiary_key
    from service_rows
    left join recipients on recipients.family_id = service_rows.family_id
),

payment_flags as (
    -- the flags of earlier months' payment outcomes (elig_payment_flags), matched by recipient
    -- or by payment: two equality joins (an `or` join would compare every row with every flag)
    select
        service,
        family_id,
        beneficiary_key,
        list_sort(list(distinct flag)) as payment_flags
    from (
        select
            listed.service,
            listed.family_id,
            listed.beneficiary_key,
            flags.flag
        from listed
        inner join {{ ref('elig_payment_flags') }} as flags
            on flags.recipient_iin = listed.recipient_iin
        where flags.flag = 'recipient_deceased'
        union all
        select
            listed.service,
            listed.family_id,
            listed.beneficiary_key,
            flags.flag
        from listed
        inner join {{ ref('elig_payment_flags') }} as flags
            on
                flags.service = listed.service
                and flags.family_id = listed.family_id
                and flags.beneficiary_key = listed.beneficiary_key
        where flags.flag = 'repeated_rejection'
    ) as matched
    group by service, family_id, beneficiary_key
)

select
    cast(listed.period as varchar) as period,
    cast(listed.region as varchar) as region,
    cast(listed.service as varchar) as service,
    cast(listed.family_id as bigint) as family_id,
    cast(listed.recipient_iin as varchar) as recipient_iin,
    cast(listed.beneficiary_iin as varchar) as beneficiary_iin,
    cast(listed.beneficiary_key as varchar) as beneficiary_key,
    cast(listed.level as tinyint) as level,
    cast(listed.amount_kzt as decimal(18, 2)) as amount_kzt,
    cast(listed.rule_version as varchar) as rule_version,
    cast(listed.methodology_version as varchar) as methodology_version,
    cast(listed.reason_codes as varchar []) as reason_codes,
    cast(coalesce(payment_flags.payment_flags, []) as varchar []) as payment_flags
from listed
left join payment_flags
    on
        payment_flags.service = listed.service
        and payment_flags.family_id = listed.family_id
        and payment_flags.beneficiary_key = listed.beneficiary_key
