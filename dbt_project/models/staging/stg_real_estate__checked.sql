{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', "object_id is null or object_id = ''"],
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('property_type', ['residential', 'commercial'])],
    ['AREA_OUT_OF_RANGE', out_of_range('area_m2', 0, var('max_area_m2'), low_inclusive=false)],
    ['SHARE_OUT_OF_RANGE', out_of_range('ownership_share', 0, 1, low_inclusive=false)],
    ['UNKNOWN_KATO', 'kato is null or not ' ~ known_kato('kato')],
    ['DATE_OUT_OF_RANGE', bad_date('registration_date', nullable=true)],
] %}

with source as (
    select * from {{ landing_extract('real_estate') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(object_id) as object_id,
        trim(iin) as iin,
        lower(trim(property_type)) as property_type,
        area_m2,
        ownership_share,
        trim(kato) as kato,
        registration_date,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
