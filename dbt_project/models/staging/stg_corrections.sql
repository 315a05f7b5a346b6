-- Every event of the corrections log (orchestration/corrections/store.py), one row each: filed
-- corrections with their fields, and the decisions on them, up to the event the run pinned
-- (env DBT_CORRECTIONS_THROUGH_SEQ, set by the month's landing pin; unset: every event). Empty
-- while no correction was filed. A table: what the month applied stays fixed after the run,
-- whatever is decided since.
{{ config(materialized='table') }}
{%- set log = corrections_log() | replace("'", "''") %}
{%- set through_seq = env_var('DBT_CORRECTIONS_THROUGH_SEQ', '') if execute else '' %}
{%- if through_seq and not modules.re.fullmatch('[0-9]{1,12}', through_seq) %}
  {{ exceptions.raise_compiler_error("DBT_CORRECTIONS_THROUGH_SEQ must be an event number of the corrections log") }}
{%- endif %}
{%- set present = execute and (run_query("select count(*) from glob('" ~ log ~ "')").columns[0].values()[0] > 0) %}

{%- if present %}
select
    correction_id,
    event,
    kind,
    subject_iin,
    registry,
    "column" as column_name,
    record_key,
    registry_value,
    corrected_value,
    family_id,
    change,
    effective_from,
    valid_until,
    evidence.date as evidence_date,
    "by" as decided_by,
    "at" as recorded_at,
    seq
from read_json(
    '{{ log }}',
    format = 'newline_delimited',
    columns = {
        correction_id: 'varchar', event: 'varchar', kind: 'varchar', subject_iin: 'varchar',
        registry: 'varchar', "column": 'varchar', record_key: 'varchar', registry_value: 'varchar',
        corrected_value: 'varchar', family_id: 'bigint', change: 'varchar', effective_from: 'date',
        valid_until: 'date', evidence: 'struct(document_type varchar, reference varchar, date date)',
        "by": 'varchar', "at": 'timestamptz', reason: 'varchar', schema_version: 'integer',
        seq: 'bigint'
    },
    -- a last line cut short by a crash was never acknowledged: not an event (store.read_events)
    ignore_errors = true
)
{%- if through_seq %}
where seq <= {{ through_seq }}
{%- endif %}
{%- else %}
    select
        cast(null as varchar) as correction_id,
        cast(null as varchar) as event,
        cast(null as varchar) as kind,
        cast(null as varchar) as subject_iin,
        cast(null as varchar) as registry,
        cast(null as varchar) as column_name,
        cast(null as varchar) as record_key,
        cast(null as varchar) as registry_value,
        cast(null as varchar) as corrected_value,
        cast(null as bigint) as family_id,
        cast(null as varchar) as change,
        cast(null as date) as effective_from,
        cast(null as date) as valid_until,
        cast(null as date) as evidence_date,
        cast(null as varchar) as decided_by,
        cast(null as timestamptz) as recorded_at,
        cast(null as bigint) as seq
    where false
{%- endif %}
