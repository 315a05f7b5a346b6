{#- The rows of `model` are exactly the rows of `parts` added up (a split that loses nothing). -#}
{% test row_count_split(model, parts) %}
with whole as (select count(*) as n from {{ model }}),
pieces as (
  {%- for part in parts %}
  select count(*) as n from {{ ref(part) }}{{ ' union all' if not loop.last }}
  {%- endfor %}
)
select whole.n as rows_whole, (select sum(n) from pieces) as rows_parts
from whole
where whole.n != (select sum(n) from pieces)
{% endtest %}
