-- Kept (valid, de-duplicated) rows of the border_crossings extract.
{{ kept_rows('stg_border_crossings__checked') }}
