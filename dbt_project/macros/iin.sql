{% macro iin_is_valid(column) -%}
  {#- True when `column` is 12 ASCII digits with a correct check digit (rule in docs/domain.md):
      s = sum(d_i * i, i = 1..11) mod 11; if s = 10, s = sum(d_i * w_i) mod 11 with
      w = 3..11, 1, 2; s = 10 again -> invalid; valid when s = d_12.
      Pure SQL arithmetic on code points (no UDF, no cast that could fail); null -> false. -#}
  {%- set fallback_weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] -%}
  coalesce(
    regexp_full_match({{ column }}, '[0-9]{12}')
    and (
      case
        when ({% for i in range(1, 12) %}{{ i }} * (unicode(substr({{ column }}, {{ i }}, 1)) - 48){{ ' + ' if not loop.last }}{% endfor %}) % 11 != 10
          then ({% for i in range(1, 12) %}{{ i }} * (unicode(substr({{ column }}, {{ i }}, 1)) - 48){{ ' + ' if not loop.last }}{% endfor %}) % 11
        else ({% for i in range(1, 12) %}{{ fallback_weights[i - 1] }} * (unicode(substr({{ column }}, {{ i }}, 1)) - 48){{ ' + ' if not loop.last }}{% endfor %}) % 11
      end
    ) = unicode(substr({{ column }}, 12, 1)) - 48,
    false)
{%- endmacro %}
