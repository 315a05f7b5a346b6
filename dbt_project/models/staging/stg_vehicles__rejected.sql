-- Every rejected row of the vehicles extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_vehicles__checked') }}
