{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', "contract_id is null or contract_id = ''"],
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('landlord_type', ['private', 'state'])],
    ['AMOUNT_OUT_OF_RANGE', out_of_range('monthly_rent_kzt', 0, var('max_monthly_amount_kzt'))],
    ['AREA_OUT_OF_RANGE', out_of_range('area_m2', 0, var('max_area_m2'), low_inclusive=false)],
    ['DATE_OUT_OF_RANGE', bad_date('start_date') ~ ' or end_date < start_date'],
] %}

with source as (
    select * from {{ landing_extract('rent_contracts') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(contract_id) as contract_id,
        trim(iin) as iin,
        lower(trim(landlord_type)) as landlord_type,
        nullif(trim(dwelling_id), '') as dwelling_id,
        area_m2,
        monthly_rent_kzt,
        start_date,
        end_date,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
