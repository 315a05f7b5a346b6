-- Valid families that are not in int_families, with the reason a caseworker can read:
-- NO_MEMBERS (no member left on the reference date: all deceased, claimed elsewhere, ...) or
-- IMPLAUSIBLE_SIZE (more members than var max_family_members: a family card to check by hand).
with families as (
    select * from {{ ref('stg_families') }}
),

kept as (
    select family_id from {{ ref('int_families') }}
),

sizes as (
    select
        family_id,
        count(*) as n_members
    from {{ ref('int_family_members') }}
    group by family_id
)

select
    families.family_id,
    families.address_kato,
    families.registration_date,
    case when sizes.n_members is null then 'NO_MEMBERS' else 'IMPLAUSIBLE_SIZE' end as reason_code,
    coalesce(sizes.n_members, 0) as n_members,
    families.period
from families
left join sizes on sizes.family_id = families.family_id
where families.family_id not in (select family_id from kept)
