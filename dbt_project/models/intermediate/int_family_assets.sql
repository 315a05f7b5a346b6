-- Assets of each family, counted by distinct object so co-owners in one family count it once:
-- vehicles, real estate, livestock (head counts x unit price seed), land plots.
{%- set ref_date = reference_date() %}

with members as (
    select
        family_id,
        iin
    from {{ ref('int_family_members') }}
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

family_vehicle_objects as (
    -- one row per family and distinct vehicle (co-owners in one family count it once); a plain
    -- group-by, cheaper than several count(distinct ...) filters over the joined rows
    select
        members.family_id,
        vehicles.vehicle_id,
        bool_or(vehicles.vehicle_type = 'car') as is_car,
        bool_or(vehicles.is_commercial and vehicles.vehicle_type != 'agri_machinery') as is_commercial_vehicle
    from members
    join vehicles on vehicles.iin = members.iin
    group by members.family_id, vehicles.vehicle_id
),

family_agri_machinery_types as (
    select
        members.family_id,
        count(distinct vehicles.agri_machinery_type) as n_agri_machinery_types
    from members
    join vehicles on vehicles.iin = members.iin
    where vehicles.vehicle_type = 'agri_machinery'
    group by members.family_id
),

family_vehicles as (
    select
        family_id,
        count(*) filter (where is_car) as n_cars,
        count(*) filter (where is_commercial_vehicle) as n_commercial_vehicles
    from family_vehicle_objects
    group by family_id
),

family_real_estate_objects as (
    select
        members.family_id,
        real_estate.object_id,
        bool_or(real_estate.property_type = 'residential') as is_dwelling,
        bool_or(real_estate.property_type = 'commercial') as is_commercial_property
    from members
    join real_estate on real_estate.iin = members.iin
    group by members.family_id, real_estate.object_id
),

family_real_estate as (
    select
        family_id,
        count(*) filter (where is_dwelling) as n_dwellings,
        count(*) filter (where is_commercial_property) as n_commercial_property
    from family_real_estate_objects
    group by family_id
),

family_livestock as (
    select
        members.family_id,
        {{ exact_sum('livestock.head_count * livestock_unit_prices.unit_price_kzt') }} as livestock_value
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
    union
    select family_id from family_real_estate
    union
    select family_id from family_livestock
    union
    select family_id from family_land
)

select
    families.family_id,
    coalesce(family_vehicles.n_cars, 0) as n_cars,
    coalesce(family_vehicles.n_commercial_vehicles, 0) as n_commercial_vehicles,
    coalesce(family_agri_machinery_types.n_agri_machinery_types, 0) as n_agri_machinery_types,
    coalesce(family_real_estate.n_dwellings, 0) as n_dwellings,
    coalesce(family_real_estate.n_commercial_property, 0) as n_commercial_property,
    coalesce(family_livestock.livestock_value, 0) as livestock_value,
    family_land.family_id is not null as has_land_plot
from families
left join family_vehicles on family_vehicles.family_id = families.family_id
left join family_agri_machinery_types on family_agri_machinery_types.family_id = families.family_id
left join family_real_estate on family_real_estate.family_id = families.family_id
left join family_livestock on family_livestock.family_id = families.family_id
left join family_land on family_land.family_id = families.family_id
