-- Every rejected row of the health extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_health__checked') }}
