-- Kept (valid, de-duplicated) rows of the pension_contributions extract.
{{ kept_rows('stg_pension_contributions__checked') }}
