{{ config(materialized="table") }}
-- Persons in scope of a regional run: registered in a selected region, or linked to a family of one.
-- Empty on a national run (regions = []), where nothing is filtered.
with population as (
    select
        iin,
        address_kato
    from {{ landing_extract('population') }}
),

family_links as (
    select
        family_id,
        iin
    from {{ landing_extract('family_links') }}
),

scope_families as (
    select family_id from {{ ref('stg_scope_families') }}
)

select iin from population
where {{ 'false' if var('regions') | length == 0 else in_regions('address_kato') }}
union
select iin from family_links
where family_id in (select family_id from scope_families)
