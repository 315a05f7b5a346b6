{{ config(materialized='table') }}
-- The persons an on-demand rescoring's families (env DBT_FAMILIES, macros/rescoring.sql) can
-- depend on: every registry link to the families, and the persons an approved correction joins
-- to them. Computed once, so that each kept-row view filters on a few rows instead of scanning
-- the family links again. Empty in every monthly run.
{%- set families = rescoring_families() %}

with registry_links as (
    select
        family_id,
        iin
    from {{ ref('stg_family_links__checked') }}
    where reason_code is null
),

joins as (
    select
        family_id,
        subject_iin as iin
    from {{ ref('stg_corrections__in_force') }}
    where kind = 'membership' and change = 'joins_family'
)

select iin from registry_links
where {{ 'false' if families | length == 0 else 'family_id in (' ~ families | join(', ') ~ ')' }}
union
select iin from joins
where {{ 'false' if families | length == 0 else 'family_id in (' ~ families | join(', ') ~ ')' }}
