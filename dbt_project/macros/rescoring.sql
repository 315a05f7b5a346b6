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

{% macro rescoring_persons(families) -%}
  {#- The persons the families' features can depend on: every registry link to them, and the
      persons an approved correction joins to them. -#}
  (select iin from {{ ref('stg_family_links__checked') }}
   where reason_code is null and family_id in ({{ families | join(', ') }})
   union
   select subject_iin from {{ ref('stg_corrections__in_force') }}
   where kind = 'membership' and change = 'joins_family' and family_id in ({{ families | join(', ') }}))
{%- endmacro %}

{% macro rescoring_scope(registry, relation) -%}
  {#- `relation` (a registry's kept rows) narrowed to what the rescored families' features read:
      - family_links: every link of their persons (a person claimed by two families is resolved
        on all of their links, as in the monthly run);
      - families: the families those links name;
      - real_estate: the persons' objects and every owner's row of their dwellings (the area
        of a dwelling is its largest area whoever owns it); housing_costs: their dwellings' bills;
      - every other registry: the rows about the persons (its subject column).
      Without DBT_FAMILIES, `relation` as it is. -#}
  -- depends_on: {{ ref('stg_family_links__checked') }}
  {%- if registry in ('real_estate', 'housing_costs') %}
  -- depends_on: {{ ref('stg_population') }}
  {%- endif %}
  {%- set families = rescoring_families() -%}
  {%- if families | length == 0 %}
  {{ relation }}
  {%- else -%}
  {%- set persons = rescoring_persons(families) -%}
  {%- set subject = var('subject_columns').get(registry) -%}
  {%- if registry in ('real_estate', 'housing_costs') -%}
    {%- set dwellings = "(select dwelling_id from " ~ ref('stg_population') ~ " where dwelling_id is not null)" -%}
  {%- endif %}
  select * from ({{ relation }}) as kept_rows
  where
  {%- if registry == 'families' %}
    family_id in (select family_id from {{ ref('stg_family_links__checked') }} where reason_code is null and iin in {{ persons }})
    or family_id in ({{ families | join(', ') }})
  {%- elif registry == 'real_estate' %}
    iin in {{ persons }} or object_id in {{ dwellings }}
  {%- elif registry == 'housing_costs' %}
    dwelling_id in {{ dwellings }}
  {%- elif subject %}
    {{ subject }} in {{ persons }}
  {%- else %}
    {{ exceptions.raise_compiler_error("rescoring: registry " ~ registry ~ " has no rule for what a family reads of it") }}
  {%- endif %}
  {%- endif %}
{%- endmacro %}
