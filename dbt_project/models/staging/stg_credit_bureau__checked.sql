{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', "contract_id is null or contract_id = ''"],
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('loan_type', ['mortgage', 'consumer', 'auto', 'microcredit', 'credit_card'])],
    ['AMOUNT_OUT_OF_RANGE', out_of_range('outstanding_kzt', 0, var('max_loan_kzt')) ~ ' or ' ~ out_of_range('arrears_kzt', 0, var('max_loan_kzt'))],
    ['VALUE_OUT_OF_RANGE', out_of_range('arrears_days', 0, var('max_arrears_days'))],
    ['DATE_OUT_OF_RANGE', bad_date('open_date', nullable=true)],
] %}

with source as (
    select * from {{ landing_extract('credit_bureau') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(contract_id) as contract_id,
        trim(iin) as iin,
        lower(trim(loan_type)) as loan_type,
        outstanding_kzt,
        arrears_days,
        arrears_kzt,
        open_date,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
