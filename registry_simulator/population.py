"""Families and people of one region: composition, ages, sex, addresses and unique valid IINs.

Everything is vectorised over the region (a few arrays of a couple of million entries at most);
the registries are then built family-chunk by family-chunk (:mod:`registry_simulator.chunk`, :mod:`registry_simulator.registries`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kz_domain.iin import INVALID, check_digits

from .geography import REGION_BY_PREFIX, REGION_INDEX, classifier
from .iin import int_to_digits

ROLES = ("head", "spouse", "child", "parent", "sibling", "other")
HEAD, SPOUSE, CHILD, PARENT, SIBLING, OTHER = range(6)
DAYS_PER_YEAR = 365.25
ANNUAL_MORTALITY = 0.0065  # deaths per person-year; the deceased stay in the civil registry
SERIAL_BLOCK = 500  # IIN serials per region: region i owns serials [500 i, 500 i + 500)
SERIAL_PAIRS = SERIAL_BLOCK // 2
#: Date the living population is drawn against (2026-01-01, the statistics' date), as days since 1970.
POPULATION_ANCHOR_DAYS = 20454


@dataclass
class RegionPopulation:
    """Families (index f) and people (index p) of one region; members of a family are contiguous."""

    prefix: int
    # Families.
    fam_first: np.ndarray  # int64, index of the family's first member (the head)
    fam_size: np.ndarray  # int32
    fam_kato: np.ndarray  # int32, index into geography.classifier(prefix)
    fam_registration: np.ndarray  # int32 days
    # People: living family members first (family by family), then the deceased.
    birth: np.ndarray  # int32 days
    male: np.ndarray  # bool
    age: np.ndarray  # int16 completed years on the reference date
    fam: np.ndarray  # int32 family index, -1 for the deceased
    role: np.ndarray  # int8, index into ROLES
    death: np.ndarray  # int32 days, -1 when alive
    iin_digits: np.ndarray  # uint8 (n, 12)

    @property
    def n_families(self) -> int:
        return len(self.fam_size)

    @property
    def n_members(self) -> int:
        return int(self.fam_size.sum())


def _family_sizes(rng: np.random.Generator, n: int, rural: np.ndarray, size_factor: float) -> np.ndarray:
    # One-person households are a fifth of the total in towns; rural families are larger.
    p_single = np.where(rural, 0.15, 0.21) / size_factor
    lam = np.where(rural, 1.95, 1.6) * size_factor
    sizes = np.where(rng.random(n) < p_single, 1, 2 + rng.poisson(lam))
    return np.minimum(sizes, 12).astype(np.int32)


def _roles(rng: np.random.Generator, pos: np.ndarray) -> np.ndarray:
    u = rng.random(len(pos))
    second = np.select([u < 0.78, u < 0.955, u < 0.985, u < 0.993], [SPOUSE, CHILD, PARENT, SIBLING], OTHER)
    later = np.select([u < 0.88, u < 0.95, u < 0.97], [CHILD, PARENT, SIBLING], OTHER)
    return np.where(pos == 0, HEAD, np.where(pos == 1, second, later)).astype(np.int8)


def _ages_and_sex(rng, fam, pos, role, fam_first, fam_size):
    """Ages (years, float) and sex of every member, consistent within the family."""
    n = len(fam)
    heads = fam_first
    single = fam_size == 1
    n_fam = len(fam_size)
    young_single = rng.random(n_fam) < 0.45
    head_age = np.where(
        single,
        np.where(young_single, rng.uniform(18, 36, n_fam), 58 + rng.gamma(2.0, 7.0, n_fam)),
        20 + rng.gamma(4.0, 5.5, n_fam),
    )
    head_age = np.clip(head_age, 18, 97)
    has_spouse = np.zeros(n_fam, bool)
    spouse_rows = role == SPOUSE
    has_spouse[fam[spouse_rows]] = True
    p_head_male = np.where(has_spouse, 0.88, np.where(single, np.where(young_single, 0.55, 0.30), 0.30))
    head_male = rng.random(n_fam) < p_head_male
    gap = rng.normal(2.5, 3.0, n_fam)
    spouse_age = np.clip(head_age + np.where(head_male, -gap, gap), 18, 99)
    mother_age = np.where(has_spouse & head_male, spouse_age, head_age)

    age = np.empty(n)
    male = np.empty(n, bool)
    age[heads] = head_age
    male[heads] = head_male
    age[spouse_rows] = spouse_age[fam[spouse_rows]]
    male[spouse_rows] = ~head_male[fam[spouse_rows]]

    child = role == CHILD
    ref = mother_age[fam[child]]
    child_age = ref - (20 + rng.gamma(2.5, 3.6, child.sum()))
    too_young = child_age < 0
    child_age[too_young] = rng.uniform(0, 1, too_young.sum()) * np.maximum(ref[too_young] - 17, 1)
    age[child] = child_age
    male[child] = rng.random(child.sum()) < 0.513

    parent = role == PARENT
    age[parent] = np.clip(head_age[fam[parent]] + 23 + rng.gamma(2.0, 2.5, parent.sum()), 40, 100)
    male[parent] = rng.random(parent.sum()) < 0.28
    sibling = role == SIBLING
    age[sibling] = np.clip(head_age[fam[sibling]] + rng.normal(0, 6, sibling.sum()), 0, 99)
    male[sibling] = rng.random(sibling.sum()) < 0.5
    other = role == OTHER
    age[other] = rng.uniform(0, 80, other.sum())
    male[other] = rng.random(other.sum()) < 0.5
    return age, male


def _assign_iins(rng: np.random.Generator, birth: np.ndarray, male: np.ndarray, region_idx: int):
    """Unique valid IINs; birth dates may move by a day when a (date, sex) group is over-full."""
    perm = rng.permutation(SERIAL_PAIRS)
    birth = birth.copy()
    while True:
        dates = birth.astype("datetime64[D]")
        year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
        century_sex = 2 * ((year // 100) - 18) + np.where(male, 1, 2)
        key = birth.astype(np.int64) * 8 + century_sex
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
        group_start = np.repeat(starts, np.diff(np.r_[starts, len(key)]))
        rank = np.empty(len(key), np.int64)
        rank[order] = np.arange(len(key)) - group_start
        overflow = rank >= SERIAL_PAIRS
        if not overflow.any():
            break
        birth[overflow] -= 1  # over-full group: born a day earlier (only at scales far above 1)
    serial = region_idx * SERIAL_BLOCK + 2 * perm[rank]
    digits = np.concatenate(
        [
            int_to_digits(year % 100, 2),
            int_to_digits(month, 2),
            int_to_digits(day, 2),
            int_to_digits(century_sex, 1),
            int_to_digits(serial, 4),
            np.zeros((len(key), 1), np.uint8),
        ],
        axis=1,
    )
    check = check_digits(digits[:, :11])
    bad = check == INVALID
    # Even serial invalid -> the odd neighbour is valid: its last digit has weight 11 (= 0 mod 11)
    # in the first weighting, so that sum stays 10, and weight 2 in the fallback, which leaves 10.
    digits[bad, 10] += 1
    check[bad] = check_digits(digits[bad, :11])
    assert (check != INVALID).all()
    digits[:, 11] = check
    return digits, birth


def build_region(prefix: int, scale: float, ref_days: int, rng: np.random.Generator) -> RegionPopulation:
    """Families and people of one region at the given scale (deterministic for the generator)."""
    region = REGION_BY_PREFIX[prefix]
    target = max(int(round(region.population * scale)), 1)
    kato = classifier(prefix)
    # Draw more families than needed (the mean size is above 2.5 everywhere), then cut at the target.
    guess = int(target / 2.0) + 64
    fam_kato = rng.choice(len(kato.codes), size=guess, p=kato.weight).astype(np.int32)
    sizes = _family_sizes(rng, guess, kato.settlement_type[fam_kato] >= 4, region.family_size_factor)
    if sizes.sum() < target:
        raise RuntimeError("family size draw fell short of the target population")
    ends = np.cumsum(sizes)
    n_fam = int(np.searchsorted(ends, target)) + 1
    sizes = sizes[:n_fam]
    sizes[-1] -= int(ends[n_fam - 1] - target)
    fam_kato = fam_kato[:n_fam]
    fam_first = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)

    fam = np.repeat(np.arange(n_fam, dtype=np.int32), sizes)
    pos = np.arange(target) - fam_first[fam]
    role = _roles(rng, pos)
    age, male = _ages_and_sex(rng, fam, pos, role, fam_first, sizes)

    n_dead = int(rng.binomial(target, ANNUAL_MORTALITY))
    dead_age = np.where(
        rng.random(n_dead) < 0.8,
        np.clip(52 + rng.gamma(3.0, 7.0, n_dead), 0, 100),
        rng.uniform(0, 60, n_dead),
    )
    death = rng.integers(ref_days - 365, ref_days - 1, n_dead).astype(np.int32)
    dead_male = rng.random(n_dead) < 0.53

    age_all = np.r_[age, dead_age]
    # The living are drawn against a fixed date, not the period, so the same seed gives the same
    # people (IINs, birth dates, families) every month and ages simply advance. Babies "born" after
    # an earlier period's reference date are moved to just before it.
    anchor = np.r_[np.full(target, POPULATION_ANCHOR_DAYS), death]
    birth = (anchor - (age_all + rng.random(len(age_all)) * 0.999) * DAYS_PER_YEAR).astype(np.int64)
    limit = np.r_[np.full(target, ref_days), death] - 1
    birth = np.where(birth > limit, limit - (birth - limit) % 300, birth).astype(np.int32)
    male_all = np.r_[male, dead_male]
    digits, birth = _assign_iins(rng, birth, male_all, REGION_INDEX[prefix])
    completed = np.floor((ref_days - birth) / DAYS_PER_YEAR).astype(np.int16)

    registration = POPULATION_ANCHOR_DAYS - rng.integers(-300, 6 * 365, n_fam)
    registration = np.maximum(registration, birth[fam_first] + int(18 * DAYS_PER_YEAR))
    registration = np.minimum(registration, ref_days - 1).astype(np.int32)
    return RegionPopulation(
        prefix=prefix,
        fam_first=fam_first,
        fam_size=sizes.astype(np.int32),
        fam_kato=fam_kato,
        fam_registration=registration,
        birth=birth,
        male=male_all,
        age=completed,
        fam=np.r_[fam, np.full(n_dead, -1, np.int32)],
        role=np.r_[role, np.full(n_dead, OTHER, np.int8)],
        death=np.r_[np.full(target, -1, np.int32), death],
        iin_digits=digits,
    )
