{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', 'species is null or species not in (select species from ' ~ ref('livestock_unit_prices') ~ ')'],
    ['VALUE_OUT_OF_RANGE', out_of_range('head_count', 0, var('max_head_count'))],
] %}

with source as (
    select * from {{ landing_extract('livestock') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(iin) as iin,
        lower(trim(species)) as species,
        head_count,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
