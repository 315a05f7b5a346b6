{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_SEX', not_in('sex', ['M', 'F'])],
    ['BIRTH_DATE_OUT_OF_RANGE', "birth_date is null or birth_date < date '" ~ var('min_birth_date') ~ "' or birth_date > extract_as_of"],
    ['DEATH_DATE_OUT_OF_RANGE', 'death_date < birth_date or death_date > extract_as_of'],
    ['UNKNOWN_KATO', 'address_kato is null or not ' ~ known_kato('address_kato')],
    ['INVALID_SETTLEMENT_TYPE', 'settlement_type is null or settlement_type not in (select settlement_type from ' ~ ref('settlement_types') ~ ')'],
] %}

with source as (
    select * from {{ landing_extract('population') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        ---------- ids
        trim(iin) as iin,
        nullif(trim(dwelling_id), '') as dwelling_id,
        ---------- person
        birth_date,
        upper(trim(sex)) as sex,
        death_date,
        ---------- address
        trim(address_kato) as address_kato,
        cast(settlement_type as integer) as settlement_type,
        ---------- lineage
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, conflict_key='iin', iin_column='iin') }}
