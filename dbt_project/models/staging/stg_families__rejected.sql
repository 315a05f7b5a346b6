-- Every rejected row of the families extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_families__checked') }}
