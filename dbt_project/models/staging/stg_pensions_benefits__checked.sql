{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['MISSING_KEY', "payment_id is null or payment_id = ''"],
    ['DATE_OUT_OF_RANGE', bad_date('month')],
    ['INVALID_CATEGORY', not_in('benefit_type', ['old_age_pension', 'disability_benefit', 'survivor_benefit', 'child_benefit', 'other'])],
    ['AMOUNT_OUT_OF_RANGE', out_of_range('amount_kzt', 0, var('max_monthly_amount_kzt'))],
] %}

with source as not materialized (
    select * from {{ landing_extract('pensions_benefits') }}
    where {{ in_scope('iin') }}
),

renamed as not materialized (
    select
        trim(payment_id) as payment_id,
        trim(iin) as iin,
        cast(date_trunc('month', month) as date) as month,
        lower(trim(benefit_type)) as benefit_type,
        amount_kzt,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, conflict_key='payment_id', iin_column='iin', iin_repeats=true) }}
