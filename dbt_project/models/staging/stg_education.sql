-- Kept (valid, de-duplicated) rows of the education extract.
{{ kept_rows('stg_education__checked') }}
