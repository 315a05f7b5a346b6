-- The outcome lines rejected, each with its reason and line number (no personal data: a
-- payment operator finds the line in the file).
with

checked as (
    select * from {{ ref('stg_payment_outcomes__checked') }}
)

select
    period,
    region,
    version,
    file_sha256,
    line_number,
    reference_id,
    outcome,
    reject_reason
from checked
where reject_reason is not null
