{#- Row validation shared by every staging registry.

    Pattern per registry (three models):
      stg_<r>__checked   table: distinct source rows + reason_code (null = kept) + n_copies
      stg_<r>            view:  the kept rows (reason_code is null), one per distinct row
      stg_<r>__rejected  view:  every rejected source row, once per copy, with its reason_code
    so rows_in = sum(n_copies) = rows kept + rows rejected, and nothing is ever dropped. -#}

{% macro first_failing_check(checks) -%}
  {#- checks: list of [reason_code, sql condition that is TRUE when the row is bad].
      A null condition counts as "not failing": write explicit null checks where null is bad. -#}
  case
  {%- for reason, bad in checks %}
    when coalesce(({{ bad }}), false) then '{{ reason }}'
  {%- endfor %}
  end
{%- endmacro %}

{% macro checked_rows(renamed_cte, checks, conflict_key=none, iin_column=none, iin_repeats=false) -%}
  {#- Validate the rows of `renamed_cte` and collapse exact duplicates.
      Exact duplicates (every column equal) become one row with n_copies > 1: one copy is kept
      (when otherwise valid), the others are rejected as DUPLICATE by `rejected_rows`.
      conflict_key: the column that must identify a row; valid distinct rows sharing that key
      disagree with each other, so all of them are rejected as CONFLICTING_RECORD.
      iin_column: the IIN column; its check digit goes into `iin_is_valid_flag` for the
      `invalid_iin()` check (see iin_is_valid), then dropped.
      iin_repeats: true for the monthly registries (pension contributions, pensions and benefits:
      ~10 rows per person), where the checksum is computed once per distinct IIN and joined back;
      else it is computed per row, which costs less than finding the distinct IINs and joining
      them back when a person has one or two rows. With iin_repeats, the model reads `renamed` twice (all rows,
      distinct IINs): its import CTEs are declared `not materialized`, else DuckDB buffers the
      whole extract in memory once to feed both (the second scan only reads the IIN column of
      the Parquet file).
      The copies are collapsed before the checks run: a row's checks depend only on its columns,
      so copies get the same reason, and the group-by's hash table does not carry the reason
      code. -#}
  collapsed as (
    -- a hash aggregate over all columns: cheaper than a window, and it keeps the count
    select *, count(*) as n_copies
    from {{ renamed_cte }}
    group by all
  ),
  {%- if iin_column and iin_repeats %}
  iin_checks as (
    select checked_iin, {{ iin_is_valid('checked_iin', number='iin_number', primary='iin_primary') }} as iin_is_valid_flag
    from ({{ with_iin_number('checked_iin', '(select distinct ' ~ iin_column ~ ' as checked_iin from ' ~ renamed_cte ~ ')') }})
  ),
  with_iin_check as (
    -- a null IIN finds no match: its flag stays null, which invalid_iin() reads as invalid
    select collapsed.*, iin_checks.iin_is_valid_flag
    from collapsed
    left join iin_checks on iin_checks.checked_iin = collapsed.{{ iin_column }}
  ),
  {%- elif iin_column %}
  with_iin_check as (
    -- the integer value and the first check sum are computed once per row (see iin_is_valid)
    select * exclude (iin_number, iin_primary),
      {{ iin_is_valid(iin_column, number='iin_number', primary='iin_primary') }} as iin_is_valid_flag
    from ({{ with_iin_number(iin_column, 'collapsed') }})
  ),
  {%- endif %}
  validated as (
    select
      * exclude (n_copies {%- if iin_column %}, iin_is_valid_flag{% endif %}),
      {{ first_failing_check(checks) }} as reason_code,
      n_copies
    from {{ 'with_iin_check' if iin_column else 'collapsed' }}
  )
  {%- if conflict_key %},
  conflicting_keys as (
    -- keys held by more than one valid distinct row; a grouped semi-join, because a window
    -- partitioned by the key sorts every wide row (2x slower on the population registry)
    select {{ conflict_key }}
    from validated
    where reason_code is null
    group by {{ conflict_key }}
    having count(*) > 1
  ),
  with_conflicts as (
    select * replace (
      case
        when reason_code is null
         and {{ conflict_key }} in (select {{ conflict_key }} from conflicting_keys)
        then 'CONFLICTING_RECORD'
        else reason_code
      end as reason_code)
    from validated
  )
  select *, {{ period_literal() }} as period from with_conflicts
  {%- else %}
  select *, {{ period_literal() }} as period from validated
  {%- endif %}
{%- endmacro %}

{% macro with_iin_number(iin_column, relation) -%}
  {#- `relation` plus the IIN as an integer (`iin_number`) and its first check sum (`iin_primary`),
      each computed once per row for `iin_is_valid(..., number='iin_number', primary='iin_primary')`. -#}
  select *, {{ iin_primary_remainder('iin_number') }} as iin_primary
  from (select *, try_cast({{ iin_column }} as bigint) as iin_number from {{ relation }})
{%- endmacro %}

{% macro kept_rows(checked_model) -%}
  {#- The valid rows of a registry, one per distinct row, with the corrections in force applied
      (macros/corrections.sql); in an on-demand rescoring, only the rows of its families
      (macros/rescoring.sql). -#}
  {%- set kept -%}
  select * exclude (reason_code, n_copies)
  from {{ ref(checked_model) }}
  where reason_code is null
  {%- endset -%}
  {%- set registry = checked_model | replace('stg_', '', 1) | replace('__checked', '') -%}
  {{ rescoring_scope(registry, with_corrections(checked_model, kept)) }}
{%- endmacro %}

{% macro rejected_rows(checked_model) -%}
  {#- Every copy of an invalid row with its reason, and every copy but one of a valid row that came
      more than once, as DUPLICATE. One select with unnest(range(...)) in the select list: a
      lateral join with range() or a union of the two cases made DuckDB scan the whole checked
      table. -#}
  select * exclude (n_copies, copy) replace (coalesce(reason_code, 'DUPLICATE') as reason_code)
  from (
    select *, unnest(range(if(reason_code is null, n_copies - 1, n_copies))) as copy
    from {{ ref(checked_model) }}
    where reason_code is not null or n_copies > 1
  )
{%- endmacro %}

{% macro staging_reason_codes() -%}
  {#- Every reason a staging model can give a rejected row (see dbt_project/README.md). -#}
  {{ return(['INVALID_IIN', 'INVALID_SEX', 'BIRTH_DATE_OUT_OF_RANGE', 'DEATH_DATE_OUT_OF_RANGE', 'UNKNOWN_KATO',
             'INVALID_SETTLEMENT_TYPE', 'MISSING_KEY', 'DATE_OUT_OF_RANGE', 'INVALID_CATEGORY',
             'AMOUNT_OUT_OF_RANGE', 'AREA_OUT_OF_RANGE', 'SHARE_OUT_OF_RANGE', 'VALUE_OUT_OF_RANGE',
             'CONFLICTING_RECORD', 'DUPLICATE']) }}
{%- endmacro %}

{% test known_reason_code(model) %}
  {#- Rows of a staging __rejected model whose reason_code is missing or not a staging reason
      code: one test per registry instead of a not_null and an accepted_values test (each test
      is a dbt node and a Dagster asset check in every monthly build). -#}
  select reason_code
  from {{ model }}
  where reason_code is null
     or reason_code not in ({% for code in staging_reason_codes() %}'{{ code }}'{{ ', ' if not loop.last }}{% endfor %})
{% endtest %}

{% macro in_scope(iin_column) -%}
  {#- Region scope for person registries: true for everyone when `regions` is empty (national run),
      else only persons living in, or linked to a family of, the selected regions. -#}
  {%- if var('regions') | length == 0 -%}
    true
  {%- else -%}
    {{ iin_column }} in (select iin from {{ ref('stg_scope_persons') }})
  {%- endif -%}
{%- endmacro %}

{% macro in_regions(kato_column) -%}
  {%- if var('regions') | length == 0 -%}
    true
  {%- else -%}
    left({{ kato_column }}, 2) in ({% for r in var('regions') %}'{{ r }}'{{ ', ' if not loop.last }}{% endfor %})
  {%- endif -%}
{%- endmacro %}

{% macro known_kato(kato_column) -%}
  {#- KATO codes must be 9 digits and listed in the classifier seed. -#}
  ({{ kato_column }} in (select kato from {{ ref('kato_codes') }}))
{%- endmacro %}

{% macro not_in(column, values) -%}
  {#- TRUE when `column` is null or not one of `values` (an accepted-values check for staging). -#}
  ({{ column }} is null or {{ column }} not in ({% for v in values %}'{{ v }}'{{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}

{% macro out_of_range(column, low, high, low_inclusive=true) -%}
  {#- TRUE when `column` is null or outside [low, high] (or (low, high] when low_inclusive=false). -#}
  ({{ column }} is null or {{ column }} {{ '<' if low_inclusive else '<=' }} {{ low }} or {{ column }} > {{ high }})
{%- endmacro %}

{% macro bad_date(column, nullable=false) -%}
  {#- TRUE when a date is missing (unless nullable) or outside [min_event_date, the extract's as-of]. -#}
  ({% if not nullable %}{{ column }} is null or {% endif %}{{ column }} < date '{{ var("min_event_date") }}' or {{ column }} > extract_as_of)
{%- endmacro %}

{% macro in_family_scope(family_id_column) -%}
  {%- if var('regions') | length == 0 -%}
    true
  {%- else -%}
    {{ family_id_column }} in (select family_id from {{ ref('stg_scope_families') }})
  {%- endif -%}
{%- endmacro %}

{% macro invalid_iin(column) -%}
  {#- For checked_rows(..., iin_column=column): reads the flag computed once per distinct IIN. -#}
  not coalesce(iin_is_valid_flag, false)
{%- endmacro %}

{% macro role_priority(role_column) -%}
  {#- Rank of a family role for resolving a person claimed by two families (1 = closest). -#}
  case {{ role_column }} when 'head' then 1 when 'spouse' then 2 when 'child' then 3 when 'parent' then 4
       when 'sibling' then 5 else 6 end
{%- endmacro %}
