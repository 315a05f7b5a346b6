{{ config(materialized='table') }}
-- The corrections in force on the period's reference date: filed, approved and not withdrawn
-- since, effective_from on or before the reference date, valid_until after it. Registry values
-- (the registry's value at filing beside the corrected one) and family membership changes.
with events as (
    select * from {{ ref('stg_corrections') }}
),

filed as (
    select * from events
    where event = 'filed'
),

latest as (
    select
        correction_id,
        arg_max(event, seq) as state
    from events
    where event <> 'filed'
    group by correction_id
)

select
    filed.correction_id,
    filed.kind,
    filed.registry,
    filed.column_name,
    filed.subject_iin,
    filed.record_key,
    filed.registry_value,
    filed.corrected_value,
    filed.effective_from,
    filed.valid_until,
    filed.evidence_date,
    filed.family_id,
    filed.change,
    {{ period_literal() }} as period
from filed
inner join latest on filed.correction_id = latest.correction_id
where
    latest.state = 'approved'
    and filed.effective_from <= {{ reference_date() }}
    and (filed.valid_until is null or filed.valid_until > {{ reference_date() }})
