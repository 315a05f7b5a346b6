{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['DATE_OUT_OF_RANGE', bad_date('period_start') ~ ' or period_end is null or period_end < period_start'],
    ['AMOUNT_OUT_OF_RANGE', out_of_range('declared_income_kzt', 0, var('max_declared_income_kzt'))],
] %}

with source as (
    select * from {{ landing_extract('entrepreneur_income') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(iin) as iin,
        period_start,
        period_end,
        declared_income_kzt,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
