{% macro duckdb__get_where_subquery(relation) -%}
  {#- dbt's default `where` handling for tests, plus two placeholders filled when the test runs:
      `__period__` becomes the run's period as a SQL literal, `__eligibility_partition__` the
      run's period/region filter (elig_partition_filter). Test configs are rendered when the
      project is parsed, and the run's period is read at execution only (see run_period). -#}
  {%- set where = config.get('where', '') -%}
  {%- if where -%}
    {%- if '__eligibility_partition__' in where -%}
      {%- set where = where | replace('__eligibility_partition__', elig_partition_filter()) -%}
    {%- endif -%}
    {%- set where = where | replace('__period__', period_literal()) -%}
    {%- set filtered -%}
      (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- endset -%}
    {%- do return(filtered) -%}
  {%- else -%}
    {%- do return(relation) -%}
  {%- endif -%}
{%- endmacro %}
