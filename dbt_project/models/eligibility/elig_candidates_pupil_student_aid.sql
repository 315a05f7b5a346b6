-- Candidates of pupil_student_aid: the families (and beneficiaries) the rule below lists, before the level
-- filter (allowed_levels, applied once for every service in eligibility_assessment.sql, which
-- eligibility_list and eligibility_candidates read).
-- Aid to pupils and students (locally funded; rule: seeds/service_rules/pupil_student_aid.csv).
-- Amounts and target group are UNCONFIRMED (domain.md): by default pupils (enrolled at school,
-- home-schooled included) and full-time college or university students of families at the
-- allowed levels, amount_mrp_per_person x МРП a month each. One row per pupil or student.
with

families as (
    {{ elig_scored_families() }}
),

with_rule as (
    {{ elig_rule_in_force('families', 'pupil_student_aid') }}
),

learners as (
    select
        period,
        family_id,
        iin,
        coalesce(is_enrolled and institution_type = 'school', false) as is_pupil,
        coalesce(is_full_time_student, false) as is_student
    from {{ ref('family_members') }}
),

eligible as (
    select
        with_rule.*,
        learners.iin as learner_iin,
        learners.is_pupil,
        learners.is_student,
        {{ elig_amount('with_rule.amount_mrp_per_person * with_rule.mrp_kzt') }} as amount_kzt
    from with_rule
    join learners on learners.period = with_rule.period and learners.family_id = with_rule.family_id
    where ((with_rule.include_pupils and learners.is_pupil) or (with_rule.include_students and learners.is_student))
)

select
    {{ elig_output_columns('pupil_student_aid', beneficiary_iin='learner_iin') }},
    amount_kzt,
    ---------- why (audit)
    is_pupil,
    is_student,
    amount_mrp_per_person,
    mrp_kzt
from eligible
where amount_kzt > 0
