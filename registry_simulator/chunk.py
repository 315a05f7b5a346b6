"""One chunk of a region's families: its latent population (immutable) and the steps that
derive its registries from it.

A chunk is a contiguous range of a region's families (members are contiguous too). All work is
vectorised numpy; a person is an integer index into the chunk's arrays and becomes an IIN string
only when a column is built.

Each registry is a function of a :class:`Step`: the chunk's :class:`ChunkPopulation`, the facts
the earlier steps derived (read only), and the step's own random stream. It returns its columns
in ``step.tables`` and the facts it derives (``step.<name> = ...``) for the steps after it. A fact is
derived by one step only, the population is never written, and a step that reads a fact no earlier
step derived fails by name: the order of the steps in :data:`registry_simulator.registries.STEPS`
is the whole data flow.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa

from kz_domain.iin import check_digits
from registry_simulator.columns import add_years, coded_ids
from registry_simulator.constants import ANCHOR_DAYS, FORMAL
from registry_simulator.geography import REGION_BY_PREFIX, classifier
from registry_simulator.iin import digits_to_arrow, int_to_digits
from registry_simulator.period import Period, mrp, subsistence_minimum
from registry_simulator.population import SPOUSE, RegionPopulation


def month_key(day: int) -> int:
    """Calendar month of a day number as months since 1970-01 (a stream key)."""
    return int(np.datetime64(int(day), "D").astype("datetime64[M]").astype(np.int64))


def month_start_days(key: int) -> int:
    """First day (day number) of the calendar month ``key``."""
    return int(np.datetime64(key, "M").astype("datetime64[D]").astype(np.int64))


@dataclass
class ChunkOutput:
    """Registry columns of one chunk (without extract_as_of) and the chunk's family truth."""

    tables: dict[str, dict[str, pa.Array]]
    truth: dict[str, np.ndarray | pa.Array]


@dataclass(frozen=True)
class ChunkPopulation:
    """The latent population of families ``[f0, f1)`` of a region for one period: read only
    (its arrays are not writeable)."""

    seeds: Any
    period: Any
    prefix: Any
    region: Any
    ref: Any
    window: Any
    window_years: Any
    pm_ref: Any
    pm_window: Any
    mrp_window: Any
    f0: Any
    nf: Any
    family_id: Any
    fam_size: Any
    head: Any
    person_number_base: Any
    fam_kato: Any
    fam_settlement: Any
    fam_rural: Any
    fam_registration: Any
    n: Any
    age: Any
    male: Any
    birth: Any
    fam: Any
    role: Any
    nd: Any
    dead_birth: Any
    dead_male: Any
    dead_death: Any
    digits: Any
    churn_months: Any
    adult_since: Any

    @classmethod
    def of(
        cls,
        pop: RegionPopulation,
        period: Period,
        f0: int,
        f1: int,
        d0: int,
        d1: int,
        seeds: np.random.SeedSequence,
    ) -> ChunkPopulation:
        seeds = seeds
        period = period
        prefix = pop.prefix
        region = REGION_BY_PREFIX[pop.prefix]
        ref = period.ref_days
        window = period.window_days()
        window_years = np.array([m.year for m in period.window_months])
        pm_ref = subsistence_minimum(period.reference_date.year)
        pm_window = np.array([subsistence_minimum(y) for y in window_years])
        mrp_window = np.array([mrp(y) for y in window_years])
        # Families.
        f0 = f0
        nf = f1 - f0
        family_id = pop.prefix * 10**10 + np.arange(f0, f1, dtype=np.int64) + 1
        fam_size = pop.fam_size[f0:f1]
        p0 = int(pop.fam_first[f0])
        p1 = p0 + int(fam_size.sum())
        head = (pop.fam_first[f0:f1] - p0).astype(np.int64)
        # A person's number in the region, stable month to month: the stem of the row keys of
        # the registries whose legitimate rows can repeat (payments, observations, crossings).
        person_number_base = pop.prefix * 10**8 + p0
        kato = classifier(pop.prefix)
        fam_kato = kato.codes[pop.fam_kato[f0:f1]]
        fam_settlement = kato.settlement_type[pop.fam_kato[f0:f1]]
        fam_rural = fam_settlement >= 4
        fam_registration = pop.fam_registration[f0:f1]
        # Living members, then the deceased of this chunk.
        n = p1 - p0
        age = pop.age[p0:p1].astype(np.int64)
        male = pop.male[p0:p1]
        birth = pop.birth[p0:p1]
        fam = (pop.fam[p0:p1] - f0).astype(np.int64)
        role = pop.role[p0:p1]
        dead = slice(pop.n_members + d0, pop.n_members + d1)
        nd = d1 - d0
        dead_birth = pop.birth[dead]
        dead_male = pop.male[dead]
        dead_death = pop.death[dead]
        digits = np.concatenate([pop.iin_digits[p0:p1], pop.iin_digits[dead]])
        # Calendar months of churn: from the anchor's month to the month before the reference date.
        churn_months = list(range(month_key(ANCHOR_DAYS), month_key(ref)))
        adult_since = add_years(birth, 18)

        chunk = cls(
            seeds=seeds,
            period=period,
            prefix=prefix,
            region=region,
            ref=ref,
            window=window,
            window_years=window_years,
            pm_ref=pm_ref,
            pm_window=pm_window,
            mrp_window=mrp_window,
            f0=f0,
            nf=nf,
            family_id=family_id,
            fam_size=fam_size,
            head=head,
            person_number_base=person_number_base,
            fam_kato=fam_kato,
            fam_settlement=fam_settlement,
            fam_rural=fam_rural,
            fam_registration=fam_registration,
            n=n,
            age=age,
            male=male,
            birth=birth,
            fam=fam,
            role=role,
            nd=nd,
            dead_birth=dead_birth,
            dead_male=dead_male,
            dead_death=dead_death,
            digits=digits,
            churn_months=churn_months,
            adult_since=adult_since,
        )
        for field in fields(chunk):
            value = getattr(chunk, field.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        return chunk


_POPULATION_FIELDS = frozenset(f.name for f in fields(ChunkPopulation))


class Step:
    """What one registry function works with: the population, the facts of the steps before it
    (read only), its own stream (``rng``), the tables it writes and the facts it derives."""

    def __init__(self, population: ChunkPopulation, known: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_population", population)
        object.__setattr__(self, "_known", known)
        object.__setattr__(self, "derived", {})
        object.__setattr__(self, "tables", {})
        object.__setattr__(self, "rng", None)

    def __getattr__(self, name: str) -> Any:
        derived = object.__getattribute__(self, "derived")
        if name in derived:
            return derived[name]
        known = object.__getattribute__(self, "_known")
        if name in known:
            return known[name]
        if name in _POPULATION_FIELDS:
            return getattr(object.__getattribute__(self, "_population"), name)
        raise AttributeError(f"{name}: no earlier step derives it (registry_simulator.registries.STEPS)")

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "rng":
            object.__setattr__(self, name, value)
        elif name in _POPULATION_FIELDS:
            raise AttributeError(f"{name} belongs to the latent population: a step does not write it")
        elif name in object.__getattribute__(self, "_known"):
            raise AttributeError(f"{name} was derived by an earlier step: a step does not write it")
        else:
            self.derived[name] = value

    # ------------------------------------------------------------------ streams and helpers
    def stream(self, name: str, month: int | None = None) -> np.random.Generator:
        """The stream of one registry (and calendar month), keyed by seed, region and chunk only.

        It becomes the step's ``rng`` so that the helpers below draw from it too.
        """
        key = (*self.seeds.spawn_key, zlib.crc32(name.encode()), 0 if month is None else month + 1)
        self.rng = np.random.default_rng(np.random.SeedSequence(self.seeds.entropy, spawn_key=key))
        return self.rng

    def month_streams(self, name: str):
        """(month key, first day, first day of the next month, stream) of every churn month."""
        for key in self.churn_months:
            yield key, month_start_days(key), month_start_days(key + 1), self.stream(name, key)

    @staticmethod
    def days_between(low: np.ndarray | int, high: np.ndarray | int, u: np.ndarray) -> np.ndarray:
        """Day numbers in [low, high) from per-entity uniforms ``u`` (drawn once per entity)."""
        low = np.asarray(low, dtype=np.int64)
        high = np.maximum(np.asarray(high, dtype=np.int64), low + 1)
        return (low + np.floor(u * (high - low))).astype(np.int32)

    def latent_earning(self) -> np.ndarray:
        """Per family: monthly earnings from work (latent, independent of the income window)."""
        formal = np.where(self.employment == FORMAL, self.wage, 0.0)
        return self.per_family(formal + self.trader_income + self.informal_income)

    def iin(self, person: np.ndarray) -> pa.StringArray:
        """IIN strings of chunk persons (living index < n, deceased index >= n)."""
        return digits_to_arrow(self.digits[person])

    def uniform_days(self, low: np.ndarray | int, high: np.ndarray | int, size: int) -> np.ndarray:
        """Random day numbers in [low, high)."""
        low = np.asarray(low, dtype=np.int64)
        high = np.maximum(np.asarray(high, dtype=np.int64), low + 1)
        return (low + np.floor(self.rng.random(size) * (high - low))).astype(np.int32)

    def bins(self, k: int) -> pa.StringArray:
        """k random valid business identification numbers (same check digit as the IIN)."""
        rng = self.rng
        return self.bins_from(rng.integers(0, 26, k), rng.integers(1, 13, k), rng.integers(0, 100_000, k))

    @staticmethod
    def bins_from(yy: np.ndarray, mm: np.ndarray, serial: np.ndarray) -> pa.StringArray:
        """Valid BINs from registration year, month and serial (drawn per entity by the caller)."""
        k = len(yy)
        digits = np.concatenate(
            [
                int_to_digits(yy, 2),
                int_to_digits(mm, 2),
                np.full((k, 1), 4, np.uint8),
                np.zeros((k, 1), np.uint8),
                int_to_digits(serial, 5),
                np.zeros((k, 1), np.uint8),
            ],
            axis=1,
        )
        check = check_digits(digits[:, :11])
        bad = check < 0
        digits[bad, 10] = (digits[bad, 10] + 1) % 10  # changes only the fallback sum, so it stops being 10
        digits[:, 11] = check_digits(digits[:, :11])
        return digits_to_arrow(digits)

    def per_family(self, values: np.ndarray, person: np.ndarray | None = None) -> np.ndarray:
        """Sum of person-level values per family."""
        fam = self.fam if person is None else self.fam[person]
        return np.bincount(fam, weights=values, minlength=self.nf)

    def dwelling_ids(self, fam: np.ndarray) -> pa.StringArray:
        """Cadastral ids of the dwellings the given families live in."""
        owner = self.dwelling_fam[fam]
        return coded_ids(
            ("RE", "RP", "RS"),
            np.minimum(self.dwelling_kind[fam], 2),
            self.prefix * 10**9 + self.f0 + owner,
            11,
        )

    def family_mother(self) -> np.ndarray:
        """Per family: the woman among head and spouse (else the head), as a person index."""
        mother = self.head.copy()
        spouse = np.flatnonzero(self.role == SPOUSE)
        female_spouse = spouse[~self.male[spouse]]
        mother[self.fam[female_spouse]] = female_spouse
        return mother


def build_chunk(
    population: ChunkPopulation,
    steps: tuple[Callable[[Step], None], ...],
    truth: Callable[[Step], dict],
) -> ChunkOutput:
    """Run the registry steps in order, each on the facts of the steps before it, then the truth."""
    known: dict[str, Any] = {}
    tables: dict[str, dict[str, pa.Array]] = {}
    for step_function in steps:
        step = Step(population, MappingProxyType(known))
        step_function(step)
        known.update(step.derived)
        tables.update(step.tables)
    return ChunkOutput(tables, truth(Step(population, MappingProxyType(known))))
