-- Every rejected row of the credit_bureau extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_credit_bureau__checked') }}
