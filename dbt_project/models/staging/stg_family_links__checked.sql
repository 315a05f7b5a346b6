{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', 'family_id is null'],
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('role', ['head', 'spouse', 'child', 'parent', 'sibling', 'other'])],
    ['DATE_OUT_OF_RANGE', bad_date('link_date', nullable=true)],
] %}

with source as (
    select * from {{ landing_extract('family_links') }}
    where {{ in_family_scope('family_id') }}
),

renamed as (
    select
        family_id,
        trim(iin) as iin,
        lower(trim(role)) as role,
        link_date,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
