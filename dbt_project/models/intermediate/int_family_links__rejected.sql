{{ config(materialized='view') }}
-- Family links not used on the reference date, with the reason (deceased member, two families...).
select
    family_id,
    iin,
    role,
    link_date,
    resolution_code as reason_code,
    period
from {{ ref('int_family_links__resolved') }}
where resolution_code is not null
