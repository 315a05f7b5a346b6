-- Every rejected row of the family_links extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_family_links__checked') }}
