-- Every rejected row of the entrepreneur_income extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_entrepreneur_income__checked') }}
