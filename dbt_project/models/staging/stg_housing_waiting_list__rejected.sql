-- Every rejected row of the housing_waiting_list extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_housing_waiting_list__checked') }}
