{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['DATE_OUT_OF_RANGE', bad_date('month')],
    ['AMOUNT_OUT_OF_RANGE', out_of_range('contribution_kzt', 0, var('max_monthly_amount_kzt'))],
] %}

with source as not materialized (
    select * from {{ landing_extract('pension_contributions') }}
    where {{ in_scope('iin') }}
),

renamed as not materialized (
    select
        trim(iin) as iin,
        -- months are first days by contract; truncate defensively (a cast keeps DATE, not TIMESTAMP)
        cast(date_trunc('month', month) as date) as month,
        trim(employer_bin) as employer_bin,
        contribution_kzt,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin', iin_repeats=true) }}
