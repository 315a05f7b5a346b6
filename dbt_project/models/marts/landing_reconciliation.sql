{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='period') }}
-- Rows in / kept / rejected per landing registry and period (metadata for the orchestration layer).
-- rows_in counts every in-scope source row (exact duplicates included); rows_in_landing is the row
-- count of the landing file (null on a regional run, where out-of-scope rows are not read).
{%- for registry in var('landing_registries') %}
    select
        cast('{{ registry }}' as varchar) as registry,
        cast({{ period_literal() }} as varchar) as period,
        {% if var('regions') | length == 0 -%}
            (select count(*) from {{ landing_extract(registry) }})
        {%- else -%}
    cast(null as bigint)
    {%- endif %} as rows_in_landing,
        (select cast(coalesce(sum(n_copies), 0) as bigint) from {{ ref('stg_' ~ registry ~ '__checked') }}) as rows_in,
        (select count(*) from {{ ref('stg_' ~ registry) }}) as rows_kept,
        (select count(*) from {{ ref('stg_' ~ registry ~ '__rejected') }}) as rows_rejected
    {{ 'union all' if not loop.last }}
{%- endfor %}
