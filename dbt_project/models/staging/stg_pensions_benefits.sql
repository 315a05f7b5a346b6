-- Kept (valid, de-duplicated) rows of the pensions_benefits extract.
{{ kept_rows('stg_pensions_benefits__checked') }}
