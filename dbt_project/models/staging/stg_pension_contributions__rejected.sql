-- Every rejected row of the pension_contributions extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_pension_contributions__checked') }}
