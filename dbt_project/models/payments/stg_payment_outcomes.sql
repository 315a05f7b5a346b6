-- The kept outcome lines: one per published reference of each answered version.
with

checked as (
    select * from {{ ref('stg_payment_outcomes__checked') }}
)

select
    period,
    region,
    version,
    reference_id,
    outcome,
    reason_code,
    amount_kzt,
    reported_at,
    line_number
from checked
where reject_reason is null
