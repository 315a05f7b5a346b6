{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='period', on_schema_change='fail') }}
-- One row per family and period: exactly the features of methodology KZ-2026.1 (see
-- methodology-2026.1.md), plus keys, geography and the as-of date of every source used.
-- Incremental by period (delete+insert): re-running a period replaces it, past periods stay
-- for month-over-month comparison.

with families as (
    select * from {{ ref('int_families') }}
),

members as (
    select
        family_id,
        iin
    from {{ ref('int_family_members') }}
),

persons as (
    select * from {{ ref('int_persons') }}
),

assets as (
    select * from {{ ref('int_family_assets') }}
),

housing as (
    select * from {{ ref('int_family_housing') }}
),

source_as_of as (
    select * from {{ ref('int_source_as_of') }}
),

composition as (
    select
        members.family_id,
        count(*) as n_members,
        count(*) filter (where is_adult) as n_adults,
        count(*) filter (where is_child) as n_children,
        count(*) filter (where is_child_1_6) as n_children_1_6,
        count(*) filter (where is_able_bodied) as n_able_bodied,
        count(*) filter (where is_working) as n_working,
        count(*) filter (where is_adult and disability_group in ('I', 'II')) as n_disabled_adults_g12,
        count(*) filter (where is_adult and disability_group = 'III') as n_disabled_adults_g3,
        count(*) filter (where is_child and disability_group is not null) as n_disabled_children,
        count(*) filter (where is_chronic) as n_chronic,
        count(*) filter (where is_school_age and not is_enrolled) as n_school_age_not_enrolled,
        bool_or(is_adult and has_tertiary_or_vocational) as has_adult_tertiary_or_vocational,
        {{ exact_sum('income_wages') }} as income_wages,
        {{ exact_sum('income_entrepreneur') }} as income_entrepreneur,
        {{ exact_sum('income_pensions_benefits') }} as income_pensions_benefits,
        bool_or(has_loan) as has_loans,
        bool_or(has_non_mortgage_loan) as has_non_mortgage_loan,
        count(*) filter (where is_adult and has_arrears_90) as n_adults_arrears_90,
        bool_or(is_sole_trader) as has_sole_trader,
        bool_or(is_company_founder) as has_company_founder,
        count(*) filter (where is_adult and has_informal_signal) as n_informal_signal_adults
    from members
    join persons on persons.iin = members.iin
    group by members.family_id
)

select
    ---------- keys and geography
    cast(families.family_id as bigint) as family_id,
    cast({{ period_literal() }} as varchar) as period,
    cast(families.region_kato as varchar) as region_kato,
    cast(families.kato as varchar) as kato,
    cast(families.settlement_type as integer) as settlement_type,
    ---------- composition
    cast(composition.n_members as integer) as n_members,
    cast(composition.n_adults as integer) as n_adults,
    cast(composition.n_children as integer) as n_children,
    cast(composition.n_children_1_6 as integer) as n_children_1_6,
    cast(composition.n_able_bodied as integer) as n_able_bodied,
    cast(composition.n_working as integer) as n_working,
    ---------- health and education
    cast(composition.n_disabled_adults_g12 as integer) as n_disabled_adults_g12,
    cast(composition.n_disabled_adults_g3 as integer) as n_disabled_adults_g3,
    cast(composition.n_disabled_children as integer) as n_disabled_children,
    cast(composition.n_chronic as integer) as n_chronic,
    cast(composition.n_school_age_not_enrolled as integer) as n_school_age_not_enrolled,
    cast(composition.has_adult_tertiary_or_vocational as boolean) as has_adult_tertiary_or_vocational,
    ---------- income (KZT per month, average over the 12-month window)
    cast(composition.income_wages as double) as income_wages,
    cast(composition.income_entrepreneur as double) as income_entrepreneur,
    cast(composition.income_pensions_benefits as double) as income_pensions_benefits,
    ---------- credit
    cast(composition.has_loans as boolean) as has_loans,
    cast(composition.has_non_mortgage_loan as boolean) as has_non_mortgage_loan,
    cast(composition.n_adults_arrears_90 as integer) as n_adults_arrears_90,
    ---------- housing
    cast(coalesce(assets.n_dwellings, 0) as integer) as n_dwellings,
    cast(housing.living_area_m2 as double) as living_area_m2,
    cast(coalesce(assets.n_commercial_property, 0) as integer) as n_commercial_property,
    cast(housing.rents_private as boolean) as rents_private,
    cast(housing.monthly_rent as double) as monthly_rent,
    cast(housing.rents_state_housing as boolean) as rents_state_housing,
    cast(housing.housing_costs as double) as housing_costs,
    ---------- vehicles and agriculture
    cast(coalesce(assets.n_cars, 0) as integer) as n_cars,
    cast(coalesce(assets.n_commercial_vehicles, 0) as integer) as n_commercial_vehicles,
    cast(coalesce(assets.n_agri_machinery_types, 0) as integer) as n_agri_machinery_types,
    cast(coalesce(assets.livestock_value, 0) as double) as livestock_value,
    cast(coalesce(assets.has_land_plot, false) as boolean) as has_land_plot,
    ---------- self-realisation and hidden income
    cast(composition.has_sole_trader as boolean) as has_sole_trader,
    cast(composition.has_company_founder as boolean) as has_company_founder,
    cast(composition.n_informal_signal_adults as integer) as n_informal_signal_adults,
    ---------- lineage: as-of date of every registry the features come from
{%- for registry in var('landing_registries') if registry != 'housing_waiting_list' %}
    cast(source_as_of.as_of_{{ registry }} as date) as as_of_{{ registry }}{{ ',' if not loop.last }}  -- noqa: LT02

{%- endfor %}
from families
join composition on composition.family_id = families.family_id
left join assets on assets.family_id = families.family_id
left join housing on housing.family_id = families.family_id
cross join source_as_of
