-- Valid families with no member left on the reference date (all deceased, claimed elsewhere, ...).
with families as (
    select * from {{ ref('stg_families') }}
),

kept as (
    select family_id from {{ ref('int_families') }}
)

select
    families.family_id,
    families.address_kato,
    families.registration_date,
    'NO_MEMBERS' as reason_code,
    families.period
from families
anti join kept on kept.family_id = families.family_id
