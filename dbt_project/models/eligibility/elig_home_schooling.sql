-- home_schooling: the candidates (elig_candidates_home_schooling.sql: every rule of the service but the level) of an
-- allowed wellbeing level (allowed_levels of the rule in force).
{{ elig_level_filtered('home_schooling') }}
