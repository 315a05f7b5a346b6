-- Members of each family on the reference date, one family per person, with the family head marked:
-- the member with role head (if several, the oldest), else the oldest member; ties by IIN.
with links as (
    select family_id, iin, role, link_date
    from {{ ref('int_family_links__resolved') }}
    where resolution_code is null
),

persons as (
    select * from {{ ref('int_persons') }}
),

heads as (
    -- the head is ranked on narrow rows (the window sorts every row it carries, so keep it slim)
    select
        links.family_id,
        links.iin,
        row_number() over (
            partition by links.family_id
            order by (links.role = 'head') desc, persons.birth_date, persons.iin
        ) = 1 as is_head
    from links
    join persons on persons.iin = links.iin
)

select
    links.family_id,
    links.role,
    links.link_date,
    heads.is_head,
    persons.*
from links
join heads on heads.iin = links.iin and heads.family_id = links.family_id
join persons on persons.iin = links.iin
