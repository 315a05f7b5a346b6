-- Every received outcome line, checked against the contract (seeds/payment_outcomes) and what
-- its version published, with the first reason to reject it (null: kept). Rows in =
-- stg_payment_outcomes (kept) + stg_payment_outcomes__rejected: nothing is dropped.
{{ config(materialized='table') }}

with

received as (
    select * from {{ source('payments', 'outcomes_received') }}
),

published as (
    select * from {{ source('payments', 'published_references') }}
),

outcome_codes as (
    select * from {{ ref('payment_outcomes') }}
),

published_versions as (
    select distinct
        period,
        region,
        version
    from published
),

typed as (
    select
        received.*,
        try_cast(received.amount_kzt as decimal(18, 2)) as amount,
        count(*) over (
            partition by received.period, received.region, received.version, received.reference_id
        ) as copies
    from received
),

checked as (
    select
        typed.period,
        typed.region,
        typed.version,
        typed.file_sha256,
        typed.received_at,
        typed.line_number,
        typed.reference_id,
        typed.outcome,
        typed.reason_code,
        typed.amount as amount_kzt,
        typed.reported_at,
        published.service,
        published.family_id,
        published.recipient_iin,
        published.beneficiary_iin,
        published.amount_kzt as published_amount_kzt,
        case
            when typed.malformed then 'MALFORMED_LINE'
            when published_versions.version is null then 'UNKNOWN_VERSION'
            when typed.reference_id is null then 'MISSING_REFERENCE'
            when published.reference_id is null then 'UNKNOWN_REFERENCE'
            when typed.copies > 1 then 'DUPLICATE_REFERENCE'
            when outcome_codes.outcome is null then 'INVALID_OUTCOME'
            when outcome_codes.needs_reason_code and typed.reason_code is null then 'MISSING_REASON_CODE'
            when typed.amount is null then 'INVALID_AMOUNT'
            when typed.amount != published.amount_kzt then 'AMOUNT_DIFFERS'
        end as reject_reason
    from typed
    left join published_versions
        on
            published_versions.period = typed.period
            and published_versions.region = typed.region
            and published_versions.version = typed.version
    left join published
        on
            published.period = typed.period
            and published.region = typed.region
            and published.version = typed.version
            and published.reference_id = typed.reference_id
    left join outcome_codes on outcome_codes.outcome = typed.outcome
)

select * from checked
