-- Housing of each family on the reference date:
-- * living_area_m2: area of the head's dwelling (population.dwelling_id) found in the real estate
--   cadastre (any owner), else in a rent contract of a member, else 0 (unknown);
-- * rent: the members' contracts active on the reference date (distinct contracts);
-- * housing_costs: utilities + maintenance billed for the head's dwelling in the last billed month
--   before the reference date (all payers of that month);
-- * housing waiting list: whether a member is on it, and the category of the earliest entry.
{%- set ref_date = reference_date() %}

with families as (
    select
        family_id,
        head_dwelling_id
    from {{ ref('int_families') }}
),

members as (
    select
        family_id,
        iin
    from {{ ref('int_family_members') }}
),

real_estate as (
    select
        object_id,
        area_m2
    from {{ ref('stg_real_estate') }}
),

rent_contracts as (
    select * from {{ ref('stg_rent_contracts') }}
    where {{ active_on('start_date', 'end_date', ref_date) }}
),

housing_costs as (
    select * from {{ ref('stg_housing_costs') }}
    where billing_month < {{ ref_date }}
),

waiting_list as (
    select * from {{ ref('stg_housing_waiting_list') }}
    where registration_date <= {{ ref_date }}
),

dwelling_areas as (
    -- one area per cadastral object (co-owners repeat it)
    select
        object_id,
        max(area_m2) as area_m2
    from real_estate
    group by object_id
),

family_rents as (
    select
        members.family_id,
        rent_contracts.contract_id,
        any_value(rent_contracts.landlord_type) as landlord_type,
        any_value(rent_contracts.monthly_rent_kzt) as monthly_rent_kzt,
        any_value(rent_contracts.dwelling_id) as dwelling_id,
        any_value(rent_contracts.area_m2) as area_m2
    from members
    join rent_contracts on rent_contracts.iin = members.iin
    group by members.family_id, rent_contracts.contract_id
),

rent_summary as (
    select
        family_id,
        bool_or(landlord_type = 'private') as rents_private,
        bool_or(landlord_type = 'state') as rents_state_housing,
        {{ exact_sum('monthly_rent_kzt') }} as monthly_rent,
        coalesce({{ exact_sum("case when landlord_type = 'private' then monthly_rent_kzt end") }}, 0) as rent_monthly_private
    from family_rents
    group by family_id
),

rented_head_dwelling as (
    select
        families.family_id,
        max(family_rents.area_m2) as area_m2
    from families
    join family_rents
        on
            family_rents.family_id = families.family_id
            and family_rents.dwelling_id = families.head_dwelling_id
    group by families.family_id
),

last_bills as (
    select
        dwelling_id,
        {{ exact_sum('utilities_kzt + maintenance_kzt') }} as housing_costs
    from housing_costs
    group by dwelling_id, billing_month
    qualify billing_month = max(billing_month) over (partition by dwelling_id)
),

family_waiting_list as (
    select
        members.family_id,
        waiting_list.category,
        waiting_list.queue_number
    from members
    join waiting_list on waiting_list.iin = members.iin
    qualify row_number() over (
        partition by members.family_id
        order by waiting_list.registration_date, waiting_list.queue_number, waiting_list.category
    ) = 1
)

select
    families.family_id,
    coalesce(dwelling_areas.area_m2, rented_head_dwelling.area_m2, 0) as living_area_m2,
    coalesce(rent_summary.rents_private, false) as rents_private,
    coalesce(rent_summary.rents_state_housing, false) as rents_state_housing,
    coalesce(rent_summary.monthly_rent, 0) as monthly_rent,
    coalesce(rent_summary.rent_monthly_private, 0) as rent_monthly_private,
    coalesce(last_bills.housing_costs, 0) as housing_costs,
    family_waiting_list.family_id is not null as is_on_housing_waiting_list,
    family_waiting_list.category as housing_waiting_list_category,
    family_waiting_list.queue_number as housing_waiting_list_queue_number
from families
left join dwelling_areas on dwelling_areas.object_id = families.head_dwelling_id
left join rented_head_dwelling on rented_head_dwelling.family_id = families.family_id
left join rent_summary on rent_summary.family_id = families.family_id
left join last_bills on last_bills.dwelling_id = families.head_dwelling_id
left join family_waiting_list on family_waiting_list.family_id = families.family_id
