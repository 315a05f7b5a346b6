{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['MISSING_KEY', "crossing_id is null or crossing_id = ''"],
    ['INVALID_CATEGORY', not_in('direction', ['exit', 'entry'])],
    ['DATE_OUT_OF_RANGE', bad_date('crossing_date')],
] %}

with source as (
    select * from {{ landing_extract('border_crossings') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(crossing_id) as crossing_id,
        trim(iin) as iin,
        crossing_date,
        lower(trim(direction)) as direction,
        trim(border_point) as border_point,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, conflict_key='crossing_id', iin_column='iin') }}
