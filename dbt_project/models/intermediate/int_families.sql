-- Families that have at least one member on the reference date, and no more than a family card
-- can plausibly hold (var max_family_members), with their head's dwelling. The others are in
-- int_families__rejected with a reason: one implausible card is quarantined, the month goes on.
with families as (
    select * from {{ ref('stg_families') }}
),

members as (
    select
        family_id,
        iin,
        is_head
    from {{ ref('int_family_members') }}
),

persons as (
    select
        iin,
        dwelling_id,
        settlement_type
    from {{ ref('int_persons') }}
),

kato_codes as (
    select
        kato,
        settlement_type
    from {{ ref('kato_codes') }}
),

sizes as (
    select
        family_id,
        count(*) as n_members
    from members
    group by family_id
),

heads as (
    select
        members.family_id,
        members.iin as head_iin,
        persons.dwelling_id,
        persons.settlement_type
    from members
    join persons on persons.iin = members.iin
    where members.is_head
)

select
    families.family_id,
    families.address_kato as kato,
    left(families.address_kato, 2) as region_kato,
    -- the civil registry's settlement type of the head's address; the classifier's as fallback
    coalesce(heads.settlement_type, kato_codes.settlement_type) as settlement_type,
    heads.head_iin,
    heads.dwelling_id as head_dwelling_id,
    families.registration_date,
    families.period
from families
join heads on heads.family_id = families.family_id
join sizes on sizes.family_id = families.family_id and sizes.n_members <= {{ var('max_family_members') }}
left join kato_codes on kato_codes.kato = families.address_kato
