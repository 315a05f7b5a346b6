-- Kept (valid, de-duplicated) rows of the population extract.
{{ kept_rows('stg_population__checked') }}
