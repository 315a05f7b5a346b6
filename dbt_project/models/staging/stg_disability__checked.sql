{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('disability_group', ['I', 'II', 'III', 'CHILD'])],
    ['DATE_OUT_OF_RANGE', bad_date('assigned_date') ~ ' or review_date < assigned_date'],
] %}

with source as (
    select * from {{ landing_extract('disability') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(iin) as iin,
        upper(trim(disability_group)) as disability_group,
        assigned_date,
        review_date,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
