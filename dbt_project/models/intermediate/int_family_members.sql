-- Members of each family on the reference date, one family per person, with the family head marked:
-- the member with role head (if several, the oldest), else the oldest member; ties by IIN.
with links as (
    select family_id, iin, role, link_date
    from {{ ref('int_family_links__resolved') }}
    where resolution_code is null
),

birth_dates as (
    select iin, birth_date from {{ ref('int_persons') }}
),

persons as (
    select * from {{ ref('int_persons') }}
),

ranked_links as (
    -- the head is ranked on narrow rows (a window sorts every column it carries); each import
    -- CTE is read once, so DuckDB streams it instead of materialising the wide person rows
    select
        links.family_id,
        links.iin,
        links.role,
        links.link_date,
        row_number() over (
            partition by links.family_id
            order by (links.role = 'head') desc, birth_dates.birth_date, links.iin
        ) = 1 as is_head
    from links
    join birth_dates on birth_dates.iin = links.iin
)

select
    ranked_links.family_id,
    ranked_links.role,
    ranked_links.link_date,
    ranked_links.is_head,
    persons.*
from ranked_links
join persons on persons.iin = ranked_links.iin
