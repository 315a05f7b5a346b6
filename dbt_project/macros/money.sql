{% macro exact_sum(expression) -%}
  {#- A sum of money that does not depend on the order of the rows. DOUBLE addition is not
      associative, and DuckDB's parallel aggregates add rows in an order that changes from run to
      run: two builds of the same pilot month gave ~1,700 of 760 k families a family income that
      differed in its last binary digit, enough to move a family sitting exactly on a threshold.
      Each term is rounded to 1e-10 tenge (DECIMAL(38, 10): 28 digits before the point) and the
      terms are added exactly, so a rebuild reproduces every figure bit for bit. -#}
  cast(sum(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}
