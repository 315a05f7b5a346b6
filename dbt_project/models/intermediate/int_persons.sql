-- One row per valid person of the population registry, with everything the methodology needs to
-- know about them on the reference date (first day of the period month). Family-level assets
-- (vehicles, property, livestock, land) are counted per family later, by distinct object.
{%- set ref_date = reference_date() %}
{%- set window_start = income_window_start() %}
{%- set signal_start = months_before_reference(var('signal_lookback_months')) %}

with population as (
    select * from {{ ref('stg_population') }}
),

pension_contributions as (
    select * from {{ ref('stg_pension_contributions') }}
),

entrepreneur_income as (
    select * from {{ ref('stg_entrepreneur_income') }}
),

pensions_benefits as (
    select * from {{ ref('stg_pensions_benefits') }}
),

disability as (
    select * from {{ ref('stg_disability') }}
),

health as (
    select * from {{ ref('stg_health') }}
),

education as (
    select * from {{ ref('stg_education') }}
),

business_registry as (
    select * from {{ ref('stg_business_registry') }}
),

border_crossings as (
    select * from {{ ref('stg_border_crossings') }}
),

vehicles as (
    select * from {{ ref('stg_vehicles') }}
),

credit_bureau as (
    select * from {{ ref('stg_credit_bureau') }}
),

retirement_ages as (
    select * from {{ ref('retirement_ages') }}
),

---------- income over the window [window_start, reference date)
wages as (
    select
        iin,
        {{ exact_sum('contribution_kzt') }} / {{ var('pension_contribution_rate') }} as wages_window_kzt,
        -- "working": formal wage income in any of the last 3 months of the window
        bool_or(month >= {{ months_before_reference(var('working_recent_months')) }} and contribution_kzt > 0)
            as has_recent_wage
    from pension_contributions
    where month >= {{ window_start }} and month < {{ ref_date }}
    group by iin
),

entrepreneur as (
    -- declarations cover half-years: each counts pro rata to its days inside the window
    select
        iin,
        {{ exact_sum(
            'declared_income_kzt
            * (least(period_end, ' ~ ref_date ~ ' - 1) - greatest(period_start, ' ~ window_start ~ ') + 1)
            / (period_end - period_start + 1)'
        ) }} as entrepreneur_window_kzt
    from entrepreneur_income
    where period_end >= {{ window_start }} and period_start < {{ ref_date }}
    group by iin
),

benefits as (
    select
        iin,
        {{ exact_sum('amount_kzt') }} as benefits_window_kzt
    from pensions_benefits
    where month >= {{ window_start }} and month < {{ ref_date }}
    group by iin
),

---------- health and education on the reference date
disability_now as (
    -- the most severe active group: I before II before III before CHILD
    select
        iin,
        case min(case disability_group when 'I' then 1 when 'II' then 2 when 'III' then 3 else 4 end)
            when 1 then 'I' when 2 then 'II' when 3 then 'III' else 'CHILD'
        end as disability_group
    from disability
    where {{ active_on('assigned_date', 'review_date', ref_date) }}
    group by iin
),

chronic as (
    select distinct iin
    from health
    where {{ active_on('observation_start', 'observation_end', ref_date) }}
),

education_now as (
    -- one pass, no sort: the current enrolment (the highest level, then the latest start, then the
    -- study form) and whether the person graduated from a college or university
    select
        iin,
        arg_min(
            { 'institution_type': institution_type, 'study_form': study_form },
            {
                'level_rank': case institution_type
                    when 'university' then 1 when 'college' then 2 when 'school' then 3 else 4
                end,
                'latest_start_first': -julian(start_date),
                'study_form': study_form
            }
        ) filter (
            where start_date <= {{ ref_date }}
            and (end_date >= {{ ref_date }} or (end_date is null and status = 'enrolled'))
        ) as enrolment,
        bool_or(
            status = 'graduated'
            and institution_type in ('college', 'university')
            and coalesce(end_date, start_date) <= {{ ref_date }}
        ) as has_tertiary_or_vocational
    from education
    group by iin
),

---------- self-employment
business as (
    select
        iin,
        bool_or(business_role = 'sole_trader') as is_sole_trader,
        bool_or(business_role = 'company_founder') as is_company_founder,
        bool_or(declared_income_12m_kzt > 0) as has_business_income
    from business_registry
    where
        registration_date <= {{ ref_date }}
        and (deregistration_date is null or deregistration_date > {{ ref_date }})
    group by iin
),

---------- informal activity signals (12 months before the reference date)
recent_cars as (
    select distinct iin
    from vehicles
    where
        vehicle_type = 'car'
        and registration_date >= {{ signal_start }} and registration_date < {{ ref_date }}
),

foreign_trips as (
    select iin
    from border_crossings
    where
        direction = 'exit'
        and crossing_date >= {{ signal_start }} and crossing_date < {{ ref_date }}
    group by iin
    having count(*) >= {{ var('signal_min_foreign_trips') }}
),

---------- credit
credit as (
    select
        iin,
        bool_or(outstanding_kzt > 0 or arrears_kzt > 0) as has_loan,
        bool_or((outstanding_kzt > 0 or arrears_kzt > 0) and loan_type != 'mortgage') as has_non_mortgage_loan,
        bool_or(arrears_days > {{ var('arrears_days_threshold') }} and arrears_kzt > {{ var('arrears_kzt_threshold') }})
            as has_arrears_90
    from credit_bureau
    where open_date is null or open_date <= {{ ref_date }}
    group by iin
),

---------- assemble
persons as (
    select
        population.iin,
        population.sex,
        population.birth_date,
        population.death_date,
        population.dwelling_id,
        population.address_kato,
        population.settlement_type,
        population.birth_date <= {{ ref_date }} as is_born,
        population.death_date is null or population.death_date > {{ ref_date }} as is_alive,
        {{ age_on('population.birth_date', ref_date) }} as age,
        retirement_ages.retirement_age,
        disability_now.disability_group,
        chronic.iin is not null as is_chronic,
        education_now.enrolment is not null as is_enrolled,
        education_now.enrolment.institution_type,
        education_now.enrolment.study_form,
        coalesce(
            education_now.enrolment.institution_type in ('college', 'university')
            and education_now.enrolment.study_form = 'full_time', false
        ) as is_full_time_student,
        coalesce(
            education_now.enrolment.institution_type = 'school'
            and education_now.enrolment.study_form = 'home_schooling', false
        ) as is_home_schooled,
        coalesce(education_now.has_tertiary_or_vocational, false) as has_tertiary_or_vocational,
        coalesce(wages.wages_window_kzt, 0) / {{ var('income_window_months') }} as income_wages,
        coalesce(entrepreneur.entrepreneur_window_kzt, 0) / {{ var('income_window_months') }} as income_entrepreneur,
        coalesce(benefits.benefits_window_kzt, 0) / {{ var('income_window_months') }} as income_pensions_benefits,
        coalesce(wages.has_recent_wage, false) as has_recent_wage,
        coalesce(business.is_sole_trader, false) as is_sole_trader,
        coalesce(business.is_company_founder, false) as is_company_founder,
        -- registered business with declared income in the window (registry 12-month figure, or form 910)
        coalesce(business.has_business_income or (business.is_sole_trader and entrepreneur.entrepreneur_window_kzt > 0), false)
            as has_declared_business_income,
        recent_cars.iin is not null as signal_recent_car,
        foreign_trips.iin is not null as signal_foreign_trips,
        coalesce(
            business.is_sole_trader and not business.has_business_income
            and coalesce(entrepreneur.entrepreneur_window_kzt, 0) = 0, false
        ) as signal_sole_trader_zero_income,
        coalesce(credit.has_loan, false) as has_loan,
        coalesce(credit.has_non_mortgage_loan, false) as has_non_mortgage_loan,
        coalesce(credit.has_arrears_90, false) as has_arrears_90
    from population
    left join retirement_ages on retirement_ages.sex = population.sex
    left join disability_now on disability_now.iin = population.iin
    left join chronic on chronic.iin = population.iin
    left join education_now on education_now.iin = population.iin
    left join wages on wages.iin = population.iin
    left join entrepreneur on entrepreneur.iin = population.iin
    left join benefits on benefits.iin = population.iin
    left join business on business.iin = population.iin
    left join recent_cars on recent_cars.iin = population.iin
    left join foreign_trips on foreign_trips.iin = population.iin
    left join credit on credit.iin = population.iin
),

classified as (
    select
        *,
        age >= {{ var('adult_age') }} as is_adult,
        age < {{ var('adult_age') }} as is_child,
        age between {{ var('child_1_6_min_age') }} and {{ var('child_1_6_max_age') }} as is_child_1_6,
        age between {{ var('school_age_min') }} and {{ var('school_age_max') }} as is_school_age,
        has_recent_wage or has_declared_business_income as is_working,
        -- adult under retirement age, not disability group I/II, not a full-time student
        age >= {{ var('adult_age') }}
        and age < retirement_age
        and coalesce(disability_group not in ('I', 'II'), true)
        and not is_full_time_student as is_able_bodied
    from persons
)

select
    *,
    is_able_bodied and not is_working
    and (signal_recent_car or signal_foreign_trips or signal_sole_trader_zero_income) as has_informal_signal
from classified
