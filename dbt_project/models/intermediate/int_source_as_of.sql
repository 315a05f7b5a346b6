-- One row: the as-of date (extract_as_of) of every registry extract of the period; null when the
-- extract was empty. Read from the checked tables so rejected rows still date the extract.

select
{%- for registry in var('landing_registries') %}
    (select max(extract_as_of) from {{ ref('stg_' ~ registry ~ '__checked') }})
        as as_of_{{ registry }}{{ ',' if not loop.last }}  -- noqa: LT02

{%- endfor %}
