-- Every rejected row of the real_estate extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_real_estate__checked') }}
