-- Every rejected row of the disability extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_disability__checked') }}
