{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', 'family_id is null'],
    ['UNKNOWN_KATO', 'address_kato is null or not ' ~ known_kato('address_kato')],
    ['DATE_OUT_OF_RANGE', bad_date('registration_date', nullable=true)],
] %}

with source as (
    select * from {{ landing_extract('families') }}
    where {{ in_regions('address_kato') }}
),

renamed as (
    select
        family_id,
        registration_date,
        trim(address_kato) as address_kato,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, conflict_key='family_id') }}
