-- Kept (valid, de-duplicated) rows of the vehicles extract.
{{ kept_rows('stg_vehicles__checked') }}
