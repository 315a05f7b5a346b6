-- Kept (valid, de-duplicated) rows of the housing_waiting_list extract.
{{ kept_rows('stg_housing_waiting_list__checked') }}
