-- Kept (valid, de-duplicated) rows of the land_plots extract.
{{ kept_rows('stg_land_plots__checked') }}
