-- Kept (valid, de-duplicated) rows of the disability extract.
{{ kept_rows('stg_disability__checked') }}
