"""Income registries: pension contributions, form 910 declarations, pensions and benefits (with targeted social assistance), the business registry."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from registry_simulator.chunk import Step, month_key
from registry_simulator.columns import NO_DATE, add_years, categories, coded_ids, dates
from registry_simulator.constants import (
    ANCHOR_DAYS,
    BENEFIT_TYPES,
    FORMAL,
    FOUNDER_DIVIDEND_SHARE,
    JOB_SPELL_DAYS,
)
from registry_simulator.period import to_days


def pension_contributions(s: Step) -> None:
    rng = s.stream("pension_contributions")
    n = s.n
    # Per person: one employer, and maybe a job started or lost on a date around the anchor or
    # irregular months; each calendar month then has its own noise stream, so a month's row is the
    # same in every period whose window holds it (the window just shifts).
    pool = s.bins(max(n // 36, 1))
    employer = rng.integers(0, len(pool), n)
    r = rng.random(n)
    # A tenth of earners change jobs: on a per-person phase, a year in work then a year out, so any
    # window holds a start or a loss for them; the calendar decides, not the period.
    phase = s.days_between(0, 2 * JOB_SPELL_DAYS, rng.random(n))
    earners = np.flatnonzero(s.employment == FORMAL)
    e = len(earners)
    paid = np.ones((e, 12), bool)
    wage = np.empty((e, 12))
    r_e, phase_e = r[earners], phase[earners]
    for m, start in enumerate(s.window):
        month_rng = s.stream("pension_contributions", month_key(start))
        # float32 draws: one per person and month is the bulk of the cost, and enough precision.
        noise = 0.06 * month_rng.standard_normal(n, dtype=np.float32)[earners]
        irregular = month_rng.random(n, dtype=np.float32)[earners] < 0.25
        out_of_work = (start - phase_e) % (2 * JOB_SPELL_DAYS) >= JOB_SPELL_DAYS
        paid[:, m] &= ~((r_e < 0.09) & out_of_work)  # started or lost the job during the window
        paid[:, m] &= ~((r_e >= 0.09) & (r_e < 0.14) & irregular)  # irregular months
        wage[:, m] = s.wage[earners] * np.exp(noise)
    rows_e, rows_m = np.nonzero(paid)
    contribution = np.round(wage[rows_e, rows_m] * 0.10)
    s.tables["pension_contributions"] = {
        "iin": s.iin(earners[rows_e]),
        "month": dates(s.window[rows_m]),
        "employer_bin": pool.take(pa.array(employer[earners][rows_e])),
        "contribution_kzt": pa.array(contribution),
    }
    # True wages: what the contributions say, plus nothing hidden.
    s.formal_wage_monthly = np.zeros(s.n)
    s.formal_wage_monthly[earners] = np.bincount(rows_e, weights=contribution * 10, minlength=e) / 12
    s.formal_recent = np.zeros(s.n, bool)
    s.formal_recent[earners] = paid[:, 9:].any(axis=1)


def entrepreneur_income(s: Step) -> None:
    rng = s.stream("entrepreneur_income")
    ref_date = s.period.reference_date
    window_start = s.period.window_months[0]
    halves = []
    for year in (ref_date.year - 2, ref_date.year - 1, ref_date.year):
        for start_month in (1, 7):
            start = dt.date(year, start_month, 1)
            end = dt.date(year, 6, 30) if start_month == 1 else dt.date(year, 12, 31)
            # Form 910 is filed by the 15th of the second month after the half-year.
            if end >= window_start and end + dt.timedelta(days=46) < ref_date:
                halves.append((to_days(start), to_days(end)))
    traders = np.flatnonzero(s.sole_trader)
    t = len(traders)
    registration = s.days_between(
        np.maximum(s.adult_since, ANCHOR_DAYS - 3650), ANCHOR_DAYS - 60, rng.random(s.n)
    )
    s.trader_registration = np.minimum(registration[traders], s.ref - 1)
    rows_t, starts, ends, amounts = [], [], [], []
    for first_day, last_day in halves:
        active = np.flatnonzero(s.trader_registration < last_day)
        # The declaration of a half-year is drawn from that half-year's stream.
        noise = s.stream("entrepreneur_income", month_key(first_day)).normal(0, 0.15, s.n)
        income = (
            s.trader_income[traders[active]]
            * s.declared_share[traders[active]]
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
    s.tables["entrepreneur_income"] = {
        "iin": s.iin(traders[rows]),
        "period_start": dates(np.concatenate(starts)[order] if starts else rows),
        "period_end": dates(np.concatenate(ends)[order] if ends else rows),
        "declared_income_kzt": pa.array(amount, pa.float64()),
    }
    declared_total = np.bincount(rows, weights=amount, minlength=t)
    s.trader_declared_12m = declared_total
    s.declared_monthly = np.zeros(s.n)
    s.declared_monthly[traders] = declared_total / max(6 * len(halves), 1)


def _payments(s: Step) -> None:
    rng, window = s.stream("pensions_benefits"), s.window
    latest_year = s.window_years.max()
    index = np.where(s.window_years == latest_year, 1.0, 1 / 1.08)  # January indexation
    person, month, kind, amount = [], [], [], []

    def add(who: np.ndarray, paid: np.ndarray, benefit: int, monthly: np.ndarray) -> None:
        rows_p, rows_m = np.nonzero(paid)
        person.append(who[rows_p])
        month.append(rows_m)
        kind.append(np.full(len(rows_p), benefit, np.int8))
        amount.append(monthly[rows_p, rows_m] if monthly.ndim == 2 else monthly[rows_p])

    retired = np.flatnonzero(s.pensioner)
    retire_day = add_years(s.birth[retired], s.pension_age[retired])
    base = np.maximum(np.exp(rng.normal(np.log(165_000), 0.25, s.n))[retired], 0.9 * s.pm_ref)
    add(retired, retire_day[:, None] < window[None, :], 0, base[:, None] * index[None, :])

    disabled = np.flatnonzero(s.dis_valid)
    coefficient = np.array([1.76, 1.40, 0.96, 1.40])[s.dis_group[disabled]]
    add(
        disabled,
        s.dis_assigned[disabled][:, None] < window[None, :],
        1,
        coefficient[:, None] * s.pm_window[None, :],
    )

    survivors = np.flatnonzero((s.age < 18) & (rng.random(s.n) < 0.01))
    add(
        survivors,
        np.ones((len(survivors), 12), bool),
        2,
        np.broadcast_to(0.9 * s.pm_window, (len(survivors), 12)),
    )

    # Childcare allowance to the mother for a child under 18 months.
    babies = np.flatnonzero(s.age < 2)
    fam_of = s.fam[babies]
    mother = s.family_mother()[fam_of]
    under = (s.birth[babies][:, None] <= window[None, :]) & (
        add_years(s.birth[babies], 1.5)[:, None] > window
    )
    add(mother, under, 3, np.broadcast_to(6 * s.mrp_window, (len(babies), 12)))

    rows_p = np.concatenate(person)
    rows_m = np.concatenate(month)
    rows_k = np.concatenate(kind)
    values = np.round(np.concatenate(amount))
    s.benefits_monthly = np.bincount(rows_p, weights=values, minlength=s.n) / 12
    s.benefit_rows = (rows_p, rows_m, rows_k, values)


def _targeted_assistance(s: Step) -> None:
    """ASP ('other' benefit) for part of the families whose registered income is under the line."""
    rng = s.stream("targeted_assistance")
    registered = s.per_family(s.formal_wage_monthly + s.declared_monthly + s.benefits_monthly)
    gap = 0.7 * s.pm_ref * s.fam_size - registered
    takers = np.flatnonzero((gap > 0) & (rng.random(s.nf) < 0.08))
    months = np.zeros((len(takers), 12), bool)
    months[:, 6:] = True
    rows_p, rows_m, rows_k, values = s.benefit_rows
    extra_f, extra_m = np.nonzero(months)
    extra = np.round(gap[takers][extra_f])
    rows_p = np.r_[rows_p, s.head[takers][extra_f]]
    rows_m = np.r_[rows_m, extra_m]
    rows_k = np.r_[rows_k, np.full(len(extra), 4, np.int8)]
    values = np.r_[values, extra]
    s.benefits_monthly = np.bincount(rows_p, weights=values, minlength=s.n) / 12
    order = np.lexsort((rows_m, rows_k, rows_p))
    rows_p, rows_m, rows_k, values = rows_p[order], rows_m[order], rows_k[order], values[order]
    # Two payments of the same kind to the same person in the same month (a childcare
    # allowance for each of two babies) are two rows: a sequence number tells them apart.
    group = np.r_[True, (np.diff(rows_p) != 0) | (np.diff(rows_m) != 0) | (np.diff(rows_k) != 0)]
    starts = np.flatnonzero(group)
    sequence = np.arange(len(rows_p)) - np.repeat(starts, np.diff(np.r_[starts, len(rows_p)]))
    months = np.array([month_key(day) for day in s.window], np.int64)[rows_m]
    number = ((s.person_number_base + rows_p) * 1000 + months) * 100 + rows_k * 10 + sequence
    s.tables["pensions_benefits"] = {
        "payment_id": coded_ids(("PB",), 0, number, 15),
        "iin": s.iin(rows_p),
        "month": dates(s.window[rows_m]),
        "benefit_type": categories(BENEFIT_TYPES, rows_k),
        "amount_kzt": pa.array(values),
    }


def pensions_benefits(s: Step) -> None:
    """Pension and benefit payments, then targeted social assistance (ASP) for part of the
    families whose registered income is under the line: one registry, two draws."""
    _payments(s)
    _targeted_assistance(s)


def business_registry(s: Step) -> None:
    rng, n = s.stream("business_registry"), s.n
    traders = np.flatnonzero(s.sole_trader)
    formerly = np.flatnonzero(s.adult & (s.age >= 25) & ~s.sole_trader & (rng.random(n) < 0.04))
    wage_rank = s.wage.argsort().argsort() / max(n - 1, 1)
    founders = np.flatnonzero(
        s.adult & (s.age >= 25) & (s.age < 75) & (rng.random(n) < 0.01 + 0.05 * wage_rank**4)
    )
    former_reg = s.days_between(
        np.maximum(s.adult_since, ANCHOR_DAYS - 7300), ANCHOR_DAYS - 400, rng.random(n)
    )
    former_dereg = s.days_between(former_reg + 180, ANCHOR_DAYS - 30, rng.random(n))
    founder_reg = s.days_between(
        np.maximum(add_years(s.birth, 20), ANCHOR_DAYS - 7300), ANCHOR_DAYS - 90, rng.random(n)
    )
    revenue = np.round(np.exp(rng.normal(np.log(30e6), 1.2, n)))
    bin_parts = (rng.integers(0, 26, n), rng.integers(1, 13, n), rng.integers(0, 100_000, n))
    # Registrations dated on or after the reference date do not exist yet.
    formerly = formerly[former_reg[formerly] < s.ref]
    founders = founders[founder_reg[founders] < s.ref]
    dereg = np.where(former_dereg[formerly] < s.ref, former_dereg[formerly], NO_DATE)
    s.founder_income = np.zeros(n)
    s.founder_income[founders] = revenue[founders] * FOUNDER_DIVIDEND_SHARE / 12
    person = np.r_[traders, formerly, founders]
    trader_iin = s.iin(traders)
    s.tables["business_registry"] = {
        "iin": s.iin(person),
        "bin": pa.concat_arrays(
            [trader_iin, s.iin(formerly), s.bins_from(*(part[founders] for part in bin_parts))]
        ),
        "business_role": categories(
            ("sole_trader", "company_founder"),
            np.r_[np.zeros(len(traders) + len(formerly), np.int8), np.ones(len(founders), np.int8)],
        ),
        "registration_date": dates(np.r_[s.trader_registration, former_reg[formerly], founder_reg[founders]]),
        "deregistration_date": dates(
            np.r_[np.full(len(traders), NO_DATE), dereg, np.full(len(founders), NO_DATE)]
        ),
        "declared_income_12m_kzt": pa.array(
            np.r_[np.round(s.trader_declared_12m), np.zeros(len(formerly)), revenue[founders]]
        ),
    }
    s.has_founder = np.zeros(n, bool)
    s.has_founder[founders] = True
