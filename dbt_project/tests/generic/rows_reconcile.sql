{#- rows in = rows kept + rows rejected, for one staging registry.
    `model` is the kept model; rows in = sum(n_copies) of the checked table (every in-scope source
    row, exact duplicates counted), and on a national run (regions = []) also the row count of the
    landing file itself, so nothing can be lost between landing and staging. Returns the bad row. -#}
{% test rows_reconcile(model, checked, rejected, source_relation) %}

with rows_in as (
    select coalesce(sum(n_copies), 0) as n from {{ ref(checked) }}
),

landing as (
    select {% if var('regions') | length == 0 %}count(*){% else %}null::bigint{% endif %} as n
    from {{ source_relation }}
),

kept as (
    select count(*) as n from {{ model }}
),

rejected as (
    select count(*) as n from {{ ref(rejected) }}
)

select
    rows_in.n as rows_in,
    landing.n as rows_in_landing,
    kept.n as rows_kept,
    rejected.n as rows_rejected
from rows_in, landing, kept, rejected
where rows_in.n != kept.n + rejected.n
   or (landing.n is not null and landing.n != rows_in.n)

{% endtest %}
