-- Per period, region and service: the rule version in force, families, beneficiaries (list rows: children or pupils for the
-- per-person services, families for the others) and the total monthly amount. Every service
-- with a rule in force in the region gets a row, with zeros when nobody is eligible.
-- Incremental by partition (period, region) like the list: configured in dbt_project.yml.

with

offered as (
    -- the rule version of each service in force for the period (what the list rows carry)
    select
        period,
        region,
        service,
        rule_version
    from (
        select
            {{ period_literal() }} as period,
            region,
            service,
            rule_version,
            valid_from
        from {{ ref('eligibility_service_rules') }}
        where valid_from <= {{ elig_period_start(period_literal()) }}
    ) as rules
    where {{ elig_partition_filter() }}
    qualify row_number() over (
        partition by region, service
        order by valid_from desc
    ) = 1
),

totals as (
    select
        period,
        region,
        service,
        count(distinct family_id) as families,
        count(*) as beneficiaries,
        {{ exact_sum('amount_kzt') }} as total_amount_kzt
    from {{ ref('eligibility_list') }}
    where {{ elig_partition_filter() }}
    group by period, region, service
)

select
    cast(offered.period as varchar) as period,
    cast(offered.region as varchar) as region,
    cast(offered.service as varchar) as service,
    cast(offered.rule_version as varchar) as rule_version,
    cast(coalesce(totals.families, 0) as bigint) as families,
    cast(coalesce(totals.beneficiaries, 0) as bigint) as beneficiaries,
    cast(coalesce(totals.total_amount_kzt, 0) as double) as total_amount_kzt
from offered
left join totals using (period, region, service)
