{#- Shared pieces of the eligibility rules (models/eligibility/).

    The per-service models do not read the run's period and region: they describe the rule for
    every period and region present in their inputs, so a view built in another run can never
    carry a stale period. Only the partitioned tables (`eligibility_assessment`, `_list`,
    `_candidates`, `_summary`) filter to the run's partition (elig_partition_filter). -#}

{% macro elig_services() -%}
  {#- The pilot services, in publication order; each has models/eligibility/elig_candidates_<service>.sql
      and seeds/service_rules/<service>.csv. -#}
  {{ return(['home_schooling', 'pupil_student_aid', 'rent_subsidy', 'housing_assistance', 'asp']) }}
{%- endmacro %}

{% macro elig_regions() -%}
  {#- The regions of this run: the run's region (one 2-digit prefix, the Dagster partition: see
      run_region) when given, else the project var `regions` (a list; empty = every region that
      has rules). -#}
  {%- set region = run_region() -%}
  {%- if region | length > 0 -%}
    {%- set regions = [region] -%}
  {%- else -%}
    {%- set regions = var('regions', []) | map('string') | list -%}
  {%- endif -%}
  {%- for r in regions -%}
    {%- if not modules.re.fullmatch('[0-9]{2}', r) -%}
      {{ exceptions.raise_compiler_error("var 'region' must be a 2-digit KATO prefix, e.g. --vars '{\"region\": \"79\"}'") }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(regions) }}
{%- endmacro %}

{% macro elig_partition_filter(period_column='period', region_column='region') -%}
  {#- SQL predicate selecting the run's period and region(s); also used by the delete pre-hook. -#}
  {%- set regions = elig_regions() -%}
  {{ period_column }} = '{{ run_period() }}'
  {%- if regions | length > 0 %} and {{ region_column }} in ({% for r in regions %}'{{ r }}'{{ ', ' if not loop.last }}{% endfor %}){% endif %}
{%- endmacro %}

{% macro elig_delete_partition() -%}
  {#- pre_hook of the partitioned eligibility tables: remove the run's (period, region) rows, so
      a rerun replaces them (even when the new run lists nobody) and other partitions stay. -#}
  {%- if is_incremental() -%}
    delete from {{ this }} where {{ elig_partition_filter() }}
  {%- else -%}
    select 1
  {%- endif -%}
{%- endmacro %}

{% macro elig_period_start(period_column) -%}
  cast({{ period_column }} || '-01' as date)
{%- endmacro %}

{% macro elig_levels_allow(allowed_levels_column, level_column) -%}
  {#- allowed_levels is a parameter string such as '1,2,3,4,5'. -#}
  list_contains(
    list_transform(string_split({{ allowed_levels_column }}, ','), lambda x: cast(trim(x) as integer)),
    cast({{ level_column }} as integer))
{%- endmacro %}

{% macro elig_scored_families() -%}
  {#- One row per family and period with what every rule needs: the features, the score of the
      period (level, versions, reason codes), the ПМ and МРП in force for the period's year, and
      the family's declared monthly income (wages + entrepreneur + pensions/benefits: what an
      application would declare; the imputed hidden income is kept apart). Families without a
      score, or of a year missing from money_by_year, are not eligible for anything. -#}
  select
      features.*,
      features.region_kato as region,
      {{ elig_period_start('features.period') }} as period_start,
      scores.level,
      scores.methodology_version,
      scores.hidden_income,
      list_filter([scores.reason_1, scores.reason_2, scores.reason_3], lambda code: code is not null) as reason_codes,
      features.income_wages + features.income_entrepreneur + features.income_pensions_benefits as declared_income,
      money.subsistence_minimum_kzt as pm_kzt,
      money.mrp_kzt
  from {{ ref('family_features') }} as features
  join {{ source('scoring', 'family_scores') }} as scores
    on scores.family_id = features.family_id and scores.period = features.period
  join {{ ref('money_by_year') }} as money
    on money.year = cast(left(features.period, 4) as integer)
{%- endmacro %}

{% macro elig_rule_in_force(families_cte, rules_seed) -%}
  {#- Each family joined to the version of its region's rule in force on the period's first day
      (the latest valid_from on or before it). Regions without a rule get no row. -#}
  select families.*, rules.* exclude (region)
  from {{ families_cte }} as families
  asof join {{ ref(rules_seed) }} as rules
    on rules.region = families.region and families.period_start >= rules.valid_from
{%- endmacro %}

{% macro elig_output_columns(service, beneficiary_iin='cast(null as varchar)') -%}
  {#- The columns every candidates model starts with, which eligibility_assessment reads; the
      level filter (allowed_levels) is applied there, once for every service. -#}
  period,
  region,
  '{{ service }}' as service,
  family_id,
  {{ beneficiary_iin }} as beneficiary_iin,
  cast(level as tinyint) as level,
  rule_version,
  methodology_version,
  reason_codes,
  allowed_levels
{%- endmacro %}

{% macro elig_assert_money_for_period() -%}
  {#- Stop the list build when money_by_year has no row for the period's year: every amount
      needs that year's ПМ and МРП, and without them the rules would silently list nobody.
      Only when models are built: compiling them (dbt compile, the SQL linter) needs no data. -#}
  {%- if execute and flags.WHICH in ('build', 'run') -%}
    {%- set year = run_period()[:4] -%}
    {%- set found = run_query("select count(*) from " ~ ref('money_by_year') ~ " where year = " ~ year).columns[0].values()[0] -%}
    {%- if found == 0 -%}
      {{ exceptions.raise_compiler_error("seed money_by_year has no row for year " ~ year ~ " (ПМ and МРП of the period)") }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro elig_amount(expression) -%}
  {#- The one rounding rule of every amount (stated for readers in docs/publication.md, "Money"):
      a service's rule gives its amount in tenge, rounded here, once, to whole tenge, half away
      from zero, and carried on as an exact decimal with two places (never a binary float). -#}
  cast(round({{ expression }}) as decimal(18, 2))
{%- endmacro %}
