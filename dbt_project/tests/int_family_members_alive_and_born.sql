-- Every family member is a valid person of int_persons, born and alive on the reference date
-- (int_family_links__resolved sets DECEASED / NOT_BORN_ON_REFERENCE_DATE / UNKNOWN_PERSON links aside).
select members.family_id, members.iin
from {{ ref('int_family_members') }} as members
left join {{ ref('int_persons') }} as persons on persons.iin = members.iin
where persons.iin is null or not (persons.is_alive and persons.is_born)
