-- Kept (valid, de-duplicated) rows of the rent_contracts extract.
{{ kept_rows('stg_rent_contracts__checked') }}
