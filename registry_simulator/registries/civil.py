"""The civil registry and the digital family card."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from registry_simulator.chunk import Step
from registry_simulator.columns import NO_DATE, categories, dates
from registry_simulator.population import ROLES


def population(s: Step) -> None:
    n, nd = s.n, s.nd
    host = s.stream("population").integers(0, s.nf, nd)  # the deceased keep their last registered address
    fam = np.r_[s.fam, host]
    s.tables["population"] = {
        "iin": s.iin(np.arange(n + nd)),
        "birth_date": dates(np.r_[s.birth, s.dead_birth]),
        "sex": categories(("F", "M"), np.r_[s.male, s.dead_male].astype(np.int8)),
        "death_date": dates(np.r_[np.full(n, NO_DATE, np.int32), s.dead_death]),
        "address_kato": pa.array(s.fam_kato[fam], pa.string()),
        "settlement_type": pa.array(s.fam_settlement[fam], pa.int8()),
        "dwelling_id": s.dwelling_ids(fam),
    }


def families(s: Step) -> None:
    s.tables["families"] = {
        "family_id": pa.array(s.family_id),
        "registration_date": dates(s.fam_registration),
        "address_kato": pa.array(s.fam_kato, pa.string()),
    }
    registration = s.fam_registration[s.fam]
    born_later = s.birth > registration
    link = np.where(born_later, s.birth + s.stream("families").integers(0, 30, s.n), registration)
    s.tables["family_links"] = {
        "family_id": pa.array(s.family_id[s.fam]),
        "iin": s.iin(np.arange(s.n)),
        "role": categories(ROLES, s.role),
        "link_date": dates(np.minimum(link, s.ref - 1)),
    }
