"""Build every registry extract (and the latent family truth) for one chunk of families.

A chunk is a contiguous range of a region's families (members are contiguous too). All work is
vectorised numpy; a person is an integer index into the chunk's arrays and becomes an IIN string
only when a column is built.

Month-to-month stability: every registry draws from its own stream, keyed by the seed, the region,
the chunk and the registry's name, never by the period, and draws one value per entity (person,
family or vehicle/loan slot) whatever the subset that uses it, so who has what does not shift when
someone ages into or out of a group. Durable records (dwellings, vehicles, loans, observations...)
are dated against the fixed :data:`ANCHOR_DAYS`; a record dated on or after the period's reference
date does not exist yet. Time then moves through monthly *churn*: for every calendar month from the
anchor to the period, a stream keyed by that month draws the month's events (new cars and resales,
new loans and arrears, new and ended observations) at the rates below, so period M+1 is period M
plus one month of events. Things that are about the period itself (the income window, border
crossings of the last 12 months, the billed month) are keyed by calendar month or by the period.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kz_domain.iin import check_digits

from .columns import NO_DATE, add_years, categories, coded_ids, dates, money
from .geography import REGION_BY_PREFIX, classifier
from .iin import digits_to_arrow, int_to_digits
from .period import Period, mrp, subsistence_minimum, to_days
from .population import DAYS_PER_YEAR, HEAD, ROLES, SPOUSE, RegionPopulation

# Tenure of the dwelling a family lives in.
OWN, RENT_PRIVATE, RENT_STATE, WITH_RELATIVES = range(4)
# Disability groups as coded in the registry.
DISABILITY_GROUPS = ("I", "II", "III", "CHILD")
# Employment of a person (latent).
NOT_WORKING, FORMAL, INFORMAL, SOLE_TRADER = range(4)
BENEFIT_TYPES = ("old_age_pension", "disability_benefit", "survivor_benefit", "child_benefit", "other")
LOAN_TYPES = ("mortgage", "consumer", "auto", "microcredit", "credit_card")
SPECIES = ("cattle", "horse", "sheep", "goat", "camel", "pig", "poultry")
SPECIES_PRICE_KZT = np.array([400_000, 450_000, 60_000, 40_000, 600_000, 100_000, 3_000], dtype=np.float64)
AGRI_TYPES = ("tractor", "combine", "seeder", "sprayer", "other")
ICD10_ADULT = (
    "I10",
    "I11",
    "E11",
    "I25",
    "J44",
    "J45",
    "N18",
    "K29",
    "M42",
    "E03",
    "G40",
    "F20",
    "B18",
    "C50",
)
ICD10_CHILD = ("J45", "E10", "G40", "Q21", "K29", "F84")
BORDER_POINTS = (
    "ALA-AIRPORT",
    "NQZ-AIRPORT",
    "CIT-AIRPORT",
    "KPP-KORDAI",
    "KPP-ZHIBEK-ZHOLY",
    "KPP-KHORGOS",
    "KPP-KAIRAK",
    "KPP-SYRYM",
    "KPP-PETROPAVL-RAIL",
    "GUW-AIRPORT",
)
WAITING_CATEGORIES = (
    "disability_g12",
    "child_disability",
    "orphan",
    "large_family",
    "mother_many_children",
    "other",
)
# Latent (truth) income from assets; the methodology's imputation parameters are deliberately not reused.
EXTRA_DWELLING_RENT_KZT = 80_000.0
COMMERCIAL_RENT_KZT = 170_000.0
LIVESTOCK_ANNUAL_YIELD = 0.12
FOUNDER_DIVIDEND_SHARE = 0.04  # share of a company's declared revenue its founder takes home per year

#: Durable records are dated before this fixed day: 2025-01-01, the platform's first period
#: (orchestration.partitions.FIRST_PERIOD), so every period it runs is reached by monthly churn.
ANCHOR_DAYS = 20089
# Monthly churn after the anchor (probabilities per calendar month), set so that the registries keep
# roughly their size: what is added balances what leaves.
VEHICLE_NEW_MONTHLY = 0.0015  # an adult registers a new car
VEHICLE_NEW_INFORMAL_MONTHLY = 0.006  # extra for informal workers (the "recent car" activity signal)
VEHICLE_RESALE_MONTHLY = 0.004  # a vehicle is sold to another adult of the chunk and re-registered
VEHICLE_SCRAP_MONTHLY = 0.003  # a vehicle is deregistered (scrapped or sold abroad)
CREDIT_NEW_MONTHLY = 0.004  # an adult under 75 opens a new loan
CREDIT_REPAID_MONTHLY = 0.01  # a loan is repaid and leaves the bureau's extract
CREDIT_CURE_MONTHLY = 0.08  # a loan in arrears is brought current
CREDIT_DEFAULT_MONTHLY = 0.004  # a current loan falls into arrears
HEALTH_NEW_MONTHLY = 0.001  # an adult gets a new dispensary observation
HEALTH_END_MONTHLY = 0.008  # an ongoing observation ends
JOB_SPELL_DAYS = 365  # people who change jobs alternate a year in work and a year out of it
DISABILITY_REVIEW_CYCLE_DAYS = 730  # a non-indefinite certificate is re-examined every two years
# Slots of a family's vehicles in the vehicle id: cars 0-4, commercial 5, motorcycle 6, agri 7-9,
# a member's "recent" car 10 + position in the family; ids of monthly new cars start at NEW_VEHICLE_BASE.
VEHICLE_SLOTS = 25
NEW_VEHICLE_BASE = 10_000_000
NEW_VEHICLES_PER_MONTH = 200_000
LOAN_KINDS = 5
NEW_LOAN_BASE = 4_000_000
NEW_LOANS_PER_MONTH = 20_000
# A chunk's id block holds 60 M vehicle numbers and 6 M loan numbers: new cars fit for 249 months after
# the anchor, new loans for 100 months (to 2033).


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


class ChunkBuilder:
    """Generates the registries of families ``[f0, f1)`` of a region population."""

    def __init__(
        self,
        pop: RegionPopulation,
        period: Period,
        f0: int,
        f1: int,
        d0: int,
        d1: int,
        seeds: np.random.SeedSequence,
    ) -> None:
        self.seeds = seeds
        self.rng = np.random.default_rng(seeds)
        self.period = period
        self.prefix = pop.prefix
        self.region = REGION_BY_PREFIX[pop.prefix]
        self.ref = period.ref_days
        self.window = period.window_days()
        self.window_years = np.array([m.year for m in period.window_months])
        self.pm_ref = subsistence_minimum(period.reference_date.year)
        self.pm_window = np.array([subsistence_minimum(y) for y in self.window_years])
        self.mrp_window = np.array([mrp(y) for y in self.window_years])
        # Families.
        self.f0 = f0
        self.nf = f1 - f0
        self.family_id = pop.prefix * 10**10 + np.arange(f0, f1, dtype=np.int64) + 1
        self.fam_size = pop.fam_size[f0:f1]
        p0 = int(pop.fam_first[f0])
        p1 = p0 + int(self.fam_size.sum())
        self.head = (pop.fam_first[f0:f1] - p0).astype(np.int64)
        # A person's number in the region, stable month to month: the stem of the row keys of
        # the registries whose legitimate rows can repeat (payments, observations, crossings).
        self.person_number_base = pop.prefix * 10**8 + p0
        kato = classifier(pop.prefix)
        self.fam_kato = kato.codes[pop.fam_kato[f0:f1]]
        self.fam_settlement = kato.settlement_type[pop.fam_kato[f0:f1]]
        self.fam_rural = self.fam_settlement >= 4
        self.fam_registration = pop.fam_registration[f0:f1]
        # Living members, then the deceased of this chunk.
        self.n = p1 - p0
        self.age = pop.age[p0:p1].astype(np.int64)
        self.male = pop.male[p0:p1]
        self.birth = pop.birth[p0:p1]
        self.fam = (pop.fam[p0:p1] - f0).astype(np.int64)
        self.role = pop.role[p0:p1]
        dead = slice(pop.n_members + d0, pop.n_members + d1)
        self.nd = d1 - d0
        self.dead_birth = pop.birth[dead]
        self.dead_male = pop.male[dead]
        self.dead_death = pop.death[dead]
        self.digits = np.concatenate([pop.iin_digits[p0:p1], pop.iin_digits[dead]])
        self.tables: dict[str, dict[str, pa.Array]] = {}
        # Calendar months of churn: from the anchor's month to the month before the reference date.
        self.churn_months = list(range(month_key(ANCHOR_DAYS), month_key(self.ref)))
        self.adult_since = add_years(self.birth, 18)

    # ------------------------------------------------------------------ random streams
    def stream(self, name: str, month: int | None = None) -> np.random.Generator:
        """The stream of one registry (and calendar month), keyed by seed, region and chunk only.

        It becomes ``self.rng`` so that the helpers below draw from it too.
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

    # ------------------------------------------------------------------ helpers
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

    # ------------------------------------------------------------------ latent attributes
    def attributes(self) -> None:
        """Disability, study, employment and incomes of every living member (latent, not a registry)."""
        rng, n, age, male = self.stream("attributes"), self.n, self.age, self.male
        self.pension_age = np.where(male, 63, 61)
        self.adult = age >= 18
        self.pensioner = age >= self.pension_age
        self.working_age = self.adult & ~self.pensioner

        p_dis = np.select([age < 18, age < 40, age < 60], [0.016, 0.028, 0.062], 0.10)
        self.disabled = rng.random(n) < p_dis
        adult_group = np.searchsorted([0.12, 0.57], rng.random(n))  # I 12%, II 45%, III 43%
        self.dis_group = np.where(age < 18, 3, adult_group)
        self.dis_expired = self.disabled & (rng.random(n) < 0.03)  # review date passed, not renewed
        # Assigned before the anchor; a certificate assigned on or after the reference date is not yet.
        self.dis_assigned = self.days_between(
            np.maximum(self.birth + 60, ANCHOR_DAYS - 15 * 365), ANCHOR_DAYS - 20, rng.random(n)
        )
        self.disabled &= self.dis_assigned < self.ref
        self.dis_expired &= self.disabled
        self.dis_valid = self.disabled & ~self.dis_expired
        self.g12 = self.dis_valid & (self.dis_group <= 1)

        u = rng.random(n)
        self.university_ft = (age >= 17) & (age <= 22) & (u < 0.33)
        self.college_ft = (age >= 15) & (age <= 19) & (u >= 0.33) & (u < 0.50)
        self.full_time_student = self.university_ft | self.college_ft
        self.able = self.working_age & ~self.g12 & ~self.full_time_student

        p_work = np.where(self.able, np.where(male, 0.80, 0.66), 0.0)
        p_work = np.where(self.pensioner & (age < 75), 0.12, p_work)
        p_work = np.where(self.g12 & self.working_age, 0.10, p_work)
        works = rng.random(n) < p_work
        kind = np.searchsorted([0.62, 0.92], rng.random(n)) + 1  # formal 62%, informal 30%, sole trader 8%
        self.employment = np.where(works, np.where(self.able, kind, FORMAL), NOT_WORKING)

        wf = self.region.wage_factor
        sex_factor = np.where(male, 1.12, 0.88)
        self.wage = np.maximum(np.exp(rng.normal(np.log(310_000 * wf), 0.55, n)) * sex_factor, 85_000)
        self.informal_income = np.where(
            self.employment == INFORMAL, np.exp(rng.normal(np.log(170_000 * wf), 0.6, n)), 0.0
        )
        self.trader_income = np.where(
            self.employment == SOLE_TRADER, np.exp(rng.normal(np.log(330_000 * wf), 0.8, n)), 0.0
        )
        # Sole traders: 30% declare nothing; the rest declare part of what they earn.
        declares = rng.random(n) >= 0.30
        self.declared_share = np.where(declares, rng.uniform(0.5, 1.0, n), 0.0)
        # A fifth of informal workers hold a dormant sole-trader registration (zero declared income).
        self.dormant_trader = (self.employment == INFORMAL) & (rng.random(n) < 0.20)
        self.sole_trader = (self.employment == SOLE_TRADER) | self.dormant_trader
        self.orphan = (age >= 18) & (age < 29) & (self.role == HEAD) & (rng.random(n) < 0.03)

    def tenure(self) -> None:
        """How each family lives: owned, rented privately or from the state, or with relatives."""
        rng, nf = self.stream("tenure"), self.nf
        settlement = self.fam_settlement
        probs = np.where(
            settlement[:, None] == 1,
            [[0.71, 0.21, 0.03, 0.05]],
            np.where(self.fam_rural[:, None], [[0.90, 0.03, 0.02, 0.05]], [[0.80, 0.12, 0.03, 0.05]]),
        )
        self.tenure_kind = (rng.random(nf)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        own = self.tenure_kind == OWN
        # Families with relatives live in another (owning) family's dwelling of the same chunk.
        owners = np.flatnonzero(own)
        host = owners[rng.integers(0, max(len(owners), 1), nf)] if len(owners) else np.arange(nf)
        self.dwelling_fam = np.where(self.tenure_kind == WITH_RELATIVES, host, np.arange(nf))
        self.dwelling_kind = np.where(self.tenure_kind == WITH_RELATIVES, OWN, self.tenure_kind)
        self.dwelling_kind = np.where(
            self.tenure_kind == WITH_RELATIVES, np.where(own[host], OWN, RENT_PRIVATE), self.dwelling_kind
        )
        apartment = settlement <= 2
        median_area = np.where(apartment, 58.0, np.where(settlement == 3, 70.0, 85.0))
        self.dwelling_area = np.round(
            median_area * np.exp(rng.normal(0, 0.33, nf)) * (1 + 0.05 * (self.fam_size - 3)).clip(0.8, 1.4), 1
        )

    def dwelling_ids(self, fam: np.ndarray) -> pa.StringArray:
        """Cadastral ids of the dwellings the given families live in."""
        owner = self.dwelling_fam[fam]
        return coded_ids(
            ("RE", "RP", "RS"),
            np.minimum(self.dwelling_kind[fam], 2),
            self.prefix * 10**9 + self.f0 + owner,
            11,
        )

    # ------------------------------------------------------------------ civil registry and family card
    def population(self) -> None:
        n, nd = self.n, self.nd
        host = self.stream("population").integers(
            0, self.nf, nd
        )  # the deceased keep their last registered address
        fam = np.r_[self.fam, host]
        self.tables["population"] = {
            "iin": self.iin(np.arange(n + nd)),
            "birth_date": dates(np.r_[self.birth, self.dead_birth]),
            "sex": categories(("F", "M"), np.r_[self.male, self.dead_male].astype(np.int8)),
            "death_date": dates(np.r_[np.full(n, NO_DATE, np.int32), self.dead_death]),
            "address_kato": pa.array(self.fam_kato[fam], pa.string()),
            "settlement_type": pa.array(self.fam_settlement[fam], pa.int8()),
            "dwelling_id": self.dwelling_ids(fam),
        }

    def families(self) -> None:
        self.tables["families"] = {
            "family_id": pa.array(self.family_id),
            "registration_date": dates(self.fam_registration),
            "address_kato": pa.array(self.fam_kato, pa.string()),
        }
        registration = self.fam_registration[self.fam]
        born_later = self.birth > registration
        link = np.where(
            born_later, self.birth + self.stream("families").integers(0, 30, self.n), registration
        )
        self.tables["family_links"] = {
            "family_id": pa.array(self.family_id[self.fam]),
            "iin": self.iin(np.arange(self.n)),
            "role": categories(ROLES, self.role),
            "link_date": dates(np.minimum(link, self.ref - 1)),
        }

    # ------------------------------------------------------------------ incomes
    def pension_contributions(self) -> None:
        rng = self.stream("pension_contributions")
        n = self.n
        # Per person: one employer, and maybe a job started or lost on a date around the anchor or
        # irregular months; each calendar month then has its own noise stream, so a month's row is the
        # same in every period whose window holds it (the window just shifts).
        pool = self.bins(max(n // 36, 1))
        employer = rng.integers(0, len(pool), n)
        r = rng.random(n)
        # A tenth of earners change jobs: on a per-person phase, a year in work then a year out, so any
        # window holds a start or a loss for them; the calendar decides, not the period.
        phase = self.days_between(0, 2 * JOB_SPELL_DAYS, rng.random(n))
        earners = np.flatnonzero(self.employment == FORMAL)
        e = len(earners)
        paid = np.ones((e, 12), bool)
        wage = np.empty((e, 12))
        r_e, phase_e = r[earners], phase[earners]
        for m, start in enumerate(self.window):
            month_rng = self.stream("pension_contributions", month_key(start))
            # float32 draws: one per person and month is the bulk of the cost, and enough precision.
            noise = 0.06 * month_rng.standard_normal(n, dtype=np.float32)[earners]
            irregular = month_rng.random(n, dtype=np.float32)[earners] < 0.25
            out_of_work = (start - phase_e) % (2 * JOB_SPELL_DAYS) >= JOB_SPELL_DAYS
            paid[:, m] &= ~((r_e < 0.09) & out_of_work)  # started or lost the job during the window
            paid[:, m] &= ~((r_e >= 0.09) & (r_e < 0.14) & irregular)  # irregular months
            wage[:, m] = self.wage[earners] * np.exp(noise)
        rows_e, rows_m = np.nonzero(paid)
        contribution = np.round(wage[rows_e, rows_m] * 0.10)
        self.tables["pension_contributions"] = {
            "iin": self.iin(earners[rows_e]),
            "month": dates(self.window[rows_m]),
            "employer_bin": pool.take(pa.array(employer[earners][rows_e])),
            "contribution_kzt": pa.array(contribution),
        }
        # True wages: what the contributions say, plus nothing hidden.
        self.formal_wage_monthly = np.zeros(self.n)
        self.formal_wage_monthly[earners] = np.bincount(rows_e, weights=contribution * 10, minlength=e) / 12
        self.formal_recent = np.zeros(self.n, bool)
        self.formal_recent[earners] = paid[:, 9:].any(axis=1)

    def entrepreneur_income(self) -> None:
        rng = self.stream("entrepreneur_income")
        ref_date = self.period.reference_date
        window_start = self.period.window_months[0]
        halves = []
        for year in (ref_date.year - 2, ref_date.year - 1, ref_date.year):
            for start_month in (1, 7):
                start = dt.date(year, start_month, 1)
                end = dt.date(year, 6, 30) if start_month == 1 else dt.date(year, 12, 31)
                # Form 910 is filed by the 15th of the second month after the half-year.
                if end >= window_start and end + dt.timedelta(days=46) < ref_date:
                    halves.append((to_days(start), to_days(end)))
        traders = np.flatnonzero(self.sole_trader)
        t = len(traders)
        registration = self.days_between(
            np.maximum(self.adult_since, ANCHOR_DAYS - 3650), ANCHOR_DAYS - 60, rng.random(self.n)
        )
        self.trader_registration = np.minimum(registration[traders], self.ref - 1)
        rows_t, starts, ends, amounts = [], [], [], []
        for first_day, last_day in halves:
            active = np.flatnonzero(self.trader_registration < last_day)
            # The declaration of a half-year is drawn from that half-year's stream.
            noise = self.stream("entrepreneur_income", month_key(first_day)).normal(0, 0.15, self.n)
            income = (
                self.trader_income[traders[active]]
                * self.declared_share[traders[active]]
                * 6
                * np.exp(noise[traders[active]])
            )
            rows_t.append(active)
            starts.append(np.full(len(active), first_day, np.int32))
            ends.append(np.full(len(active), last_day, np.int32))
            amounts.append(income)
        rows = np.concatenate(rows_t) if rows_t else np.zeros(0, np.int64)
        order = np.lexsort((np.concatenate(starts) if starts else rows, rows))
        rows = rows[order]
        amount = np.round(np.concatenate(amounts)[order]) if amounts else np.zeros(0)
        self.tables["entrepreneur_income"] = {
            "iin": self.iin(traders[rows]),
            "period_start": dates(np.concatenate(starts)[order] if starts else rows),
            "period_end": dates(np.concatenate(ends)[order] if ends else rows),
            "declared_income_kzt": pa.array(amount, pa.float64()),
        }
        declared_total = np.bincount(rows, weights=amount, minlength=t)
        self.trader_declared_12m = declared_total
        self.declared_monthly = np.zeros(self.n)
        self.declared_monthly[traders] = declared_total / max(6 * len(halves), 1)

    def pensions_benefits(self) -> None:
        rng, window = self.stream("pensions_benefits"), self.window
        latest_year = self.window_years.max()
        index = np.where(self.window_years == latest_year, 1.0, 1 / 1.08)  # January indexation
        person, month, kind, amount = [], [], [], []

        def add(who: np.ndarray, paid: np.ndarray, benefit: int, monthly: np.ndarray) -> None:
            rows_p, rows_m = np.nonzero(paid)
            person.append(who[rows_p])
            month.append(rows_m)
            kind.append(np.full(len(rows_p), benefit, np.int8))
            amount.append(monthly[rows_p, rows_m] if monthly.ndim == 2 else monthly[rows_p])

        retired = np.flatnonzero(self.pensioner)
        retire_day = add_years(self.birth[retired], self.pension_age[retired])
        base = np.maximum(np.exp(rng.normal(np.log(165_000), 0.25, self.n))[retired], 0.9 * self.pm_ref)
        add(retired, retire_day[:, None] < window[None, :], 0, base[:, None] * index[None, :])

        disabled = np.flatnonzero(self.dis_valid)
        coefficient = np.array([1.76, 1.40, 0.96, 1.40])[self.dis_group[disabled]]
        add(
            disabled,
            self.dis_assigned[disabled][:, None] < window[None, :],
            1,
            coefficient[:, None] * self.pm_window[None, :],
        )

        survivors = np.flatnonzero((self.age < 18) & (rng.random(self.n) < 0.01))
        add(
            survivors,
            np.ones((len(survivors), 12), bool),
            2,
            np.broadcast_to(0.9 * self.pm_window, (len(survivors), 12)),
        )

        # Childcare allowance to the mother for a child under 18 months.
        babies = np.flatnonzero(self.age < 2)
        fam_of = self.fam[babies]
        mother = self.family_mother()[fam_of]
        under = (self.birth[babies][:, None] <= window[None, :]) & (
            add_years(self.birth[babies], 1.5)[:, None] > window
        )
        add(mother, under, 3, np.broadcast_to(6 * self.mrp_window, (len(babies), 12)))

        rows_p = np.concatenate(person)
        rows_m = np.concatenate(month)
        rows_k = np.concatenate(kind)
        values = np.round(np.concatenate(amount))
        self.benefits_monthly = np.bincount(rows_p, weights=values, minlength=self.n) / 12
        self.benefit_rows = (rows_p, rows_m, rows_k, values)

    def family_mother(self) -> np.ndarray:
        """Per family: the woman among head and spouse (else the head), as a person index."""
        mother = self.head.copy()
        spouse = np.flatnonzero(self.role == SPOUSE)
        female_spouse = spouse[~self.male[spouse]]
        mother[self.fam[female_spouse]] = female_spouse
        return mother

    def targeted_assistance(self) -> None:
        """ASP ('other' benefit) for part of the families whose registered income is under the line."""
        rng = self.stream("targeted_assistance")
        registered = self.per_family(self.formal_wage_monthly + self.declared_monthly + self.benefits_monthly)
        gap = 0.7 * self.pm_ref * self.fam_size - registered
        takers = np.flatnonzero((gap > 0) & (rng.random(self.nf) < 0.08))
        months = np.zeros((len(takers), 12), bool)
        months[:, 6:] = True
        rows_p, rows_m, rows_k, values = self.benefit_rows
        extra_f, extra_m = np.nonzero(months)
        extra = np.round(gap[takers][extra_f])
        rows_p = np.r_[rows_p, self.head[takers][extra_f]]
        rows_m = np.r_[rows_m, extra_m]
        rows_k = np.r_[rows_k, np.full(len(extra), 4, np.int8)]
        values = np.r_[values, extra]
        self.benefits_monthly = np.bincount(rows_p, weights=values, minlength=self.n) / 12
        order = np.lexsort((rows_m, rows_k, rows_p))
        rows_p, rows_m, rows_k, values = rows_p[order], rows_m[order], rows_k[order], values[order]
        # Two payments of the same kind to the same person in the same month (a childcare
        # allowance for each of two babies) are two rows: a sequence number tells them apart.
        group = np.r_[True, (np.diff(rows_p) != 0) | (np.diff(rows_m) != 0) | (np.diff(rows_k) != 0)]
        starts = np.flatnonzero(group)
        sequence = np.arange(len(rows_p)) - np.repeat(starts, np.diff(np.r_[starts, len(rows_p)]))
        months = np.array([month_key(day) for day in self.window], np.int64)[rows_m]
        number = ((self.person_number_base + rows_p) * 1000 + months) * 100 + rows_k * 10 + sequence
        self.tables["pensions_benefits"] = {
            "payment_id": coded_ids(("PB",), 0, number, 15),
            "iin": self.iin(rows_p),
            "month": dates(self.window[rows_m]),
            "benefit_type": categories(BENEFIT_TYPES, rows_k),
            "amount_kzt": pa.array(values),
        }

    # ------------------------------------------------------------------ business
    def business_registry(self) -> None:
        rng, n = self.stream("business_registry"), self.n
        traders = np.flatnonzero(self.sole_trader)
        formerly = np.flatnonzero(self.adult & (self.age >= 25) & ~self.sole_trader & (rng.random(n) < 0.04))
        wage_rank = self.wage.argsort().argsort() / max(n - 1, 1)
        founders = np.flatnonzero(
            self.adult & (self.age >= 25) & (self.age < 75) & (rng.random(n) < 0.01 + 0.05 * wage_rank**4)
        )
        former_reg = self.days_between(
            np.maximum(self.adult_since, ANCHOR_DAYS - 7300), ANCHOR_DAYS - 400, rng.random(n)
        )
        former_dereg = self.days_between(former_reg + 180, ANCHOR_DAYS - 30, rng.random(n))
        founder_reg = self.days_between(
            np.maximum(add_years(self.birth, 20), ANCHOR_DAYS - 7300), ANCHOR_DAYS - 90, rng.random(n)
        )
        revenue = np.round(np.exp(rng.normal(np.log(30e6), 1.2, n)))
        bin_parts = (rng.integers(0, 26, n), rng.integers(1, 13, n), rng.integers(0, 100_000, n))
        # Registrations dated on or after the reference date do not exist yet.
        formerly = formerly[former_reg[formerly] < self.ref]
        founders = founders[founder_reg[founders] < self.ref]
        dereg = np.where(former_dereg[formerly] < self.ref, former_dereg[formerly], NO_DATE)
        self.founder_income = np.zeros(n)
        self.founder_income[founders] = revenue[founders] * FOUNDER_DIVIDEND_SHARE / 12
        person = np.r_[traders, formerly, founders]
        trader_iin = self.iin(traders)
        self.tables["business_registry"] = {
            "iin": self.iin(person),
            "bin": pa.concat_arrays(
                [trader_iin, self.iin(formerly), self.bins_from(*(part[founders] for part in bin_parts))]
            ),
            "business_role": categories(
                ("sole_trader", "company_founder"),
                np.r_[np.zeros(len(traders) + len(formerly), np.int8), np.ones(len(founders), np.int8)],
            ),
            "registration_date": dates(
                np.r_[self.trader_registration, former_reg[formerly], founder_reg[founders]]
            ),
            "deregistration_date": dates(
                np.r_[np.full(len(traders), NO_DATE), dereg, np.full(len(founders), NO_DATE)]
            ),
            "declared_income_12m_kzt": pa.array(
                np.r_[np.round(self.trader_declared_12m), np.zeros(len(formerly)), revenue[founders]]
            ),
        }
        self.has_founder = np.zeros(n, bool)
        self.has_founder[founders] = True

    # ------------------------------------------------------------------ property and assets
    def real_estate(self) -> None:
        rng, nf = self.stream("real_estate"), self.nf
        own = np.flatnonzero(self.tenure_kind == OWN)
        earning = self.latent_earning()
        wealth = (earning / self.fam_size).argsort().argsort() / max(nf - 1, 1)
        p_extra = 0.02 + 0.14 * wealth**3
        u = rng.random(nf)
        n_extra = np.where(u < p_extra, 1 + (rng.random(nf) < 0.25) * rng.integers(1, 8, nf), 0)
        n_extra = np.where(self.tenure_kind == OWN, n_extra, (u < p_extra * 0.3).astype(np.int64))
        trader_family = self.per_family(self.sole_trader.astype(float) + self.has_founder) > 0
        n_commercial = (rng.random(nf) < np.where(trader_family, 0.10, 0.008)).astype(np.int64)
        n_commercial += (n_commercial > 0) & (rng.random(nf) < 0.2)
        self.n_extra_dwellings, self.n_commercial = n_extra, n_commercial
        # Per family and object slot (primary, second owner, up to 8 extra, 2 commercial): area, date.
        area_noise = rng.normal(0, 1, (nf, 10))
        date_u = rng.random((nf, 12))

        # Primary dwellings: the head owns it, or head and spouse half each.
        spouse_of = np.full(nf, -1)
        spouse = np.flatnonzero(self.role == SPOUSE)
        spouse_of[self.fam[spouse]] = spouse
        shared = (spouse_of[own] >= 0) & (rng.random(nf)[own] < 0.3)
        own_fam = np.r_[own, own[shared]]
        owner = np.r_[self.head[own], spouse_of[own][shared]]
        share = np.r_[np.where(shared, 0.5, 1.0), np.full(shared.sum(), 0.5)]
        own_slot = np.r_[np.zeros(len(own), np.int64), np.ones(shared.sum(), np.int64)]
        primary_order = np.argsort(own_fam, kind="stable")
        own_fam, owner, share, own_slot = (
            own_fam[primary_order],
            owner[primary_order],
            share[primary_order],
            own_slot[primary_order],
        )
        extra_fam = np.repeat(np.arange(nf), n_extra)
        extra_seq = np.arange(len(extra_fam)) - np.repeat(np.cumsum(n_extra) - n_extra, n_extra)
        comm_fam = np.repeat(np.arange(nf), n_commercial)
        comm_seq = np.arange(len(comm_fam)) - np.repeat(np.cumsum(n_commercial) - n_commercial, n_commercial)

        base = self.prefix * 10**9 + self.f0
        object_id = pa.concat_arrays(
            [
                coded_ids(("RE",), 0, base + own_fam, 11),
                coded_ids(("RX",), 0, (base + extra_fam) * 10 + extra_seq, 12),
                coded_ids(("CM",), 0, (base + comm_fam) * 10 + comm_seq, 12),
            ]
        )
        fam_all = np.r_[own_fam, extra_fam, comm_fam]
        owner_all = np.r_[owner, self.head[extra_fam], self.head[comm_fam]]
        area = np.r_[
            self.dwelling_area[own_fam],
            np.round(45 * np.exp(0.4 * area_noise[extra_fam, extra_seq]), 1),
            np.round(120 * np.exp(0.7 * area_noise[comm_fam, 8 + comm_seq]), 1),
        ]
        slot = np.r_[own_slot, 2 + extra_seq, 10 + comm_seq]
        registration = self.days_between(
            np.maximum(self.adult_since[owner_all], ANCHOR_DAYS - 9000),
            ANCHOR_DAYS - 30,
            date_u[fam_all, slot],
        )
        self.tables["real_estate"] = {
            "object_id": object_id,
            "iin": self.iin(owner_all),
            "property_type": categories(
                ("residential", "commercial"),
                np.r_[np.zeros(len(own_fam) + len(extra_fam)), np.ones(len(comm_fam))],
            ),
            "area_m2": pa.array(area),
            "ownership_share": pa.array(np.r_[share, np.ones(len(extra_fam) + len(comm_fam))]),
            "kato": pa.array(self.fam_kato[fam_all], pa.string()),
            # The families own these dwellings now: a date the period has not reached is held at its eve.
            "registration_date": dates(np.minimum(registration, self.ref - 1)),
        }

    def rent_contracts(self) -> None:
        rng, nf = self.stream("rent_contracts"), self.nf
        rent_noise, area_noise = rng.normal(0, 0.2, nf), rng.normal(0, 0.3, nf)
        start_u, renews, has_earlier, earlier_u = (
            rng.random(nf),
            rng.random(nf),
            rng.random(nf),
            rng.random(nf),
        )
        renters = np.flatnonzero((self.tenure_kind == RENT_PRIVATE) | (self.tenure_kind == RENT_STATE))
        private = self.tenure_kind[renters] == RENT_PRIVATE
        area = self.dwelling_area[renters] * 0.85
        settlement_factor = np.where(self.fam_settlement[renters] <= 2, 1.0, 0.6)
        rent = (
            self.region.private_rent_kzt
            * settlement_factor
            * (area / 50) ** 0.7
            * np.exp(rent_noise[renters])
        )
        rent = np.where(private, rent, rent * 0.2)
        start = self.days_between(ANCHOR_DAYS - 3 * 365, ANCHOR_DAYS - 15, start_u[renters])
        start = np.minimum(start, self.ref - 1)
        # A private contract runs year by year: its end moves on by a year when the period passes it.
        years = np.ceil((self.ref - start) / 365.0).astype(np.int64).clip(1)
        end = np.where(private & (renews[renters] < 0.6), add_years(start, years) - 1, NO_DATE)
        # A tenth of renters also have an earlier contract that ended (another dwelling).
        earlier = renters[has_earlier[renters] < 0.10]
        earlier_private = self.tenure_kind[earlier] == RENT_PRIVATE
        earlier_end = self.days_between(ANCHOR_DAYS - 5 * 365, ANCHOR_DAYS - 3 * 365, earlier_u[earlier])
        earlier_start = earlier_end - 365
        tenant = np.r_[self.head[renters], self.head[earlier]]
        kind = np.r_[np.where(private, 0, 1), np.where(earlier_private, 0, 1)]
        base = self.prefix * 10**9 + self.f0
        dwelling = pa.concat_arrays(
            [
                self.dwelling_ids(renters),
                coded_ids(("RP", "RS"), kind[len(renters) :], base + self.nf + earlier, 11),
            ]
        )
        contract_no = np.r_[renters * 2, earlier * 2 + 1] + (self.f0 * 2)
        self.tables["rent_contracts"] = {
            "contract_id": coded_ids(("RC",), 0, self.prefix * 10**10 + contract_no, 12),
            "iin": self.iin(tenant),
            "landlord_type": categories(("private", "state"), kind),
            "dwelling_id": dwelling,
            "area_m2": pa.array(np.round(np.r_[area, 50 * np.exp(area_noise[earlier])], 1)),
            "monthly_rent_kzt": money(
                np.r_[rent, np.where(earlier_private, 1.0, 0.2) * self.region.private_rent_kzt * 0.8]
            ),
            "start_date": dates(np.r_[start, earlier_start]),
            "end_date": dates(np.r_[end, earlier_end]),
        }

    def housing_costs(self) -> None:
        # The bill is about the period's last month: its own stream.
        rng = self.stream("housing_costs", month_key(int(self.window[-1])))
        billed = np.flatnonzero((self.tenure_kind != WITH_RELATIVES) & (rng.random(self.nf) < 0.97))
        billing_month = self.window[-1]
        heating = 1.6 if self.period.window_months[-1].month in (10, 11, 12, 1, 2, 3, 4) else 1.0
        flat = self.fam_settlement[billed] <= 2
        utilities = (
            np.where(self.fam_rural[billed], 15_000, 24_000)
            * heating
            * (0.8 + 0.07 * self.fam_size[billed])
            * np.exp(rng.normal(0, 0.25, len(billed)))
        )
        maintenance = np.where(flat, self.dwelling_area[billed] * rng.uniform(60, 120, len(billed)), 0.0)
        self.tables["housing_costs"] = {
            "dwelling_id": self.dwelling_ids(billed),
            "payer_iin": self.iin(self.head[billed]),
            "billing_month": dates(np.full(len(billed), billing_month)),
            "utilities_kzt": money(utilities),
            "maintenance_kzt": money(maintenance),
        }

    def vehicles(self) -> None:
        rng, nf, n = self.stream("vehicles"), self.nf, self.n
        wealth = (self.latent_earning() / self.fam_size).argsort().argsort() / max(nf - 1, 1)
        u = rng.random(nf)
        more_cars = rng.integers(0, 3, nf)
        car_age = rng.exponential(4.5, (nf, 5))
        informal_u, informal_day_u = rng.random(n), rng.random(n)
        commercial_u, commercial_type = rng.random(nf), rng.choice([1, 2], nf, p=[0.85, 0.15]).astype(np.int8)
        moto_u, agri_u, agri_more, agri_extra = (
            rng.random(nf),
            rng.random(nf),
            rng.random(nf),
            rng.integers(1, 3, nf),
        )
        agri_kind = rng.integers(0, 5, (nf, 3))
        other_age = rng.exponential(6.0, (nf, 5))  # commercial, motorcycle, three agri machines

        thresholds = np.stack([0.55 - 0.25 * wealth, 0.93 - 0.18 * wealth, 0.985 - 0.05 * wealth], axis=1)
        cars = (u[:, None] >= thresholds).sum(axis=1)
        cars += (cars == 3) * more_cars
        car_fam = np.repeat(np.arange(nf), cars)
        car_seq = np.arange(len(car_fam)) - np.repeat(np.cumsum(cars) - cars, cars)
        spouse_of = self.head.copy()
        spouse = np.flatnonzero(self.role == SPOUSE)
        spouse_of[self.fam[spouse]] = spouse
        # Informal workers registered a car in the year before the anchor (an activity signal).
        informal_car = np.flatnonzero((self.employment == INFORMAL) & (informal_u < 0.12))
        trader_family = self.per_family(self.sole_trader.astype(float)) > 0
        commercial = np.flatnonzero(commercial_u < np.where(trader_family, 0.15, 0.02))
        moto = np.flatnonzero(self.fam_rural & (moto_u < 0.04))
        agri_count = np.where(self.fam_rural & (agri_u < 0.05), 1 + (agri_more < 0.3) * agri_extra, 0)
        agri_fam = np.repeat(np.arange(nf), agri_count)
        agri_seq = np.arange(len(agri_fam)) - np.repeat(np.cumsum(agri_count) - agri_count, agri_count)

        fam = np.r_[car_fam, self.fam[informal_car], commercial, moto, agri_fam]
        slot = np.r_[
            car_seq,
            10 + informal_car - self.head[self.fam[informal_car]],
            np.full(len(commercial), 5),
            np.full(len(moto), 6),
            7 + agri_seq,
        ]
        owner = np.r_[
            np.where(car_seq == 1, spouse_of[car_fam], self.head[car_fam]),
            informal_car,
            self.head[commercial],
            self.head[moto],
            self.head[agri_fam],
        ]
        vtype = np.r_[
            np.zeros(len(car_fam) + len(informal_car), np.int8),
            commercial_type[commercial],
            np.full(len(moto), 3, np.int8),
            np.full(len(agri_fam), 4, np.int8),
        ]
        reg = np.r_[
            (ANCHOR_DAYS - 1 - car_age[car_fam, car_seq] * DAYS_PER_YEAR).astype(np.int32),
            self.days_between(ANCHOR_DAYS - 360, ANCHOR_DAYS - 1, informal_day_u[informal_car]),
            (ANCHOR_DAYS - 1 - other_age[commercial, 0] * DAYS_PER_YEAR).astype(np.int32),
            (ANCHOR_DAYS - 1 - other_age[moto, 1] * DAYS_PER_YEAR).astype(np.int32),
            (ANCHOR_DAYS - 1 - other_age[agri_fam, 2 + agri_seq] * DAYS_PER_YEAR).astype(np.int32),
        ]
        reg = np.maximum(reg, self.adult_since[owner])
        number = fam.astype(np.int64) * VEHICLE_SLOTS + slot
        is_commercial = np.r_[
            np.zeros(len(car_fam) + len(informal_car), bool),
            np.ones(len(commercial), bool),
            np.zeros(len(moto) + len(agri_fam), bool),
        ]
        agri = np.r_[np.full(len(fam) - len(agri_fam), -1), agri_kind[agri_fam, agri_seq]]

        # Time moves: each month after the anchor some vehicles are sold (new owner and registration
        # date, same vehicle id) and some adults register a new car.
        row_of_number = np.full(nf * VEHICLE_SLOTS, -1, np.int64)
        row_of_number[number] = np.arange(len(number))
        scrapped = np.zeros(len(number), bool)
        new_owner, new_reg, new_number = [], [], []
        informal = self.employment == INFORMAL
        for key, first, after, month_rng in self.month_streams("vehicles"):
            gone = row_of_number[
                month_rng.integers(
                    0, nf * VEHICLE_SLOTS, month_rng.binomial(nf * VEHICLE_SLOTS, VEHICLE_SCRAP_MONTHLY)
                )
            ]
            scrapped[gone[gone >= 0]] = True
            adults = np.flatnonzero(self.adult_since < first)
            n_sold = month_rng.binomial(nf * VEHICLE_SLOTS, VEHICLE_RESALE_MONTHLY)
            sold = row_of_number[month_rng.integers(0, nf * VEHICLE_SLOTS, n_sold)]
            buyer = adults[month_rng.integers(0, max(len(adults), 1), n_sold)] if len(adults) else owner[sold]
            day = self.days_between(first, after, month_rng.random(n_sold))
            sold_now = (sold >= 0) & (reg[np.maximum(sold, 0)] < first)
            owner[sold[sold_now]] = buyer[sold_now]
            reg[sold[sold_now]] = day[sold_now]
            p_new = VEHICLE_NEW_MONTHLY + informal * VEHICLE_NEW_INFORMAL_MONTHLY
            buys = month_rng.random(n) < p_new
            day = self.days_between(first, after, month_rng.random(n))
            buyers = np.flatnonzero(buys & (self.adult_since < first))
            new_owner.append(buyers)
            new_reg.append(day[buyers])
            k = key - self.churn_months[0]
            new_number.append(NEW_VEHICLE_BASE + k * NEW_VEHICLES_PER_MONTH + np.arange(len(buyers)))
        if new_owner:
            k_new = sum(len(b) for b in new_owner)
            owner = np.r_[owner, np.concatenate(new_owner)]
            reg = np.r_[reg, np.concatenate(new_reg)]
            number = np.r_[number, np.concatenate(new_number)]
            vtype = np.r_[vtype, np.zeros(k_new, np.int8)]
            is_commercial = np.r_[is_commercial, np.zeros(k_new, bool)]
            agri = np.r_[agri, np.full(k_new, -1)]
            scrapped = np.r_[scrapped, np.zeros(k_new, bool)]

        # Vehicles registered on or after the reference date are not registered yet.
        keep = np.flatnonzero((reg < self.ref) & ~scrapped)
        order = keep[np.argsort(self.fam[owner[keep]], kind="stable")]
        owner, vtype, reg, is_commercial, agri, number = (
            owner[order],
            vtype[order],
            reg[order],
            is_commercial[order],
            agri[order],
            number[order],
        )
        agri_labels = categories(AGRI_TYPES, np.maximum(agri, 0))
        self.tables["vehicles"] = {
            "vehicle_id": coded_ids(("VIN",), 0, (self.prefix * 10**9 + self.f0) * 1000 + number, 14),
            "iin": self.iin(owner),
            "vehicle_type": categories(("car", "truck", "bus", "motorcycle", "agri_machinery"), vtype),
            "registration_date": dates(reg),
            "is_commercial": pa.array(is_commercial),
            "agri_machinery_type": pa.array(
                agri_labels.to_numpy(zero_copy_only=False), pa.string(), mask=agri < 0
            ),
        }
        self.recent_car = np.zeros(self.n, bool)
        self.recent_car[owner[(vtype == 0) & (reg >= self.ref - 365)]] = True

    def credit_bureau(self) -> None:
        rng, n = self.stream("credit_bureau"), self.n
        borrower_age = self.adult & (self.age < 75)
        poor = (self.latent_earning() / self.fam_size)[self.fam] < self.pm_ref
        p = np.array([0.0, 0.30, 0.0, 0.06, 0.12])
        draws = rng.random((n, LOAN_KINDS)) < p[None, :]
        draws[:, 3] |= poor & (rng.random(n) < 0.08)  # microcredit is more common in poorer families
        draws[:, 2] = rng.random(n) < 0.04
        draws &= borrower_age[:, None]
        mortgage_fam = np.flatnonzero(
            (self.tenure_kind == OWN) & (rng.random(self.nf) < np.where(self.fam_rural, 0.03, 0.10))
        )
        draws[self.head[mortgage_fam], 0] = True
        # Per (person, loan kind) slot: amount, arrears at the anchor, opening date.
        median_of_kind = np.array([12e6, 800e3, 4e6, 150e3, 300e3])
        # (float32: five slots per person make these the largest draws of the chunk.)
        slot_normal = rng.standard_normal((n, LOAN_KINDS), dtype=np.float32)
        slot_u = rng.random(
            (n, LOAN_KINDS, 4), dtype=np.float32
        )  # arrears?, how late, arrears share, opening
        people, kinds = np.nonzero(draws)
        outstanding = np.round(
            median_of_kind[kinds] * np.exp(0.6 * slot_normal[people, kinds].astype(np.float64))
        )
        u, late, share_u, open_u = (slot_u[people, kinds, j].astype(np.float64) for j in range(4))
        p90 = np.where(poor[people], 0.10, 0.04)
        days = np.where(
            u < p90,
            91 + np.floor(late * 630).astype(np.int64),
            np.where(u < p90 + 0.06, 1 + np.floor(late * 89).astype(np.int64), 0),
        )
        max_years = np.array([15, 5, 7, 1, 5])[kinds]
        open_date = self.days_between(
            np.maximum(ANCHOR_DAYS - max_years * 365, self.adult_since[people]), ANCHOR_DAYS - 15, open_u
        )
        # Arrears run from a date: days in arrears grow as the period moves on.
        since = np.where(days > 0, ANCHOR_DAYS - days, NO_DATE).astype(np.int64)
        number = people.astype(np.int64) * LOAN_KINDS + kinds
        share = 0.05 + 0.55 * share_u

        row_of_number = np.full(n * LOAN_KINDS, -1, np.int64)
        row_of_number[number] = np.arange(len(number))
        repaid = np.zeros(len(number), bool)
        new: dict[str, list] = {
            "people": [],
            "kinds": [],
            "outstanding": [],
            "open": [],
            "number": [],
            "share": [],
        }
        for key, first, after, month_rng in self.month_streams("credit_bureau"):
            gone = row_of_number[
                month_rng.integers(
                    0, n * LOAN_KINDS, month_rng.binomial(n * LOAN_KINDS, CREDIT_REPAID_MONTHLY)
                )
            ]
            repaid[gone[gone >= 0]] = True
            for rate, becomes in ((CREDIT_CURE_MONTHLY, "cure"), (CREDIT_DEFAULT_MONTHLY, "default")):
                hits = month_rng.integers(0, n * LOAN_KINDS, month_rng.binomial(n * LOAN_KINDS, rate))
                rows = row_of_number[hits]
                rows = rows[(rows >= 0) & (open_date[np.maximum(rows, 0)] < first)]
                if becomes == "cure":
                    since[rows[since[rows] != NO_DATE]] = NO_DATE
                else:
                    current = rows[since[rows] == NO_DATE]
                    since[current] = self.days_between(first, after, month_rng.random(len(current)))
            eligible = (self.adult_since < first) & (add_years(self.birth, 75) > first)
            takers = np.flatnonzero(eligible & (month_rng.random(n) < CREDIT_NEW_MONTHLY))
            kind = month_rng.choice([1, 3, 4], len(takers), p=[0.5, 0.3, 0.2])
            new["people"].append(takers)
            new["kinds"].append(kind)
            new["outstanding"].append(
                np.round(median_of_kind[kind] * np.exp(month_rng.normal(0, 0.6, len(takers))))
            )
            new["open"].append(self.days_between(first, after, month_rng.random(len(takers))))
            k = key - self.churn_months[0]
            new["number"].append(NEW_LOAN_BASE + k * NEW_LOANS_PER_MONTH + np.arange(len(takers)))
            new["share"].append(np.zeros(len(takers)))
        if new["people"]:
            k_new = sum(len(t) for t in new["people"])
            people = np.r_[people, np.concatenate(new["people"])]
            kinds = np.r_[kinds, np.concatenate(new["kinds"])]
            outstanding = np.r_[outstanding, np.concatenate(new["outstanding"])]
            open_date = np.r_[open_date, np.concatenate(new["open"])]
            number = np.r_[number, np.concatenate(new["number"])]
            share = np.r_[share, np.concatenate(new["share"])]
            since = np.r_[since, np.full(k_new, NO_DATE, np.int64)]
            repaid = np.r_[repaid, np.zeros(k_new, bool)]
        # Loans opened on or after the reference date do not exist yet.
        keep = (open_date < self.ref) & ~repaid
        people, kinds, outstanding, open_date, number, share, since = (
            a[keep] for a in (people, kinds, outstanding, open_date, number, share, since)
        )
        days = np.where((since != NO_DATE) & (since < self.ref), self.ref - since, 0)
        arrears = np.where(days > 0, np.round(outstanding * share) + 2000, 0.0)
        self.tables["credit_bureau"] = {
            "contract_id": coded_ids(("CB",), 0, (self.prefix * 10**9 + self.f0) * 100 + number, 13),
            "iin": self.iin(people),
            "loan_type": categories(LOAN_TYPES, kinds),
            "outstanding_kzt": pa.array(outstanding),
            "arrears_days": pa.array(days.astype(np.int32)),
            "arrears_kzt": pa.array(arrears),
            "open_date": dates(open_date),
        }

    # ------------------------------------------------------------------ health, education, travel
    def disability(self) -> None:
        rng, n = self.stream("disability"), self.n
        expired_assigned = self.days_between(
            np.maximum(self.birth + 60, ANCHOR_DAYS - 4000), ANCHOR_DAYS - 400, rng.random(n)
        )
        expired_review = self.days_between(ANCHOR_DAYS - 300, ANCHOR_DAYS - 1, rng.random(n))
        indefinite_u = rng.random(n)
        # Re-examination every cycle from a per-person phase: the review date is the next one that is
        # at least a month away, so it moves on only when the period passes it.
        phase = self.days_between(
            ANCHOR_DAYS + 30, ANCHOR_DAYS + 30 + DISABILITY_REVIEW_CYCLE_DAYS, rng.random(n)
        )
        cycles = np.maximum(np.ceil((self.ref + 30 - phase) / DISABILITY_REVIEW_CYCLE_DAYS), 0).astype(
            np.int64
        )
        next_review = phase + cycles * DISABILITY_REVIEW_CYCLE_DAYS

        people = np.flatnonzero(self.disabled)
        assigned = self.dis_assigned[people]
        expired = self.dis_expired[people]
        assigned[expired] = np.minimum(expired_assigned[people[expired]], self.ref - 1)
        child = self.dis_group[people] == 3
        indefinite = ~child & (indefinite_u[people] < 0.45)
        review = np.where(
            child, np.minimum(add_years(self.birth[people], 18), next_review[people]), next_review[people]
        )
        review = np.where(expired, np.minimum(expired_review[people], self.ref - 1), review)
        review = np.where(indefinite & ~expired, NO_DATE, review)
        self.tables["disability"] = {
            "iin": self.iin(people),
            "disability_group": categories(DISABILITY_GROUPS, self.dis_group[people]),
            "assigned_date": dates(assigned),
            "review_date": dates(review),
        }

    def health(self) -> None:
        rng, age, n = self.stream("health"), self.age, self.n
        p = np.select([age < 18, age < 40, age < 60], [0.03, 0.07, 0.22], 0.45)
        chronic = rng.random(n) < p
        second = chronic & (rng.random(n) < 0.25)
        ended = ~chronic & self.adult & (rng.random(n) < 0.04)
        # Per person, three observation slots (first, second, ended): code, start and end.
        code_u = rng.random((n, 3))
        start_u = rng.random((n, 3))
        end_u = rng.random((n, 3))
        slot_mask = np.stack([chronic, second, ended], axis=1)
        people, slot = np.nonzero(slot_mask)
        start = self.days_between(
            np.maximum(self.birth[people] + 30, ANCHOR_DAYS - 3650), ANCHOR_DAYS - 20, start_u[people, slot]
        )
        is_ended = slot == 2
        end = np.where(is_ended, self.days_between(start + 30, ANCHOR_DAYS - 1, end_u[people, slot]), NO_DATE)
        code = code_u[people, slot]
        number = people.astype(np.int64) * 3 + slot

        # Time moves: ongoing observations end and new ones start, month by month after the anchor.
        row_of_number = np.full(n * 3, -1, np.int64)
        row_of_number[number] = np.arange(len(number))
        new_people, new_start, new_code, new_tag = [], [], [], []
        for key, first, after, month_rng in self.month_streams("health"):
            hits = month_rng.integers(0, n * 3, month_rng.binomial(n * 3, HEALTH_END_MONTHLY))
            day = self.days_between(first, after, month_rng.random(len(hits)))
            rows = row_of_number[hits]
            ends_now = (
                (rows >= 0) & (end[np.maximum(rows, 0)] == NO_DATE) & (start[np.maximum(rows, 0)] < first)
            )
            end[rows[ends_now]] = day[ends_now]
            starts = np.flatnonzero((self.adult_since < first) & (month_rng.random(n) < HEALTH_NEW_MONTHLY))
            new_people.append(starts)
            new_start.append(self.days_between(first, after, month_rng.random(n))[starts])
            new_code.append(month_rng.random(n)[starts])
            new_tag.append(np.full(len(starts), key, np.int64))
        # An observation's key: the person and its slot (0-2), or the month it started (> 2).
        tag = slot.astype(np.int64)
        if new_people:
            tag = np.r_[tag, np.concatenate(new_tag)]
            people = np.r_[people, np.concatenate(new_people)]
            start = np.r_[start, np.concatenate(new_start)]
            code = np.r_[code, np.concatenate(new_code)]
            end = np.r_[end, np.full(len(people) - len(end), NO_DATE, np.int64)]
        # Observations starting on or after the reference date do not exist yet; later ends are open.
        keep = np.flatnonzero(start < self.ref)
        keep = keep[np.argsort(people[keep], kind="stable")]
        people, start, code, tag = people[keep], start[keep], code[keep], tag[keep]
        end = np.where(end[keep] < self.ref, end[keep], NO_DATE)
        is_child = self.adult_since[people] > start  # a child when the observation started
        labels = pa.array(
            np.where(
                is_child,
                np.array(ICD10_CHILD, object)[(code * len(ICD10_CHILD)).astype(np.int64)],
                np.array(ICD10_ADULT, object)[(code * len(ICD10_ADULT)).astype(np.int64)],
            ),
            pa.string(),
        )
        self.tables["health"] = {
            "observation_id": coded_ids(("HO",), 0, (self.person_number_base + people) * 1000 + tag, 13),
            "iin": self.iin(people),
            "icd10_code": labels,
            "observation_start": dates(start),
            "observation_end": dates(end),
        }
        self.chronic = np.zeros(n, bool)
        self.chronic[people[end == NO_DATE]] = True

    def education(self) -> None:
        rng, age, n = self.stream("education"), self.age, self.n
        ref_year = self.period.reference_date.year
        ref_month = self.period.reference_date.month
        # The school year starts on 1 September; a child enters school the September after turning 6.
        school_years = ref_year - (ref_month < 9)
        sept = lambda year: np.array([to_days(dt.date(int(y), 9, 1)) for y in np.unique(year)])[  # noqa: E731
            np.searchsorted(np.unique(year), year)
        ]
        birth_year = self.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        preschool = (age >= 3) & (age <= 6) & (rng.random(n) < 0.75)
        school_age = (age >= 7) & (age <= 17)
        missing = school_age & (rng.random(n) < 0.012)  # a few school-age children are in no registry
        in_college_instead = school_age & (age >= 16) & self.college_ft
        pupil = school_age & ~missing & ~in_college_instead
        home = pupil & self.dis_valid & (self.dis_group == 3) & (rng.random(n) < 0.25)
        college = self.college_ft & ~pupil
        university = self.university_ft & ~college & ~pupil
        part_time = (age >= 23) & (age <= 35) & (rng.random(n) < 0.03)
        u = rng.random(n)
        older = self.adult & (age >= 21)
        grad_college = older & (u < 0.30)
        grad_university = older & (u >= 0.22) & (u < 0.52)
        expelled = (age >= 18) & (age <= 25) & (rng.random(n) < 0.01)

        groups = [  # (mask, institution, form, status, start age, end age or None)
            (preschool, 0, 0, 0, 3, None),
            (pupil & ~home, 1, 0, 0, 6, None),
            (home, 1, 2, 0, 6, None),
            (college, 2, 0, 0, 15, None),
            (university, 3, 0, 0, 18, None),
            (part_time, 3, 1, 0, 22, None),
            (grad_college, 2, 0, 1, 16, 19),
            (grad_university, 3, 0, 1, 18, 22),
            (expelled, 3, 0, 2, 18, 19),
        ]
        person, inst, form, status, start, end = [], [], [], [], [], []
        for mask, institution, study_form, state, start_age, end_age in groups:
            who = np.flatnonzero(mask)
            person.append(who)
            inst.append(np.full(len(who), institution, np.int8))
            form.append(np.full(len(who), study_form, np.int8))
            status.append(np.full(len(who), state, np.int8))
            entry_year = np.minimum(birth_year[who] + start_age, school_years)
            entry = sept(entry_year) if len(who) else np.zeros(0, np.int32)
            start.append(entry)
            if end_age is None:
                end.append(np.full(len(who), NO_DATE, np.int32))
            else:
                leave = sept(np.minimum(birth_year[who] + end_age, school_years)) - 70  # late June
                end.append(np.minimum(np.maximum(leave, entry + 200), self.ref - 1))
        person_all = np.concatenate(person)
        order = np.argsort(person_all, kind="stable")
        self.tables["education"] = {
            "iin": self.iin(person_all[order]),
            "institution_type": categories(
                ("preschool", "school", "college", "university"), np.concatenate(inst)[order]
            ),
            "study_form": categories(
                ("full_time", "part_time", "home_schooling"), np.concatenate(form)[order]
            ),
            "status": categories(("enrolled", "graduated", "expelled"), np.concatenate(status)[order]),
            "start_date": dates(np.concatenate(start)[order]),
            "end_date": dates(np.concatenate(end)[order]),
        }
        self.home_schooled = home
        self.missing_school = missing
        self.pupil = pupil | college | university

    def border_crossings(self) -> None:
        # About the last 12 months: redrawn for every period.
        rng, n = self.stream("border_crossings", month_key(self.ref)), self.n
        u = rng.random(n)
        trips = np.select(
            [u < 0.82, u < 0.92, u < 0.97], [0, 1, rng.integers(2, 4, n)], rng.integers(4, 11, n)
        )
        trips = np.where(self.adult, trips, np.where(rng.random(n) < 0.05, 1, 0))
        shuttle = (self.employment == INFORMAL) & (rng.random(n) < 0.15)
        trips = np.where(shuttle, np.maximum(trips, rng.integers(2, 7, n)), trips)
        traveller = np.repeat(np.arange(n), trips)
        t = len(traveller)
        exit_day = self.uniform_days(self.window[0], self.ref - 1, t)
        back = exit_day + rng.integers(2, 21, t)
        returned = back <= self.ref - 1
        point = rng.integers(0, len(BORDER_POINTS), t)
        who = np.r_[traveller, traveller[returned]]
        day = np.r_[exit_day, back[returned]]
        direction = np.r_[np.zeros(t, np.int8), np.ones(returned.sum(), np.int8)]
        # A crossing's key: the traveller, the period, the trip and its direction (two trips can
        # leave on the same day through the same checkpoint).
        trip = np.arange(t) - np.repeat(np.cumsum(trips) - trips, trips)
        trip = np.r_[trip, trip[returned]]
        number = ((self.person_number_base + who) * 1000 + month_key(self.ref)) * 100 + trip * 2 + direction
        order = np.lexsort((day, who))
        self.tables["border_crossings"] = {
            "crossing_id": coded_ids(("BC",), 0, number[order], 15),
            "iin": self.iin(who[order]),
            "crossing_date": dates(day[order]),
            "direction": categories(("exit", "entry"), direction[order]),
            "border_point": categories(BORDER_POINTS, np.r_[point, point[returned]][order]),
        }
        self.trips_12m = trips

    # ------------------------------------------------------------------ agriculture
    def livestock(self) -> None:
        rng, nf = self.stream("livestock"), self.nf
        keeps = rng.random(nf) < np.where(self.fam_rural, 0.45, 0.03)
        big = keeps & (rng.random(nf) < 0.04)
        south_west = self.prefix in (23, 43, 47, 61, 31)
        north = self.prefix in (11, 39, 55, 59, 63)
        p_species = np.array(
            [0.60, 0.20, 0.45, 0.30, 0.03 if south_west else 0.002, 0.04 if north else 0.002, 0.50]
        )
        has = (rng.random((nf, 7)) < p_species[None, :]) & keeps[:, None]
        fam, species = np.nonzero(has)
        low = np.array([1, 1, 5, 2, 1, 1, 5])[species]
        high = np.array([10, 8, 60, 20, 5, 6, 60])[species]
        heads = rng.integers(low, high + 1)
        heads = np.where(big[fam], heads * rng.integers(5, 25, len(fam)), heads)
        self.livestock_value = np.bincount(fam, weights=heads * SPECIES_PRICE_KZT[species], minlength=nf)
        self.tables["livestock"] = {
            "iin": self.iin(self.head[fam]),
            "species": categories(SPECIES, species),
            "head_count": pa.array(heads.astype(np.int32)),
        }

    def land_plots(self) -> None:
        rng, nf = self.stream("land_plots"), self.nf
        household = rng.random(nf) < np.where(self.fam_rural, 0.55, 0.08)
        agricultural = rng.random(nf) < np.where(self.fam_rural, 0.05, 0.005)
        fam = np.r_[np.flatnonzero(household), np.flatnonzero(agricultural)]
        use = np.r_[np.ones(household.sum(), np.int8), np.zeros(agricultural.sum(), np.int8)]
        area = np.where(
            use == 1, rng.uniform(0.04, 0.30, len(fam)), np.exp(rng.normal(np.log(40), 1.2, len(fam)))
        )
        order = np.argsort(fam, kind="stable")
        fam, use, area = fam[order], use[order], area[order]
        self.tables["land_plots"] = {
            "plot_id": coded_ids(("LP",), 0, (self.prefix * 10**9 + self.f0 + fam) * 10 + use, 12),
            "iin": self.iin(self.head[fam]),
            "area_ha": pa.array(np.round(area, 3)),
            "land_use": categories(("agricultural", "household", "other"), use),
            "kato": pa.array(self.fam_kato[fam], pa.string()),
        }
        self.has_land = np.zeros(nf, bool)
        self.has_land[fam] = True

    # ------------------------------------------------------------------ housing waiting list
    def housing_waiting_list(self) -> None:
        rng, nf = self.stream("housing_waiting_list"), self.nf
        children = self.per_family((self.age < 18).astype(float))
        g12 = self.per_family(self.g12.astype(float)) > 0
        child_dis = self.per_family((self.dis_valid & (self.dis_group == 3)).astype(float)) > 0
        orphan = self.per_family(self.orphan.astype(float)) > 0
        many = children >= 4
        category = np.select(
            [g12, child_dis, orphan, many & (rng.random(nf) < 0.5), many], [0, 1, 2, 3, 4], 5
        )
        owner = self.tenure_kind == OWN
        special = category < 5
        p = np.where(owner, np.where(special, 0.05, 0.01), np.where(special, 0.55, 0.15))
        listed_u, registration_u = rng.random(nf), rng.random(nf)
        listed = np.flatnonzero(listed_u < p)
        applicant = np.where(category[listed] == 4, self.family_mother()[listed], self.head[listed])
        registration = self.days_between(
            np.maximum(self.adult_since[applicant], ANCHOR_DAYS - 12 * 365),
            ANCHOR_DAYS - 10,
            registration_u[listed],
        )
        # Entries registered on or after the reference date are not on the list yet.
        on_list = registration < self.ref
        listed, applicant, registration = listed[on_list], applicant[on_list], registration[on_list]
        # queue_number is a rank over the whole region: the generator assigns it after the last chunk.
        self.tables["housing_waiting_list"] = {
            "iin": self.iin(applicant),
            "queue_number": pa.array(np.zeros(len(listed), np.int64)),
            "category": categories(WAITING_CATEGORIES, category[listed]),
            "registration_date": dates(registration),
            "kato": pa.array(self.fam_kato[listed], pa.string()),
        }
        self.waiting = np.zeros(nf, bool)
        self.waiting[listed] = True
        self.waiting_category = np.where(self.waiting, category, -1)

    # ------------------------------------------------------------------ truth
    def truth(self) -> dict[str, np.ndarray | pa.Array]:
        """Latent per-family truth: real income (with what no registry sees) and flags."""
        fam = self.per_family
        wages = fam(self.formal_wage_monthly)
        informal = fam(self.informal_income)
        business = fam(self.trader_income + self.founder_income)
        benefits = fam(self.benefits_monthly)
        assets = (
            self.n_extra_dwellings * EXTRA_DWELLING_RENT_KZT
            + self.n_commercial * COMMERCIAL_RENT_KZT
            + self.livestock_value * LIVESTOCK_ANNUAL_YIELD / 12
        )
        income = wages + informal + business + benefits + assets
        pci = income / self.fam_size
        informal_signal = (self.employment == INFORMAL) & (
            self.recent_car | (self.trips_12m >= 2) | self.dormant_trader
        )
        return {
            "family_id": self.family_id,
            "region_prefix": np.full(self.nf, self.prefix, np.int16),
            "settlement_type": self.fam_settlement.astype(np.int8),
            "n_members": self.fam_size.astype(np.int32),
            "n_children": fam((self.age < 18).astype(float)).astype(np.int32),
            "true_income_wages_kzt": np.round(wages, 2),
            "true_income_informal_kzt": np.round(informal, 2),
            "true_income_business_kzt": np.round(business, 2),
            "true_income_pensions_benefits_kzt": np.round(benefits, 2),
            "true_income_assets_kzt": np.round(assets, 2),
            "true_income_kzt": np.round(income, 2),
            "true_per_capita_income_kzt": np.round(pci, 2),
            "true_pci_ratio": np.round(pci / self.pm_ref, 6),
            "tenure": categories(("own", "rent_private", "rent_state", "with_relatives"), self.tenure_kind),
            "has_disability": fam(self.dis_valid.astype(float)) > 0,
            "has_disability_g12": fam(self.g12.astype(float)) > 0,
            "has_child_disability": fam((self.dis_valid & (self.dis_group == 3)).astype(float)) > 0,
            "has_home_schooled_child": fam(self.home_schooled.astype(float)) > 0,
            "has_pupil_or_student": fam(self.pupil.astype(float)) > 0,
            "has_informal_earner": fam((self.employment == INFORMAL).astype(float)) > 0,
            "n_informal_with_signal": fam(informal_signal.astype(float)).astype(np.int32),
            "has_chronic": fam(self.chronic.astype(float)) > 0,
            "has_school_age_not_enrolled": fam(self.missing_school.astype(float)) > 0,
            "on_waiting_list": self.waiting,
            "n_extra_dwellings": self.n_extra_dwellings.astype(np.int32),
            "livestock_value_kzt": self.livestock_value,
        }

    def build(self) -> ChunkOutput:
        """Run every generator in a fixed order and return the chunk's tables and truth."""
        self.attributes()
        self.tenure()
        self.population()
        self.families()
        self.pension_contributions()
        self.entrepreneur_income()
        self.pensions_benefits()
        self.targeted_assistance()
        self.business_registry()
        self.real_estate()
        self.vehicles()
        self.credit_bureau()
        self.disability()
        self.health()
        self.education()
        self.border_crossings()
        self.livestock()
        self.land_plots()
        self.rent_contracts()
        self.housing_costs()
        self.housing_waiting_list()
        return ChunkOutput(self.tables, self.truth())
