-- Every rejected row of the pensions_benefits extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_pensions_benefits__checked') }}
