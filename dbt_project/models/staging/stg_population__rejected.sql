-- Every rejected row of the population extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_population__checked') }}
