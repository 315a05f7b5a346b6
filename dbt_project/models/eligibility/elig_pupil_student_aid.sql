-- pupil_student_aid: the candidates (elig_candidates_pupil_student_aid.sql: every rule of the service but the level) of an
-- allowed wellbeing level (allowed_levels of the rule in force).
{{ elig_level_filtered('pupil_student_aid') }}
