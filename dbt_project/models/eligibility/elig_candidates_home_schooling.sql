-- Candidates of home_schooling: the families (and beneficiaries) the rule below lists, before the level
-- filter (allowed_levels, applied once for every service in eligibility_assessment.sql, which
-- eligibility_list and eligibility_candidates read).
-- Home-schooling reimbursement for children with disabilities (locally funded, not income tested;
-- rule: seeds/service_rules/home_schooling.csv). One row per child under 18 with a disability
-- who is schooled at home (education registry: school, study form home_schooling).
-- Amount = amount_mrp_per_child x МРП a month.
with

families as (
    {{ elig_scored_families() }}
),

with_rule as (
    {{ elig_rule_in_force('families', 'home_schooling') }}
),

children as (
    select
        period,
        family_id,
        iin
    from {{ ref('family_members') }}
    where is_child and disability_group is not null and is_home_schooled
),

eligible as (
    select
        with_rule.*,
        children.iin as child_iin,
        {{ elig_amount('with_rule.amount_mrp_per_child * with_rule.mrp_kzt') }} as amount_kzt
    from with_rule
    join children on children.period = with_rule.period and children.family_id = with_rule.family_id
)

select
    {{ elig_output_columns('home_schooling', beneficiary_iin='child_iin') }},
    amount_kzt,
    ---------- why (audit)
    amount_mrp_per_child,
    mrp_kzt
from eligible
where amount_kzt > 0
