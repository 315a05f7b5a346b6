-- Every service rule version of every region, in one table (the columns all rules share).
-- Read by the list's tests (funding of each listed row) and by eligibility_summary.
{%- set services = elig_services() %}
{% for service in services %}
    select
        '{{ service }}' as service,
        region,
        rule_version,
        valid_from,
        funding,
        allowed_levels,
        note
    from {{ ref(service) }}
    {{ 'union all' if not loop.last }}
{%- endfor %}
