-- Every rejected row of the rent_contracts extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_rent_contracts__checked') }}
