-- Every rejected row of the business_registry extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_business_registry__checked') }}
