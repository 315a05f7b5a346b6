{{ config(materialized="table") }}
-- Families of the selected regions (var `regions`); read raw because scope decides what staging reads.
-- Empty on a national run (regions = []), where nothing is filtered.
with families as (
    select
        family_id,
        address_kato
    from {{ landing_extract('families') }}
)

select distinct family_id
from families
where {{ 'false' if var('regions') | length == 0 else in_regions('address_kato') }}
