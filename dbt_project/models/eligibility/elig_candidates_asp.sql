-- Candidates of asp: the families (and beneficiaries) the rule below lists, before the level
-- filter (allowed_levels, applied once for every service in eligibility_assessment.sql, which
-- eligibility_list and eligibility_candidates read).
-- ASP, targeted social assistance (nationally funded; rule: seeds/service_rules/asp.csv).
-- Eligible: declared per-capita income at or below the regional poverty line, and (rule versions
-- from Sep 2025) no non-mortgage loan. Poverty line = max(median_income_share x median income,
-- share x regional ПМ); the ПМ share and the regional ПМ come from regional_subsistence_minimum.
-- Amount = (line - per-capita income) x members + child_supplement_mrp x МРП per child aged 1..6.
-- Money is compared at tiyn precision (2 decimals) so "exactly at the line" is exact.
with

families as (
    {{ elig_scored_families() }}
),

with_rule as (
    {{ elig_rule_in_force('families', 'asp') }}
),

regional_pm as (
    select
        region_kato,
        left(cast(as_of_month as varchar), 7) as as_of_month,
        subsistence_minimum_kzt,
        poverty_line_share_of_pm
    from {{ ref('regional_subsistence_minimum') }}
),

partitions as (
    -- the (period, region) pairs of the features, a superset of with_rule's: read from the features
    -- table rather than from with_rule, so with_rule has one reader and a run's period and region
    -- filter reaches its scans (a second reader made DuckDB build it for the whole country)
    select distinct
        period,
        region_kato as region
    from {{ ref('family_features') }}
),

regional_pm_in_force as (
    -- the region's own figure (else the national '00' one), the latest published on or before
    -- the period (else the earliest published, for periods before the first figure)
    select
        partitions.period,
        partitions.region,
        regional_pm.subsistence_minimum_kzt as regional_pm_kzt,
        regional_pm.poverty_line_share_of_pm
    from partitions
    join regional_pm on regional_pm.region_kato in (partitions.region, '00')
    qualify row_number() over (
        partition by partitions.period, partitions.region
        order by
            regional_pm.region_kato = partitions.region desc,
            regional_pm.as_of_month <= partitions.period desc,
            case when regional_pm.as_of_month <= partitions.period then regional_pm.as_of_month end desc,
            regional_pm.as_of_month
    ) = 1
),

assessed as (
    select
        with_rule.*,
        regional_pm_in_force.regional_pm_kzt,
        round(greatest(
            coalesce(with_rule.median_income_kzt, 0) * with_rule.median_income_share,
            regional_pm_in_force.regional_pm_kzt * regional_pm_in_force.poverty_line_share_of_pm
        ), 2) as poverty_line_kzt,
        round(
            (with_rule.declared_income + case when with_rule.count_hidden_income then with_rule.hidden_income else 0 end)
            / with_rule.n_members, 2
        ) as per_capita_income_kzt
    from with_rule
    join regional_pm_in_force using (period, region)
    where with_rule.n_members > 0
),

eligible as (
    select
        *,
        {{ elig_amount(
            '(poverty_line_kzt - per_capita_income_kzt) * n_members'
            ~ ' + child_supplement_mrp * mrp_kzt * n_children_1_6'
        ) }} as amount_kzt
    from assessed
    where
        per_capita_income_kzt <= poverty_line_kzt
        and not (exclude_non_mortgage_loans and has_non_mortgage_loan)
)

select
    {{ elig_output_columns('asp') }},
    amount_kzt,
    ---------- why (audit)
    poverty_line_kzt,
    regional_pm_kzt,
    per_capita_income_kzt,
    n_members,
    n_children_1_6,
    mrp_kzt
from eligible
-- a family exactly at the line with no young child is eligible for nothing to pay
where amount_kzt > 0
