{#- The processing period and the dates the methodology derives from it.

    The period (and, for the eligibility models, the region) is read when a model RUNS, never
    while dbt parses the project: dbt re-parses the whole project whenever a `--vars` value
    changes, and re-parses every file that read an environment variable at parse time when its
    value changes (~5 s per invocation here). So the orchestrator passes the month as
    DBT_PERIOD / DBT_REGION in the environment and runs on the manifest parsed at install time;
    `--vars '{"period": ...}'` still works by hand (and wins), at the price of a full parse. -#}

{% macro run_period() -%}
  {#- The run's period 'YYYY-MM': var `period`, else env DBT_PERIOD; a placeholder while parsing. -#}
  {%- if not execute -%}{{ return('1970-01') }}{%- endif -%}
  {{ return((var('period') or env_var('DBT_PERIOD', '')) | string) }}
{%- endmacro %}

{% macro run_region() -%}
  {#- The run's region (2-digit KATO prefix) of a per-region build: var `region`, else env
      DBT_REGION; '' when none is given, and while parsing. -#}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {{ return((var('region', none) or env_var('DBT_REGION', '')) | string) }}
{%- endmacro %}

{% macro assert_period_var() %}
  {#- Fail early (before any model) when a command that compiles models has no well-formed
      period (var or DBT_PERIOD): the value goes into SQL, so only 'YYYY-MM' passes. Commands
      that do not compile models (`dbt ls`, `dbt parse`, `dbt docs generate --no-compile`) need
      none. -#}
  {% if execute and flags.WHICH in ('build', 'run', 'test', 'compile', 'show', 'generate') %}
    {% set period = run_period() %}
    {% if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])', period) %}
      {{ exceptions.raise_compiler_error("dbt " ~ ('docs generate' if flags.WHICH == 'generate' else flags.WHICH) ~ " compiles the models for one month: give the period as 'YYYY-MM' with --vars '{\"period\": \"2026-10\"}' or DBT_PERIOD=2026-10" ~ (" (or run dbt docs generate --no-compile)" if flags.WHICH == 'generate' else "")) }}
    {% endif %}
    {% for region in var('regions') %}
      {% if not modules.re.fullmatch('[0-9]{2}', region | string) %}
        {{ exceptions.raise_compiler_error("var 'regions' must be a list of 2-digit KATO prefixes") }}
      {% endif %}
    {% endfor %}
  {% endif %}
{% endmacro %}

{% macro period_literal() -%}
  '{{ run_period() }}'
{%- endmacro %}

{% macro reference_date() -%}
  {#- First day of the period month. -#}
  date '{{ run_period() }}-01'
{%- endmacro %}

{% macro months_before_reference(n) -%}
  cast({{ reference_date() }} - interval ({{ n }}) month as date)
{%- endmacro %}

{% macro income_window_start() -%}
  {#- The income window is [start, reference date): the 12 calendar months before the reference date. -#}
  {{ months_before_reference(var('income_window_months')) }}
{%- endmacro %}

{% macro age_on(birth_date, on_date) -%}
  {#- Whole years completed on `on_date` (a 29 Feb birthday completes a year on 1 Mar). -#}
  (year({{ on_date }}) - year({{ birth_date }})
   - case when month({{ on_date }}) * 100 + day({{ on_date }}) < month({{ birth_date }}) * 100 + day({{ birth_date }})
          then 1 else 0 end)
{%- endmacro %}

{% macro active_on(start_col, end_col, on_date) -%}
  {#- A record valid on `on_date`: started on or before it, not ended before it (null end = open). -#}
  ({{ start_col }} <= {{ on_date }} and ({{ end_col }} is null or {{ end_col }} >= {{ on_date }}))
{%- endmacro %}
