{% macro iin_is_valid(column, number=none, primary=none) -%}
  {#- True when `column` is 12 ASCII digits with a correct check digit (rule in docs/domain.md):
      s = sum(d_i * i, i = 1..11) mod 11; if s = 10, s = sum(d_i * w_i) mod 11 with
      w = 3..11, 1, 2; s = 10 again -> invalid; valid when s = d_12.  Null -> false.
      Pure SQL integer arithmetic, no UDF: digit i of the 12-digit number n is (n // 10^(12-i)) % 10.
      On large tables pass precomputed columns, because DuckDB repeats a subexpression inside CASE:
      `number`: a column holding try_cast(column as bigint) (else the cast runs for each of the
      23 digits); `primary`: a column holding iin_primary_remainder(number) (else the first sum is
      computed twice). -#}
  {%- set n = number if number else 'try_cast(' ~ column ~ ' as bigint)' -%}
  {%- set s = primary if primary else iin_primary_remainder(n) -%}
  coalesce(
    regexp_full_match({{ column }}, '[0-9]{12}')
    and (case when {{ s }} != 10 then {{ s }} else {{ iin_weighted_remainder(n, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) }} end)
        = {{ n }} % 10,
    false)
{%- endmacro %}

{% macro iin_primary_remainder(number) -%}
  {#- The IIN's first check sum: sum(d_i * i, i = 1..11) mod 11 of the 12-digit integer `number`. -#}
  {{ return(iin_weighted_remainder(number, range(1, 12) | list)) }}
{%- endmacro %}

{% macro iin_weighted_remainder(number, weights) -%}
  {#- sum(d_i * weights[i]) mod 11 over the first 11 digits d_i of the 12-digit integer `number`. -#}
  {%- set terms = [] -%}
  {%- for weight in weights -%}
    {%- do terms.append(weight ~ ' * ((' ~ number ~ ' // ' ~ 10 ** (11 - loop.index0) ~ ') % 10)') -%}
  {%- endfor -%}
  {{ return('(' ~ terms | join(' + ') ~ ') % 11') }}
{%- endmacro %}
