-- Every rejected row of the land_plots extract, once per source copy, with its reason_code.
{{ rejected_rows('stg_land_plots__checked') }}
