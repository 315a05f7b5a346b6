{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['MISSING_KEY', "observation_id is null or observation_id = '' or icd10_code is null or icd10_code = ''"],
    ['DATE_OUT_OF_RANGE', bad_date('observation_start') ~ ' or observation_end < observation_start'],
] %}

with source as (
    select * from {{ landing_extract('health') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(observation_id) as observation_id,
        trim(iin) as iin,
        upper(trim(icd10_code)) as icd10_code,
        observation_start,
        observation_end,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, conflict_key='observation_id', iin_column='iin') }}
