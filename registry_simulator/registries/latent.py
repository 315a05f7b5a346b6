"""The latent attributes no registry shows directly: disability, study, employment, income, tenure."""

from __future__ import annotations

import numpy as np

from registry_simulator.chunk import Step
from registry_simulator.constants import (
    ANCHOR_DAYS,
    FORMAL,
    INFORMAL,
    NOT_WORKING,
    OWN,
    RENT_PRIVATE,
    SOLE_TRADER,
    WITH_RELATIVES,
)
from registry_simulator.population import HEAD


def attributes(s: Step) -> None:
    """Disability, study, employment and incomes of every living member (latent, not a registry)."""
    rng, n, age, male = s.stream("attributes"), s.n, s.age, s.male
    s.pension_age = np.where(male, 63, 61)
    s.adult = age >= 18
    s.pensioner = age >= s.pension_age
    s.working_age = s.adult & ~s.pensioner

    p_dis = np.select([age < 18, age < 40, age < 60], [0.016, 0.028, 0.062], 0.10)
    s.disabled = rng.random(n) < p_dis
    adult_group = np.searchsorted([0.12, 0.57], rng.random(n))  # I 12%, II 45%, III 43%
    s.dis_group = np.where(age < 18, 3, adult_group)
    s.dis_expired = s.disabled & (rng.random(n) < 0.03)  # review date passed, not renewed
    # Assigned before the anchor; a certificate assigned on or after the reference date is not yet.
    s.dis_assigned = s.days_between(
        np.maximum(s.birth + 60, ANCHOR_DAYS - 15 * 365), ANCHOR_DAYS - 20, rng.random(n)
    )
    s.disabled &= s.dis_assigned < s.ref
    s.dis_expired &= s.disabled
    s.dis_valid = s.disabled & ~s.dis_expired
    s.g12 = s.dis_valid & (s.dis_group <= 1)

    u = rng.random(n)
    s.university_ft = (age >= 17) & (age <= 22) & (u < 0.33)
    s.college_ft = (age >= 15) & (age <= 19) & (u >= 0.33) & (u < 0.50)
    s.full_time_student = s.university_ft | s.college_ft
    s.able = s.working_age & ~s.g12 & ~s.full_time_student

    p_work = np.where(s.able, np.where(male, 0.80, 0.66), 0.0)
    p_work = np.where(s.pensioner & (age < 75), 0.12, p_work)
    p_work = np.where(s.g12 & s.working_age, 0.10, p_work)
    works = rng.random(n) < p_work
    kind = np.searchsorted([0.62, 0.92], rng.random(n)) + 1  # formal 62%, informal 30%, sole trader 8%
    s.employment = np.where(works, np.where(s.able, kind, FORMAL), NOT_WORKING)

    wf = s.region.wage_factor
    sex_factor = np.where(male, 1.12, 0.88)
    s.wage = np.maximum(np.exp(rng.normal(np.log(310_000 * wf), 0.55, n)) * sex_factor, 85_000)
    s.informal_income = np.where(
        s.employment == INFORMAL, np.exp(rng.normal(np.log(170_000 * wf), 0.6, n)), 0.0
    )
    s.trader_income = np.where(
        s.employment == SOLE_TRADER, np.exp(rng.normal(np.log(330_000 * wf), 0.8, n)), 0.0
    )
    # Sole traders: 30% declare nothing; the rest declare part of what they earn.
    declares = rng.random(n) >= 0.30
    s.declared_share = np.where(declares, rng.uniform(0.5, 1.0, n), 0.0)
    # A fifth of informal workers hold a dormant sole-trader registration (zero declared income).
    s.dormant_trader = (s.employment == INFORMAL) & (rng.random(n) < 0.20)
    s.sole_trader = (s.employment == SOLE_TRADER) | s.dormant_trader
    s.orphan = (age >= 18) & (age < 29) & (s.role == HEAD) & (rng.random(n) < 0.03)


def tenure(s: Step) -> None:
    """How each family lives: owned, rented privately or from the state, or with relatives."""
    rng, nf = s.stream("tenure"), s.nf
    settlement = s.fam_settlement
    probs = np.where(
        settlement[:, None] == 1,
        [[0.71, 0.21, 0.03, 0.05]],
        np.where(s.fam_rural[:, None], [[0.90, 0.03, 0.02, 0.05]], [[0.80, 0.12, 0.03, 0.05]]),
    )
    s.tenure_kind = (rng.random(nf)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    own = s.tenure_kind == OWN
    # Families with relatives live in another (owning) family's dwelling of the same chunk.
    owners = np.flatnonzero(own)
    host = owners[rng.integers(0, max(len(owners), 1), nf)] if len(owners) else np.arange(nf)
    s.dwelling_fam = np.where(s.tenure_kind == WITH_RELATIVES, host, np.arange(nf))
    s.dwelling_kind = np.where(s.tenure_kind == WITH_RELATIVES, OWN, s.tenure_kind)
    s.dwelling_kind = np.where(
        s.tenure_kind == WITH_RELATIVES, np.where(own[host], OWN, RENT_PRIVATE), s.dwelling_kind
    )
    apartment = settlement <= 2
    median_area = np.where(apartment, 58.0, np.where(settlement == 3, 70.0, 85.0))
    s.dwelling_area = np.round(
        median_area * np.exp(rng.normal(0, 0.33, nf)) * (1 + 0.05 * (s.fam_size - 3)).clip(0.8, 1.4), 1
    )
