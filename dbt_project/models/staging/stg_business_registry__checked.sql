{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('business_role', ['sole_trader', 'company_founder'])],
    ['AMOUNT_OUT_OF_RANGE', out_of_range('declared_income_12m_kzt', 0, var('max_business_income_12m_kzt'))],
    ['DATE_OUT_OF_RANGE', bad_date('registration_date') ~ ' or deregistration_date < registration_date'],
] %}

with source as (
    select * from {{ landing_extract('business_registry') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(iin) as iin,
        trim(bin) as bin,
        lower(trim(business_role)) as business_role,
        registration_date,
        deregistration_date,
        declared_income_12m_kzt,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
