{#- Generic data tests of the eligibility rules and lists (models/eligibility, seeds/service_rules). -#}

{% test elig_rules_valid(model) %}
  {#- A service-rule seed is usable. Returns one row per faulty rule, with the first problem found:
      a missing region, rule_version, valid_from or allowed_levels; a region that is not a 2-digit
      KATO prefix; funding other than 'local' / 'national'; levels outside 1..6; a locally funded
      rule that allows level 6 (domain.md: level 6 is excluded from support paid by local
      budgets); two versions for one region and start date; a rule_version used twice.
      One test per seed instead of one per column and rule: the seeds' tests run in every
      regional build, and each test is a dbt node and a Dagster asset check. -#}
  with rules as (
      select
          *,
          list_transform(string_split(allowed_levels, ','), lambda x: try_cast(trim(x) as integer)) as levels,
          count(*) over (partition by region, valid_from) as n_same_start,
          count(*) over (partition by rule_version) as n_same_version
      from {{ model }}
  ),

  checked as (
      select
          region, rule_version, valid_from, funding, allowed_levels,
          case
              when region is null or rule_version is null or valid_from is null or allowed_levels is null
                  then 'missing region, rule_version, valid_from or allowed_levels'
              when not regexp_full_match(region, '[0-9]{2}') then 'region is not a 2-digit KATO prefix'
              when funding is null or funding not in ('local', 'national') then 'funding is not local or national'
              when len(levels) = 0 or list_bool_or(list_transform(levels, lambda l: l is null or l < 1 or l > 6))
                  then 'allowed_levels outside 1..6'
              when funding = 'local' and list_contains(levels, 6) then 'a locally funded rule allows level 6'
              when n_same_start > 1 then 'two versions for one region and start date'
              when n_same_version > 1 then 'rule_version used twice'
          end as problem
      from rules
  )

  select * from checked where problem is not null
{% endtest %}

{% test elig_no_level_6_in_local_services(model, rules_model) %}
  {#- Every listed row has a rule (service, region, rule_version) in `rules_model`, and no row of
      a locally funded service is for a level-6 family. Checks the list itself, so it also holds
      if a rule seed were edited to allow level 6. -#}
  select list.service, list.region, list.rule_version, list.level, rules.funding
  from (select * from {{ model }}) as list
  left join {{ rules_model }} as rules
    on rules.service = list.service and rules.region = list.region and rules.rule_version = list.rule_version
  where rules.funding is null
     or (rules.funding = 'local' and list.level = 6)
{% endtest %}

{% test elig_positive(model, column_name) %}
  {#- Rows whose `column_name` is not a finite number > 0. -#}
  select {{ column_name }}
  from {{ model }}
  where not ({{ column_name }} > 0 and isfinite({{ column_name }}))
{% endtest %}

{% test elig_candidates_match_list(model) %}
  {#- The candidates marked `listed` are exactly the run partition's eligibility_list: the same
      rows per (service, family) and the same amounts. Returns the rows that differ. -#}
  with listed as (
      select period, region, service, family_id, count(*) as n_rows, {{ exact_sum('amount_kzt') }} as amount_kzt
      from {{ model }}
      where listed
      group by all
  ),
  list as (
      select period, region, service, family_id, count(*) as n_rows, {{ exact_sum('amount_kzt') }} as amount_kzt
      from {{ ref('eligibility_list') }}
      where {{ elig_partition_filter() }}
      group by all
  )
  (select 'candidates only' as side, * from (select * from listed except all select * from list))
  union all
  (select 'list only' as side, * from (select * from list except all select * from listed))
{% endtest %}
