{% macro iin_is_valid(column, number=none) -%}
  {#- True when `column` is 12 ASCII digits with a correct check digit (rule in docs/domain.md):
      s = sum(d_i * i, i = 1..11) mod 11; if s = 10, s = sum(d_i * w_i) mod 11 with
      w = 3..11, 1, 2; s = 10 again -> invalid; valid when s = d_12.  Null -> false.
      Pure SQL integer arithmetic, no UDF: digit i of the 12-digit number n is (n // 10^(12-i)) % 10.
      `number`: a column already holding try_cast(column as bigint) -- pass it on large tables,
      because DuckDB would otherwise repeat the string-to-integer cast for each of the 23 digits. -#}
  {%- set n = number if number else 'try_cast(' ~ column ~ ' as bigint)' -%}
  {%- set fallback_weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] -%}
  {%- set primary -%}({% for i in range(1, 12) %}{{ i }} * (({{ n }} // {{ 10 ** (12 - i) }}) % 10){{ ' + ' if not loop.last }}{% endfor %}) % 11{%- endset -%}
  {%- set fallback -%}({% for i in range(1, 12) %}{{ fallback_weights[i - 1] }} * (({{ n }} // {{ 10 ** (12 - i) }}) % 10){{ ' + ' if not loop.last }}{% endfor %}) % 11{%- endset -%}
  coalesce(
    regexp_full_match({{ column }}, '[0-9]{12}')
    and (case when {{ primary }} != 10 then {{ primary }} else {{ fallback }} end) = {{ n }} % 10,
    false)
{%- endmacro %}
