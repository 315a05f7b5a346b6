{{ config(materialized='table') }}
{%- set checks = [
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('institution_type', ['preschool', 'school', 'college', 'university'])
        ~ ' or ' ~ not_in('study_form', ['full_time', 'part_time', 'home_schooling'])
        ~ ' or ' ~ not_in('status', ['enrolled', 'graduated', 'expelled'])],
    ['DATE_OUT_OF_RANGE', bad_date('start_date') ~ ' or end_date < start_date'],
] %}

with source as (
    select * from {{ landing_extract('education') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(iin) as iin,
        lower(trim(institution_type)) as institution_type,
        lower(trim(study_form)) as study_form,
        lower(trim(status)) as status,
        start_date,
        end_date,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
