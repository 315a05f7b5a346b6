-- Every service's candidates of the run's period and region (vars `period`, `region`), assessed
-- once: the families and beneficiaries that meet every rule of a service except the wellbeing
-- level (elig_candidates_<service>), with the rule's allowed_levels and whether the family's level
-- is allowed (`listed`, the only place the level filter is applied). eligibility_list (the listed
-- rows, with their recipient) and eligibility_candidates (every row, without IINs) both read it,
-- so each service's rule runs once per regional build instead of once for each of them.
-- Holds IINs (the beneficiaries): internal to the warehouse, never published.
-- Incremental by partition (period, region) like the list: configured in dbt_project.yml.
-- depends_on: {{ ref('money_by_year') }}
{{ elig_assert_money_for_period() }}

{%- for service in elig_services() %}
select
    cast(period as varchar) as period,
    cast(region as varchar) as region,
    cast('{{ service }}' as varchar) as service,
    cast(family_id as bigint) as family_id,
    cast(beneficiary_iin as varchar) as beneficiary_iin,
    cast(level as tinyint) as level,
    cast(allowed_levels as varchar) as allowed_levels,
    cast({{ elig_levels_allow('allowed_levels', 'level') }} as boolean) as listed,
    cast(amount_kzt as decimal(18, 2)) as amount_kzt,
    cast(rule_version as varchar) as rule_version,
    cast(methodology_version as varchar) as methodology_version,
    cast(reason_codes as varchar[]) as reason_codes
from {{ ref('elig_candidates_' ~ service) }}
where {{ elig_partition_filter() }}
{{ 'union all' if not loop.last }}
{%- endfor %}
