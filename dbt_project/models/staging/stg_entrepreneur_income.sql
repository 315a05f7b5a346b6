-- Kept (valid, de-duplicated) rows of the entrepreneur_income extract.
{{ kept_rows('stg_entrepreneur_income__checked') }}
