-- Kept (valid, de-duplicated) rows of the housing_costs extract.
{{ kept_rows('stg_housing_costs__checked') }}
