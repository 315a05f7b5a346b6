-- Every valid family link with its resolution: resolution_code null = the person is a member of
-- that family on the reference date; otherwise the reason the link was not used.
--
-- A person claimed by several families (documented deterministic rule): the link with the closest
-- role wins (head, spouse, child, parent, sibling, other); then the most recent link_date; then the
-- smallest family_id. The losing links
-- are CLAIMED_BY_ANOTHER_FAMILY (or DUPLICATE_LINK when it is the same family again).
-- Membership corrections in force apply here: a person who left a family keeps the registry's
-- link with LEFT_BY_CORRECTION; a person who joined one gets a link (role other) the registry
-- does not have yet.
{%- set ref_date = reference_date() %}

with registry_links as (
    select * from {{ ref('stg_family_links') }}
),

memberships as (
    select
        correction_id,
        family_id,
        subject_iin as iin,
        change,
        effective_from
    from {{ ref('stg_corrections__in_force') }}
    where kind = 'membership'
),

family_links as (
    select
        family_id,
        iin,
        role,
        link_date
    from registry_links
    union all
    select
        family_id,
        iin,
        'other' as role,
        effective_from as link_date
    from memberships
    -- a join the family card already records has lapsed (int_corrections_status): no second link
    where
        change = 'joins_family'
        and not exists (
            select 1 from registry_links
            where registry_links.family_id = memberships.family_id and registry_links.iin = memberships.iin
        )
),

families as (
    select family_id from {{ ref('stg_families') }}
),

persons as (
    select
        iin,
        is_born,
        is_alive
    from {{ ref('int_persons') }}
),

checked as (
    select
        family_links.family_id,
        family_links.iin,
        family_links.role,
        family_links.link_date,
        case
            when left_family.iin is not null then 'LEFT_BY_CORRECTION'
            when families.family_id is null then 'UNKNOWN_FAMILY'
            when persons.iin is null then 'UNKNOWN_PERSON'
            when not persons.is_born then 'NOT_BORN_ON_REFERENCE_DATE'
            when not persons.is_alive then 'DECEASED'
            when family_links.link_date > {{ ref_date }} then 'LINKED_AFTER_REFERENCE_DATE'
        end as unusable_reason
    from family_links
    left join memberships as left_family
        on
            left_family.change = 'leaves_family'
            and family_links.family_id = left_family.family_id
            and family_links.iin = left_family.iin
    left join families on families.family_id = family_links.family_id
    left join persons on persons.iin = family_links.iin
),

usable as (
    select * from checked
    where unusable_reason is null
),

contested as (
    -- persons with more than one usable link (a few thousand): only their links are ranked, so
    -- the window sorts those rows instead of every person's link
    select iin from usable
    group by iin
    having count(*) > 1
),

ranked as (
    select
        *,
        row_number() over (
            partition by iin
            order by {{ role_priority('role') }}, link_date desc nulls last, family_id asc
        ) as claim_rank,
        first_value(family_id) over (
            partition by iin
            order by {{ role_priority('role') }}, link_date desc nulls last, family_id asc
        ) as winning_family_id
    from usable
    where iin in (select iin from contested)
)

select
    family_id,
    iin,
    role,
    link_date,
    case
        when claim_rank = 1 then null
        when family_id = winning_family_id then 'DUPLICATE_LINK'
        else 'CLAIMED_BY_ANOTHER_FAMILY'
    end as resolution_code,
    {{ period_literal() }} as period
from ranked
union all
-- a single usable link is the person's membership
select
    family_id,
    iin,
    role,
    link_date,
    null as resolution_code,
    {{ period_literal() }} as period
from usable
where iin not in (select iin from contested)
union all
select
    family_id,
    iin,
    role,
    link_date,
    unusable_reason as resolution_code,
    {{ period_literal() }} as period
from checked
where unusable_reason is not null
