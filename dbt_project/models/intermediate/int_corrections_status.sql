-- What became of every correction in force this period, against what the registry says now,
-- with the family it concerns and that family's region (the regional corrections report):
--   applied  the registry still differs from the corrected value: the overlay changes its rows;
--   lapsed   the registry now agrees with the correction (every row it names holds the corrected
--            value, or none is left when the correction removes the subject; for a membership
--            change, the family card now lists the person, or no longer does): nothing to apply;
--   flagged  applied, but the registry's extract is dated after the evidence and says something
--            else than it said when the correction was filed: a caseworker reviews it (warn test).
-- depends_on: {{ ref('stg_corrections__in_force') }}
{%- for registry in var('landing_registries') %}
-- depends_on: {{ ref('stg_' ~ registry ~ '__checked') }}
{%- endfor %}
{%- set registries = [] %}
{%- if execute and flags.WHICH in ('build', 'run') %}
    {%- set found = run_query("select distinct registry from " ~ ref('stg_corrections__in_force') ~ " where kind = 'registry_value' order by 1") %}
    {%- set registries = found.columns[0].values() | list %}
{%- endif %}

with corrections as (
    select * from {{ ref('stg_corrections__in_force') }}
    where kind = 'registry_value'
),

memberships as (
    select * from {{ ref('stg_corrections__in_force') }}
    where kind = 'membership'
),

registry_links as (
    -- one row per (card, person): a card may list a person twice (another role or date)
    select distinct
        family_id,
        iin
    from {{ ref('stg_family_links__checked') }}
    where reason_code is null
),

members as (
    select
        family_id,
        iin
    from {{ ref('int_family_members') }}
),

families as (
    select
        family_id,
        region_kato
    from {{ ref('int_families') }}
),

registry_now as (
    {%- for registry in registries %}
        {%- set subject = var('subject_columns').get(registry) %}
        {%- set key = var('record_keys').get(registry) %}
        {%- set columns = corrected_columns(registry) %}
        select
            corrections.correction_id,
            count(checked.extract_as_of) as rows_named,
            max(checked.extract_as_of) as registry_as_of,
            bool_and(case corrections.column_name
                {%- for column in columns %}
                when '{{ column }}' then cast(checked.{{ column }} as varchar) is not distinct from corrections.corrected_value
                {%- endfor %}
            end) as registry_agrees,
            bool_or(case corrections.column_name
                {%- for column in columns %}
                when '{{ column }}' then cast(checked.{{ column }} as varchar) is distinct from corrections.registry_value
                {%- endfor %}
            end) as registry_changed
        from corrections
        left join {{ ref('stg_' ~ registry ~ '__checked') }} as checked
            on checked.reason_code is null
            -- a correction of whose row it is names the row by its key: the registry may have moved it
            and {% if subject %}(checked.{{ subject }} = corrections.subject_iin
                or (corrections.column_name = '{{ subject }}' and corrections.record_key is not null)){% else %}true{% endif %}
            and (corrections.record_key is null {%- if key %} or corrections.record_key = cast(checked.{{ key }} as varchar){% endif %})
        where corrections.registry = '{{ registry }}'
        group by corrections.correction_id
        {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if registries | length == 0 %}
        select
            cast(null as varchar) as correction_id,
            cast(null as bigint) as rows_named,
            cast(null as date) as registry_as_of,
            cast(null as boolean) as registry_agrees,
            cast(null as boolean) as registry_changed
        where false
    {%- endif %}
),

statuses as (
    select
        corrections.correction_id,
        corrections.kind,
        corrections.subject_iin,
        cast(null as bigint) as family_id,
        corrections.registry,
        corrections.column_name,
        corrections.record_key,
        corrections.evidence_date,
        registry_now.registry_as_of,
        registry_now.rows_named,
        case
            when registry_now.rows_named = 0 and corrections.corrected_value is null then 'lapsed'
            when registry_now.rows_named > 0 and registry_now.registry_agrees then 'lapsed'
            when registry_now.registry_as_of > corrections.evidence_date and registry_now.registry_changed then 'flagged'
            else 'applied'
        end as status
    from corrections
    left join registry_now on corrections.correction_id = registry_now.correction_id
    union all
    select
        memberships.correction_id,
        memberships.kind,
        memberships.subject_iin,
        memberships.family_id,
        'family_links' as registry,
        cast(null as varchar) as column_name,
        cast(null as varchar) as record_key,
        memberships.evidence_date,
        cast(null as date) as registry_as_of,
        cast(null as bigint) as rows_named,
        case
            when (registry_links.iin is not null) = (memberships.change = 'joins_family') then 'lapsed'
            else 'applied'
        end as status
    from memberships
    left join registry_links
        on registry_links.family_id = memberships.family_id and registry_links.iin = memberships.subject_iin
)

select
    statuses.correction_id,
    statuses.kind,
    coalesce(statuses.family_id, members.family_id) as family_id,
    families.region_kato,
    statuses.registry,
    statuses.column_name,
    statuses.record_key,
    statuses.evidence_date,
    statuses.registry_as_of,
    statuses.rows_named,
    statuses.status,
    {{ period_literal() }} as period
from statuses
left join members on statuses.family_id is null and members.iin = statuses.subject_iin
left join families on families.family_id = coalesce(statuses.family_id, members.family_id)
