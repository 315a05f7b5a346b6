-- Kept (valid, de-duplicated) rows of the health extract.
{{ kept_rows('stg_health__checked') }}
