-- Every rejected row of the livestock extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_livestock__checked') }}
