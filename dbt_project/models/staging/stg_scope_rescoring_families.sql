{{ config(materialized='table') }}
-- The family cards an on-demand rescoring reads (macros/rescoring.sql): its families, every
-- family its persons are linked to, and every family an approved membership change joins them to
-- (a person claimed by two families is resolved on all of their links, as in the monthly run).
-- Empty in every monthly run.
{%- set families = rescoring_families() %}

with registry_links as (
    select
        family_id,
        iin
    from {{ ref('stg_family_links__checked') }}
    where reason_code is null
),

persons as (
    select iin from {{ ref('stg_scope_rescoring_persons') }}
),

memberships as (
    select
        family_id,
        subject_iin as iin
    from {{ ref('stg_corrections__in_force') }}
    where kind = 'membership'
)

select registry_links.family_id from registry_links
join persons on persons.iin = registry_links.iin
union
select memberships.family_id from memberships
join persons on persons.iin = memberships.iin
{%- if families | length > 0 %}
union
select unnest([{{ families | join(', ') }}]) as family_id
{%- endif %}
