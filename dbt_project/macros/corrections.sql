{#- Corrections of registry data (orchestration/corrections/store.py, docs/corrections.md). -#}

{% macro corrections_log() -%}
  {#- The append-only log of corrections: CORRECTIONS_ROOT, else <repo>/data/corrections. -#}
  {{ return(env_var('CORRECTIONS_ROOT', env_var('DBT_REPO_ROOT', flags.PROFILES_DIR ~ '/..') ~ '/data/corrections') ~ '/corrections.jsonl') }}
{%- endmacro %}

{% macro corrected_columns(registry) -%}
  {#- The columns of `registry` that corrections in force change this period; none while parsing
      or compiling only (dbt compile, the SQL linter), which read no data. -#}
  {%- if not (execute and flags.WHICH in ('build', 'run')) -%}{{ return([]) }}{%- endif -%}
  {%- set found = run_query("select distinct column_name from " ~ ref('stg_corrections__in_force') ~ " where kind = 'registry_value' and registry = '" ~ registry ~ "' order by 1") -%}
  {{ return(found.columns[0].values() | list) }}
{%- endmacro %}

{% macro with_corrections(checked_model, kept_sql) -%}
  {#- The kept rows of a registry with the corrections in force applied as an overlay: the
      corrected columns of the subject's rows (all of them, or the one its record key names) take
      the corrected value; the registry's own value stays in the checked table and beside the
      corrected one in stg_corrections__in_force. Without a correction of the registry this
      period the rows are the kept rows as they are. -#}
  -- depends_on: {{ ref('stg_corrections__in_force') }}
  {%- set registry = checked_model | replace('stg_', '', 1) | replace('__checked', '') -%}
  {%- set columns = corrected_columns(registry) -%}
  {%- if columns | length == 0 %}
  {{ kept_sql }}
  {%- else -%}
  {%- set types = {} -%}
  {%- for column in adapter.get_columns_in_relation(ref(checked_model)) -%}
    {%- do types.update({column.name: column.data_type}) -%}
  {%- endfor -%}
  {%- set subject = var('subject_columns').get(registry) -%}
  {%- set key = var('record_keys').get(registry) %}
  with kept as (
    {{ kept_sql }}
  ),
  corrections as (
    select
      subject_iin,
      record_key
      {%- for column in columns %},
      bool_or(column_name = '{{ column }}') as has_{{ column }},
      max(corrected_value) filter (where column_name = '{{ column }}') as value_{{ column }}
      {%- endfor %}
    from {{ ref('stg_corrections__in_force') }}
    where kind = 'registry_value' and registry = '{{ registry }}'
    group by all
  )
  select kept.* replace (
    {%- for column in columns %}
    case when corrections.has_{{ column }} then cast(corrections.value_{{ column }} as {{ types[column] }}) else kept.{{ column }} end as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
  )
  from kept
  left join corrections
    on {% if subject %}corrections.subject_iin = kept.{{ subject }}{% else %}true{% endif %}
    and (corrections.record_key is null {%- if key %} or corrections.record_key = cast(kept.{{ key }} as varchar){% endif %})
  {%- endif %}
{%- endmacro %}
