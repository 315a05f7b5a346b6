-- What the payment systems reported in earlier months that the run's list must show (column
-- payment_flags of eligibility_list; docs/publication.md, "Payment flags"):
--   recipient_deceased  a payment of an earlier month came back recipient_deceased: every row
--                       whose recipient is that person is flagged (a caseworker names another);
--   repeated_rejection  the same payment (service, family, beneficiary) was rejected or returned
--                       in each of the var('repeated_rejection_months') months before the run's.
-- Reads payment_reconciliation when it exists (no outcome was ever received: no flag).
-- depends_on: {{ ref('payment_reconciliation') }}, {{ ref('payment_outcomes') }}
{%- set reconciled = load_relation(ref('payment_reconciliation')) if execute else none %}
{%- set months = var('repeated_rejection_months') | int %}

{%- if reconciled is not none %}
with

reconciled as (
    select reconciliation.*
    from {{ ref('payment_reconciliation') }} as reconciliation
    where
        reconciliation.period < {{ period_literal() }}
        {%- if elig_regions() | length > 0 %}
            and reconciliation.region in ({% for r in elig_regions() %}'{{ r }}'{{ ', ' if not loop.last }}{% endfor %})
        {%- endif %}
),

outcome_codes as (
    select * from {{ ref('payment_outcomes') }}
),

deceased as (
    select
        'recipient_deceased' as flag,
        cast(null as varchar) as service,
        cast(null as bigint) as family_id,
        cast(null as varchar) as beneficiary_key,
        recipient_iin,
        min(period) as first_reported_period
    from reconciled
    where status = 'recipient_deceased'
    group by recipient_iin
),

rejections as (
    select
        'repeated_rejection' as flag,
        reconciled.service,
        reconciled.family_id,
        coalesce(reconciled.beneficiary_iin, '') as beneficiary_key,
        cast(null as varchar) as recipient_iin,
        min(reconciled.period) as first_reported_period
    from reconciled
    join outcome_codes on outcome_codes.outcome = reconciled.status
    where
        outcome_codes.counts_as_rejection
        and reconciled.period >= strftime({{ months_before_reference(months) }}, '%Y-%m')
    group by reconciled.service, reconciled.family_id, coalesce(reconciled.beneficiary_iin, '')
    having count(distinct reconciled.period) >= {{ months }}
)

select * from deceased
union all
select * from rejections
{%- else %}
    select
        cast(null as varchar) as flag,
        cast(null as varchar) as service,
        cast(null as bigint) as family_id,
        cast(null as varchar) as beneficiary_key,
        cast(null as varchar) as recipient_iin,
        cast(null as varchar) as first_reported_period
    where false
{%- endif %}
