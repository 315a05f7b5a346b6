-- Kept (valid, de-duplicated) rows of the business_registry extract.
{{ kept_rows('stg_business_registry__checked') }}
