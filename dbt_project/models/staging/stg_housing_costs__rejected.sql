-- Every rejected row of the housing_costs extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_housing_costs__checked') }}
