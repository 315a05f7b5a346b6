-- Every rejected row of the education extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_education__checked') }}
