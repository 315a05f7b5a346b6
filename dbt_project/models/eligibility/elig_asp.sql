-- asp: the candidates (elig_candidates_asp.sql: every rule of the service but the level) of an
-- allowed wellbeing level (allowed_levels of the rule in force).
{{ elig_level_filtered('asp') }}
