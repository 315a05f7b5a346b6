-- Every published reference of every version a payment system answered, with its outcome, or
-- 'missing' when the file has no kept line for it (absent, or only in rejected lines).
with

published as (
    select * from {{ source('payments', 'published_references') }}
),

kept as (
    select * from {{ ref('stg_payment_outcomes') }}
)

select
    published.period,
    published.region,
    published.version,
    published.service,
    published.reference_id,
    published.family_id,
    published.recipient_iin,
    published.beneficiary_iin,
    published.amount_kzt,
    coalesce(kept.outcome, 'missing') as status,
    kept.reason_code,
    kept.reported_at
from published
left join kept
    on
        kept.period = published.period
        and kept.region = published.region
        and kept.version = published.version
        and kept.reference_id = published.reference_id
