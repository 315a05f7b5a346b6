-- Candidates of housing_assistance: the families (and beneficiaries) the rule below lists, before the level
-- filter (allowed_levels, applied once for every service in eligibility_assessment.sql, which
-- eligibility_list and eligibility_candidates read).
-- Housing assistance (locally funded; rule: seeds/service_rules/housing_assistance.csv).
-- For a sole owned home (n_dwellings = 1) or state rental housing (owning nothing), never for a
-- private rental. Amount = covered housing costs - income_share x the family's declared income,
-- where covered costs = the actual monthly housing_costs capped at the norm
-- (norm_m2_per_person x members x tariff_kzt_per_m2). Only positive amounts are paid.
with

families as (
    {{ elig_scored_families() }}
),

with_rule as (
    {{ elig_rule_in_force('families', 'housing_assistance') }}
),

assessed as (
    select
        *,
        norm_m2_per_person * n_members * tariff_kzt_per_m2 as normative_costs_kzt,
        least(housing_costs, norm_m2_per_person * n_members * tariff_kzt_per_m2) as covered_costs_kzt,
        declared_income + case when count_hidden_income then hidden_income else 0 end as family_income_kzt
    from with_rule
    where
        not rents_private
        and (n_dwellings = 1 or (n_dwellings = 0 and rents_state_housing))
),

eligible as (
    select
        *,
        {{ elig_amount('covered_costs_kzt - income_share * family_income_kzt') }} as amount_kzt
    from assessed
)

select
    {{ elig_output_columns('housing_assistance') }},
    amount_kzt,
    ---------- why (audit)
    housing_costs,
    normative_costs_kzt,
    covered_costs_kzt,
    family_income_kzt,
    income_share
from eligible
where amount_kzt > 0
