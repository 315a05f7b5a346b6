-- Members of each family on the reference date, one family per person, with the family head marked:
-- the member with role head (if several, the oldest), else the oldest member; ties by IIN.
-- Narrow on purpose (keys, role, head flag): the marts join the int_persons attributes they need,
-- which costs less than writing every person attribute a second time (20 M wide rows nationally).
with links as (
    select
        family_id,
        iin,
        role,
        link_date
    from {{ ref('int_family_links__resolved') }}
    where resolution_code is null
),

birth_dates as (
    select
        iin,
        birth_date
    from {{ ref('int_persons') }}
)

select
    links.family_id,
    links.iin,
    links.role,
    links.link_date,
    row_number() over (
        partition by links.family_id
        order by (links.role = 'head') desc, birth_dates.birth_date, links.iin asc
    ) = 1 as is_head
from links
join birth_dates on birth_dates.iin = links.iin
