{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', "dwelling_id is null or dwelling_id = ''"],
    ['INVALID_IIN', invalid_iin('payer_iin')],
    ['DATE_OUT_OF_RANGE', bad_date('billing_month')],
    ['AMOUNT_OUT_OF_RANGE', out_of_range('utilities_kzt', 0, var('max_monthly_amount_kzt')) ~ ' or ' ~ out_of_range('maintenance_kzt', 0, var('max_monthly_amount_kzt'))],
] %}

with source as (
    select * from {{ landing_extract('housing_costs') }}
    where {{ in_scope('payer_iin') }}
),

renamed as (
    select
        trim(dwelling_id) as dwelling_id,
        trim(payer_iin) as payer_iin,
        cast(date_trunc('month', billing_month) as date) as billing_month,
        utilities_kzt,
        maintenance_kzt,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='payer_iin') }}
