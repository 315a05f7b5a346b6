-- Assets of each family, counted by distinct object so co-owners in one family count it once:
-- vehicles, real estate, livestock (head counts x unit price seed), land plots.
{%- set ref_date = reference_date() %}

with members as (
    select family_id, iin from {{ ref('int_family_members') }}
),

vehicles as (
    select * from {{ ref('stg_vehicles') }}
    where registration_date <= {{ ref_date }}
),

real_estate as (
    select * from {{ ref('stg_real_estate') }}
    where registration_date is null or registration_date <= {{ ref_date }}
),

livestock as (
    select * from {{ ref('stg_livestock') }}
),

livestock_unit_prices as (
    select * from {{ ref('livestock_unit_prices') }}
),

land_plots as (
    select * from {{ ref('stg_land_plots') }}
),

family_vehicles as (
    select
        members.family_id,
        count(distinct vehicle_id) filter (where vehicle_type = 'car') as n_cars,
        count(distinct vehicle_id) filter (where is_commercial and vehicle_type != 'agri_machinery')
            as n_commercial_vehicles,
        count(distinct agri_machinery_type) filter (where vehicle_type = 'agri_machinery') as n_agri_machinery_types
    from members
    join vehicles on vehicles.iin = members.iin
    group by members.family_id
),

family_real_estate as (
    select
        members.family_id,
        count(distinct object_id) filter (where property_type = 'residential') as n_dwellings,
        count(distinct object_id) filter (where property_type = 'commercial') as n_commercial_property
    from members
    join real_estate on real_estate.iin = members.iin
    group by members.family_id
),

family_livestock as (
    select
        members.family_id,
        sum(livestock.head_count * livestock_unit_prices.unit_price_kzt) as livestock_value
    from members
    join livestock on livestock.iin = members.iin
    join livestock_unit_prices on livestock_unit_prices.species = livestock.species
    group by members.family_id
),

family_land as (
    select distinct members.family_id
    from members
    join land_plots on land_plots.iin = members.iin
),

families as (
    select family_id from family_vehicles
    union select family_id from family_real_estate
    union select family_id from family_livestock
    union select family_id from family_land
)

select
    families.family_id,
    coalesce(family_vehicles.n_cars, 0) as n_cars,
    coalesce(family_vehicles.n_commercial_vehicles, 0) as n_commercial_vehicles,
    coalesce(family_vehicles.n_agri_machinery_types, 0) as n_agri_machinery_types,
    coalesce(family_real_estate.n_dwellings, 0) as n_dwellings,
    coalesce(family_real_estate.n_commercial_property, 0) as n_commercial_property,
    coalesce(family_livestock.livestock_value, 0) as livestock_value,
    family_land.family_id is not null as has_land_plot
from families
left join family_vehicles on family_vehicles.family_id = families.family_id
left join family_real_estate on family_real_estate.family_id = families.family_id
left join family_livestock on family_livestock.family_id = families.family_id
left join family_land on family_land.family_id = families.family_id
