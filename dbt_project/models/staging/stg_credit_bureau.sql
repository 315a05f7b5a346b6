-- Kept (valid, de-duplicated) rows of the credit_bureau extract.
{{ kept_rows('stg_credit_bureau__checked') }}
