{#- Where the landing registries are read from. -#}

{% macro landing_root() -%}
  {#- LANDING_ROOT, else <repo>/data/landing (repo root: DBT_REPO_ROOT, else the parent of the
      profiles dir, see profiles.yml). -#}
  {{ return(env_var('LANDING_ROOT', env_var('DBT_REPO_ROOT', flags.PROFILES_DIR ~ '/..') ~ '/data/landing')) }}
{%- endmacro %}

{% macro landing_extract(registry) -%}
  {#- The period's extract of a landing registry: the source's external_location (see
      models/staging/__sources.yml) with its __landing_root__ and __period__ filled in when the
      model runs, so that neither a new month nor another landing root makes dbt re-parse the
      project (see run_period). In a unit test, source() is the fixture and has no placeholder. -#}
  {%- set location = source('landing', registry) | string -%}
  {%- if execute -%}
    {%- set location = location | replace('__landing_root__', landing_root()) | replace('__period__', run_period()) -%}
  {%- endif -%}
  {{ return(location) }}
{%- endmacro %}
