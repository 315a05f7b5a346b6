-- Kept (valid, de-duplicated) rows of the families extract.
{{ kept_rows('stg_families__checked') }}
