-- Kept (valid, de-duplicated) rows of the real_estate extract.
{{ kept_rows('stg_real_estate__checked') }}
