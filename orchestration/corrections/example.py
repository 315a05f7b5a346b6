"""The example correction of `make demo` and the rescoring benchmark: a level-6 family (gate
G3_WEALTH: two dwellings and two cars) with children sold one of its cars three months before
the month; filed by one person and approved by another."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kz_domain.period import months_back, reference_date
from orchestration.corrections.store import Evidence, decide, file_registry_correction

_FAMILY_SQL = """
    select scores.family_id, members.iin, vehicles.vehicle_id
    from family_scores as scores
    join family_features as features using (family_id, period)
    join family_members as members using (family_id, period)
    join staging.stg_vehicles__checked as vehicles
        on vehicles.iin = members.iin and vehicles.reason_code is null and vehicles.vehicle_type = 'car'
    where scores.period = ? and scores.gate = 'G3_WEALTH' and features.n_cars = 2 and features.n_children > 0
    order by scores.score, scores.family_id, vehicles.vehicle_id
    limit 1
"""


def file_car_sale(connection, corrections_root: Path, period: str) -> tuple[str, int] | None:
    """File and approve the example correction for the month's first such family (lowest score);
    (correction id, family id), or None when the month has no such family."""
    found = connection.execute(_FAMILY_SQL, [period]).fetchone()
    if found is None:
        return None
    family_id, owner, vehicle_id = found
    sold_on: dt.date = reference_date(months_back(period, 3))
    cid = file_registry_correction(
        corrections_root, subject_iin=owner, registry="vehicles", column="iin", record_key=vehicle_id,
        registry_value=owner, corrected_value=None, evidence=Evidence("sale_contract", "example", sold_on.isoformat()),
        requested_by="example.caseworker", effective_from=sold_on.isoformat(), reason="example: one car was sold",
    )  # fmt: skip
    decide(corrections_root, cid, "approved", "example.supervisor")
    return cid, int(family_id)
