{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', "vehicle_id is null or vehicle_id = ''"],
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('vehicle_type', ['car', 'truck', 'bus', 'motorcycle', 'agri_machinery'])
        ~ " or (vehicle_type = 'agri_machinery' and " ~ not_in('agri_machinery_type', ['tractor', 'combine', 'seeder', 'sprayer', 'other']) ~ ")"],
    ['DATE_OUT_OF_RANGE', bad_date('registration_date')],
] %}

with source as (
    select * from {{ landing_extract('vehicles') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(vehicle_id) as vehicle_id,
        trim(iin) as iin,
        lower(trim(vehicle_type)) as vehicle_type,
        registration_date,
        coalesce(is_commercial, false) as is_commercial,
        lower(trim(agri_machinery_type)) as agri_machinery_type,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
