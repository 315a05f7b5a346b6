-- Kept (valid, de-duplicated) rows of the livestock extract.
{{ kept_rows('stg_livestock__checked') }}
