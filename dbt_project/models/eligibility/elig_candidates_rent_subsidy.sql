-- Candidates of rent_subsidy: the families (and beneficiaries) the rule below lists, before the level
-- filter (allowed_levels, applied once for every service in eligibility_assessment.sql, which
-- eligibility_list and eligibility_candidates read).
-- Rent subsidy for private rented housing (locally funded; rule: seeds/service_rules/rent_subsidy.csv).
-- Eligible: a private rent contract, declared per-capita income below income_limit_pm x ПМ, a
-- member on the housing waiting list, and the family in one of the eligible_groups:
--   disability_g12        a member with disability group I or II (disability registry)
--   child_disability      a child with a disability (disability registry)
--   large_family          at least large_family_min_children children (civil registry)
--   orphan                waiting-list category 'orphan' and a member aged 18..orphan_max_age-1
--   mother_many_children  waiting-list category 'mother_many_children' (no registry of the award)
-- Amount = rent_share x the family's monthly private rent.
with

families as (
    {{ elig_scored_families() }}
),

with_rule as (
    {{ elig_rule_in_force('families', 'rent_subsidy') }}
),

member_facts as (
    -- member facts and the family's waiting-list entry (family_members repeats it on every member),
    -- for families on the waiting list only: no other family can be eligible, so the inner join in
    -- `assessed` applies that condition, and the aggregate stays small (it would otherwise run
    -- over every family of the country in each regional run)
    select
        period,
        family_id,
        bool_or(disability_group in ('I', 'II')) as has_disability_g12,
        bool_or(is_child and disability_group is not null) as has_child_disability,
        any_value(housing_waiting_list_category) as housing_waiting_list_category,
        any_value(rent_monthly_private) as rent_monthly_private,
        list(age) filter (where is_adult) as adult_ages
    from {{ ref('family_members') }}
    where is_on_housing_waiting_list
    group by period, family_id
),

assessed as (
    select
        with_rule.*,
        member_facts.housing_waiting_list_category,
        member_facts.rent_monthly_private,
        string_split(with_rule.eligible_groups, ',') as groups_allowed,
        round(
            (with_rule.declared_income + case when with_rule.count_hidden_income then with_rule.hidden_income else 0 end)
            / with_rule.n_members, 2
        ) as per_capita_income_kzt,
        round(with_rule.income_limit_pm * with_rule.pm_kzt, 2) as income_limit_kzt,
        list_filter([
            case when member_facts.has_disability_g12 then 'disability_g12' end,
            case when member_facts.has_child_disability then 'child_disability' end,
            case when with_rule.n_children >= with_rule.large_family_min_children then 'large_family' end,
            case
                when
                    member_facts.housing_waiting_list_category = 'orphan'
                    and list_bool_or(list_transform(member_facts.adult_ages, lambda a: a < with_rule.orphan_max_age))
                    then 'orphan'
            end,
            case
                when member_facts.housing_waiting_list_category = 'mother_many_children'
                    then 'mother_many_children'
            end
        ], lambda g: g is not null) as groups_met
    from with_rule
    join member_facts
        on member_facts.period = with_rule.period and member_facts.family_id = with_rule.family_id
    where with_rule.n_members > 0
),

eligible as (
    select
        *,
        {{ elig_amount('rent_share * rent_monthly_private') }} as amount_kzt
    from assessed
    where
        rents_private
        and rent_monthly_private > 0
        and per_capita_income_kzt < income_limit_kzt
        and list_has_any(groups_met, groups_allowed)
)

select
    {{ elig_output_columns('rent_subsidy') }},
    amount_kzt,
    ---------- why (audit)
    rent_monthly_private,
    per_capita_income_kzt,
    income_limit_kzt,
    list_intersect(groups_met, groups_allowed) as qualifying_groups,
    housing_waiting_list_category
from eligible
where amount_kzt > 0
