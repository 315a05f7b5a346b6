{{ config(materialized='table') }}
-- The dwellings of an on-demand rescoring's persons (their registered address, as corrected):
-- the real estate and the housing bills its families read (macros/rescoring.sql). Empty in
-- every monthly run.
{%- set families = rescoring_families() %}

with population as (
    select dwelling_id from {{ ref('stg_population') }}
)

select distinct dwelling_id from population
where dwelling_id is not null and {{ 'false' if families | length == 0 else 'true' }}
