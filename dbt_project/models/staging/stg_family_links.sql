-- Kept (valid, de-duplicated) rows of the family_links extract.
{{ kept_rows('stg_family_links__checked') }}
