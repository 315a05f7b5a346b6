{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('category', ['disability_g12', 'child_disability', 'orphan', 'large_family', 'mother_many_children', 'other'])],
    ['VALUE_OUT_OF_RANGE', 'queue_number is null or queue_number < 1'],
    ['UNKNOWN_KATO', 'kato is null or not ' ~ known_kato('kato')],
    ['DATE_OUT_OF_RANGE', bad_date('registration_date')],
] %}

with source as (
    select * from {{ landing_extract('housing_waiting_list') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(iin) as iin,
        queue_number,
        lower(trim(category)) as category,
        registration_date,
        trim(kato) as kato,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
