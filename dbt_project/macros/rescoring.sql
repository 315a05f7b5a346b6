{#- On-demand rescoring of a few families (orchestration/corrections/rescoring.py, docs/corrections.md).

    The rescoring run builds the kept-row views, the intermediate models and the marts into a
    scratch database (target `rescoring`), deferring every other model to the month's warehouse
    (`--defer`); the families come in env DBT_FAMILIES, read when a model runs, so that the
    manifest parsed at install time is reused. Every kept-row view then keeps only the rows the
    families' features can depend on. A monthly run has no DBT_FAMILIES and filters nothing. -#}

{% macro rescoring_families() -%}
  {#- The family ids of an on-demand rescoring (env DBT_FAMILIES, comma-separated), [] otherwise
      and while parsing. -#}
  {%- if not execute -%}{{ return([]) }}{%- endif -%}
  {%- set ids = [] -%}
  {%- for part in env_var('DBT_FAMILIES', '').split(',') if part | trim | length > 0 -%}
    {%- if not modules.re.fullmatch('[0-9]{1,18}', part | trim) -%}
      {{ exceptions.raise_compiler_error("DBT_FAMILIES must be comma-separated family ids") }}
    {%- endif -%}
    {%- do ids.append(part | trim) -%}
  {%- endfor -%}
  {{ return(ids) }}
{%- endmacro %}

{% macro rescoring_scope(registry, relation) -%}
  {#- `relation` (a registry's kept rows) narrowed to what the rescored families' features read
      (the scope tables stg_scope_rescoring_*, computed once per rescoring):
      - family_links: every link of their persons (a person claimed by two families is resolved
        on all of their links, as in the monthly run);
      - families: the families those links name;
      - real_estate: the persons' objects and every owner's row of their dwellings (the area
        of a dwelling is its largest area whoever owns it); housing_costs: their dwellings' bills;
      - every other registry: the rows about the persons (its subject column).
      Without DBT_FAMILIES, `relation` as it is. -#}
  {%- if registry == 'families' %}
  -- depends_on: {{ ref('stg_scope_rescoring_families') }}
  {%- elif registry in ('real_estate', 'housing_costs') %}
  -- depends_on: {{ ref('stg_scope_rescoring_dwellings') }}
  {%- endif %}
  {%- if registry not in ('families', 'housing_costs') %}
  -- depends_on: {{ ref('stg_scope_rescoring_persons') }}
  {%- endif %}
  {%- if rescoring_families() | length == 0 %}
  {{ relation }}
  {%- else -%}
  {%- set subject = var('subject_columns').get(registry) %}
  {#- a join on the (unique) scope rows rather than `in (select ...)`: DuckDB pushes the join's
      keys into the scan of the month's table, which then reads the other columns of the few
      matching rows only -#}
  {%- if registry == 'families' %}
  select kept_rows.* from ({{ relation }}) as kept_rows
  join {{ ref('stg_scope_rescoring_families') }} as scope on scope.family_id = kept_rows.family_id
  {%- elif registry == 'real_estate' %}
  select * from ({{ relation }}) as kept_rows
  where
    iin in (select iin from {{ ref('stg_scope_rescoring_persons') }})
    or object_id in (select dwelling_id from {{ ref('stg_scope_rescoring_dwellings') }})
  {%- elif registry == 'housing_costs' %}
  select kept_rows.* from ({{ relation }}) as kept_rows
  join {{ ref('stg_scope_rescoring_dwellings') }} as scope on scope.dwelling_id = kept_rows.dwelling_id
  {%- elif subject %}
  select kept_rows.* from ({{ relation }}) as kept_rows
  join {{ ref('stg_scope_rescoring_persons') }} as scope on scope.iin = kept_rows.{{ subject }}
  {%- else %}
    {{ exceptions.raise_compiler_error("rescoring: registry " ~ registry ~ " has no rule for what a family reads of it") }}
  {%- endif %}
  {%- endif %}
{%- endmacro %}
