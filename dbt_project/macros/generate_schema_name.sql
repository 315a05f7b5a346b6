{% macro generate_schema_name(custom_schema_name, node) -%}
  {#- Use a layer's custom schema name as-is (staging, intermediate, seeds); marts have none and
      land in the target schema (main), where the scoring step reads `family_features`. -#}
  {%- if custom_schema_name is none -%}
    {{ target.schema }}
  {%- else -%}
    {{ custom_schema_name | trim }}
  {%- endif -%}
{%- endmacro %}
