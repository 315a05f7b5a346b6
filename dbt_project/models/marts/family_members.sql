{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='period', on_schema_change='fail') }}
-- One row per family member and period, for the eligibility rules of the pilot services
-- (rent subsidy, home-schooling reimbursement, aid to pupils and students, housing assistance).
-- Incremental by period like family_features.

with members as (
    select * from {{ ref('int_family_members') }}
),

persons as (
    select * from {{ ref('int_persons') }}
),

families as (
    select family_id from {{ ref('int_families') }}
),

housing as (
    select * from {{ ref('int_family_housing') }}
)

select
    ---------- keys
    cast({{ period_literal() }} as varchar) as period,
    cast(members.family_id as bigint) as family_id,
    cast(members.iin as varchar) as iin,
    cast(members.role as varchar) as role,
    cast(members.is_head as boolean) as is_head,
    ---------- person
    cast(persons.sex as varchar) as sex,
    cast(persons.birth_date as date) as birth_date,
    cast(persons.age as integer) as age,
    cast(persons.is_adult as boolean) as is_adult,
    cast(persons.is_child as boolean) as is_child,
    cast(persons.is_able_bodied as boolean) as is_able_bodied,
    cast(persons.is_working as boolean) as is_working,
    ---------- disability and education
    cast(persons.disability_group as varchar) as disability_group,
    cast(persons.is_home_schooled as boolean) as is_home_schooled,
    cast(persons.is_enrolled as boolean) as is_enrolled,
    cast(persons.institution_type as varchar) as institution_type,
    cast(persons.study_form as varchar) as study_form,
    cast(persons.is_full_time_student as boolean) as is_full_time_student,
    ---------- family-level helpers
    cast(housing.rents_private as boolean) as rents_private,
    cast(housing.rent_monthly_private as double) as rent_monthly_private,
    cast(housing.is_on_housing_waiting_list as boolean) as is_on_housing_waiting_list,
    cast(housing.housing_waiting_list_category as varchar) as housing_waiting_list_category
from members
join persons on persons.iin = members.iin
join families on families.family_id = members.family_id
left join housing on housing.family_id = members.family_id
