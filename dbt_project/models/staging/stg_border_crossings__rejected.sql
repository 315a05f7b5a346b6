-- Every rejected row of the border_crossings extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_border_crossings__checked') }}
