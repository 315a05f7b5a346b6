{{ config(materialized='table') }}
{%- set checks = [
    ['MISSING_KEY', "plot_id is null or plot_id = ''"],
    ['INVALID_IIN', invalid_iin('iin')],
    ['INVALID_CATEGORY', not_in('land_use', ['agricultural', 'household', 'other'])],
    ['AREA_OUT_OF_RANGE', out_of_range('area_ha', 0, var('max_land_area_ha'), low_inclusive=false)],
    ['UNKNOWN_KATO', 'kato is null or not ' ~ known_kato('kato')],
] %}

with source as (
    select * from {{ landing_extract('land_plots') }}
    where {{ in_scope('iin') }}
),

renamed as (
    select
        trim(plot_id) as plot_id,
        trim(iin) as iin,
        area_ha,
        lower(trim(land_use)) as land_use,
        trim(kato) as kato,
        extract_as_of
    from source
),

{{ checked_rows('renamed', checks, iin_column='iin') }}
