"""The credit bureau, disability decisions, health observation, education, border crossings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from registry_simulator.chunk import Step, month_key
from registry_simulator.columns import NO_DATE, add_years, categories, coded_ids, dates
from registry_simulator.constants import (
    ANCHOR_DAYS,
    BORDER_POINTS,
    CREDIT_CURE_MONTHLY,
    CREDIT_DEFAULT_MONTHLY,
    CREDIT_NEW_MONTHLY,
    CREDIT_REPAID_MONTHLY,
    DISABILITY_GROUPS,
    DISABILITY_REVIEW_CYCLE_DAYS,
    HEALTH_END_MONTHLY,
    HEALTH_NEW_MONTHLY,
    ICD10_ADULT,
    ICD10_CHILD,
    INFORMAL,
    LOAN_KINDS,
    LOAN_TYPES,
    NEW_LOAN_BASE,
    NEW_LOANS_PER_MONTH,
    OWN,
)
from registry_simulator.period import to_days


def credit_bureau(s: Step) -> None:
    rng, n = s.stream("credit_bureau"), s.n
    borrower_age = s.adult & (s.age < 75)
    poor = (s.latent_earning() / s.fam_size)[s.fam] < s.pm_ref
    p = np.array([0.0, 0.30, 0.0, 0.06, 0.12])
    draws = rng.random((n, LOAN_KINDS)) < p[None, :]
    draws[:, 3] |= poor & (rng.random(n) < 0.08)  # microcredit is more common in poorer families
    draws[:, 2] = rng.random(n) < 0.04
    draws &= borrower_age[:, None]
    mortgage_fam = np.flatnonzero(
        (s.tenure_kind == OWN) & (rng.random(s.nf) < np.where(s.fam_rural, 0.03, 0.10))
    )
    draws[s.head[mortgage_fam], 0] = True
    # Per (person, loan kind) slot: amount, arrears at the anchor, opening date.
    median_of_kind = np.array([12e6, 800e3, 4e6, 150e3, 300e3])
    # (float32: five slots per person make these the largest draws of the chunk.)
    slot_normal = rng.standard_normal((n, LOAN_KINDS), dtype=np.float32)
    slot_u = rng.random((n, LOAN_KINDS, 4), dtype=np.float32)  # arrears?, how late, arrears share, opening
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
    open_date = s.days_between(
        np.maximum(ANCHOR_DAYS - max_years * 365, s.adult_since[people]), ANCHOR_DAYS - 15, open_u
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
    for key, first, after, month_rng in s.month_streams("credit_bureau"):
        gone = row_of_number[
            month_rng.integers(0, n * LOAN_KINDS, month_rng.binomial(n * LOAN_KINDS, CREDIT_REPAID_MONTHLY))
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
                since[current] = s.days_between(first, after, month_rng.random(len(current)))
        eligible = (s.adult_since < first) & (add_years(s.birth, 75) > first)
        takers = np.flatnonzero(eligible & (month_rng.random(n) < CREDIT_NEW_MONTHLY))
        kind = month_rng.choice([1, 3, 4], len(takers), p=[0.5, 0.3, 0.2])
        new["people"].append(takers)
        new["kinds"].append(kind)
        new["outstanding"].append(
            np.round(median_of_kind[kind] * np.exp(month_rng.normal(0, 0.6, len(takers))))
        )
        new["open"].append(s.days_between(first, after, month_rng.random(len(takers))))
        k = key - s.churn_months[0]
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
    keep = (open_date < s.ref) & ~repaid
    people, kinds, outstanding, open_date, number, share, since = (
        a[keep] for a in (people, kinds, outstanding, open_date, number, share, since)
    )
    days = np.where((since != NO_DATE) & (since < s.ref), s.ref - since, 0)
    arrears = np.where(days > 0, np.round(outstanding * share) + 2000, 0.0)
    s.tables["credit_bureau"] = {
        "contract_id": coded_ids(("CB",), 0, (s.prefix * 10**9 + s.f0) * 100 + number, 13),
        "iin": s.iin(people),
        "loan_type": categories(LOAN_TYPES, kinds),
        "outstanding_kzt": pa.array(outstanding),
        "arrears_days": pa.array(days.astype(np.int32)),
        "arrears_kzt": pa.array(arrears),
        "open_date": dates(open_date),
    }


def disability(s: Step) -> None:
    rng, n = s.stream("disability"), s.n
    expired_assigned = s.days_between(
        np.maximum(s.birth + 60, ANCHOR_DAYS - 4000), ANCHOR_DAYS - 400, rng.random(n)
    )
    expired_review = s.days_between(ANCHOR_DAYS - 300, ANCHOR_DAYS - 1, rng.random(n))
    indefinite_u = rng.random(n)
    # Re-examination every cycle from a per-person phase: the review date is the next one that is
    # at least a month away, so it moves on only when the period passes it.
    phase = s.days_between(ANCHOR_DAYS + 30, ANCHOR_DAYS + 30 + DISABILITY_REVIEW_CYCLE_DAYS, rng.random(n))
    cycles = np.maximum(np.ceil((s.ref + 30 - phase) / DISABILITY_REVIEW_CYCLE_DAYS), 0).astype(np.int64)
    next_review = phase + cycles * DISABILITY_REVIEW_CYCLE_DAYS

    people = np.flatnonzero(s.disabled)
    assigned = s.dis_assigned[people]
    expired = s.dis_expired[people]
    assigned[expired] = np.minimum(expired_assigned[people[expired]], s.ref - 1)
    child = s.dis_group[people] == 3
    indefinite = ~child & (indefinite_u[people] < 0.45)
    review = np.where(
        child, np.minimum(add_years(s.birth[people], 18), next_review[people]), next_review[people]
    )
    review = np.where(expired, np.minimum(expired_review[people], s.ref - 1), review)
    review = np.where(indefinite & ~expired, NO_DATE, review)
    s.tables["disability"] = {
        "iin": s.iin(people),
        "disability_group": categories(DISABILITY_GROUPS, s.dis_group[people]),
        "assigned_date": dates(assigned),
        "review_date": dates(review),
    }


def health(s: Step) -> None:
    rng, age, n = s.stream("health"), s.age, s.n
    p = np.select([age < 18, age < 40, age < 60], [0.03, 0.07, 0.22], 0.45)
    chronic = rng.random(n) < p
    second = chronic & (rng.random(n) < 0.25)
    ended = ~chronic & s.adult & (rng.random(n) < 0.04)
    # Per person, three observation slots (first, second, ended): code, start and end.
    code_u = rng.random((n, 3))
    start_u = rng.random((n, 3))
    end_u = rng.random((n, 3))
    slot_mask = np.stack([chronic, second, ended], axis=1)
    people, slot = np.nonzero(slot_mask)
    start = s.days_between(
        np.maximum(s.birth[people] + 30, ANCHOR_DAYS - 3650), ANCHOR_DAYS - 20, start_u[people, slot]
    )
    is_ended = slot == 2
    end = np.where(is_ended, s.days_between(start + 30, ANCHOR_DAYS - 1, end_u[people, slot]), NO_DATE)
    code = code_u[people, slot]
    number = people.astype(np.int64) * 3 + slot

    # Time moves: ongoing observations end and new ones start, month by month after the anchor.
    row_of_number = np.full(n * 3, -1, np.int64)
    row_of_number[number] = np.arange(len(number))
    new_people, new_start, new_code, new_tag = [], [], [], []
    for key, first, after, month_rng in s.month_streams("health"):
        hits = month_rng.integers(0, n * 3, month_rng.binomial(n * 3, HEALTH_END_MONTHLY))
        day = s.days_between(first, after, month_rng.random(len(hits)))
        rows = row_of_number[hits]
        ends_now = (rows >= 0) & (end[np.maximum(rows, 0)] == NO_DATE) & (start[np.maximum(rows, 0)] < first)
        end[rows[ends_now]] = day[ends_now]
        starts = np.flatnonzero((s.adult_since < first) & (month_rng.random(n) < HEALTH_NEW_MONTHLY))
        new_people.append(starts)
        new_start.append(s.days_between(first, after, month_rng.random(n))[starts])
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
    keep = np.flatnonzero(start < s.ref)
    keep = keep[np.argsort(people[keep], kind="stable")]
    people, start, code, tag = people[keep], start[keep], code[keep], tag[keep]
    end = np.where(end[keep] < s.ref, end[keep], NO_DATE)
    is_child = s.adult_since[people] > start  # a child when the observation started
    labels = pa.array(
        np.where(
            is_child,
            np.array(ICD10_CHILD, object)[(code * len(ICD10_CHILD)).astype(np.int64)],
            np.array(ICD10_ADULT, object)[(code * len(ICD10_ADULT)).astype(np.int64)],
        ),
        pa.string(),
    )
    s.tables["health"] = {
        "observation_id": coded_ids(("HO",), 0, (s.person_number_base + people) * 1000 + tag, 13),
        "iin": s.iin(people),
        "icd10_code": labels,
        "observation_start": dates(start),
        "observation_end": dates(end),
    }
    s.chronic = np.zeros(n, bool)
    s.chronic[people[end == NO_DATE]] = True


def education(s: Step) -> None:
    rng, age, n = s.stream("education"), s.age, s.n
    ref_year = s.period.reference_date.year
    ref_month = s.period.reference_date.month
    # The school year starts on 1 September; a child enters school the September after turning 6.
    school_years = ref_year - (ref_month < 9)
    sept = lambda year: np.array([to_days(dt.date(int(y), 9, 1)) for y in np.unique(year)])[  # noqa: E731
        np.searchsorted(np.unique(year), year)
    ]
    birth_year = s.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    preschool = (age >= 3) & (age <= 6) & (rng.random(n) < 0.75)
    school_age = (age >= 7) & (age <= 17)
    missing = school_age & (rng.random(n) < 0.012)  # a few school-age children are in no registry
    in_college_instead = school_age & (age >= 16) & s.college_ft
    pupil = school_age & ~missing & ~in_college_instead
    home = pupil & s.dis_valid & (s.dis_group == 3) & (rng.random(n) < 0.25)
    college = s.college_ft & ~pupil
    university = s.university_ft & ~college & ~pupil
    part_time = (age >= 23) & (age <= 35) & (rng.random(n) < 0.03)
    u = rng.random(n)
    older = s.adult & (age >= 21)
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
            end.append(np.minimum(np.maximum(leave, entry + 200), s.ref - 1))
    person_all = np.concatenate(person)
    order = np.argsort(person_all, kind="stable")
    s.tables["education"] = {
        "iin": s.iin(person_all[order]),
        "institution_type": categories(
            ("preschool", "school", "college", "university"), np.concatenate(inst)[order]
        ),
        "study_form": categories(("full_time", "part_time", "home_schooling"), np.concatenate(form)[order]),
        "status": categories(("enrolled", "graduated", "expelled"), np.concatenate(status)[order]),
        "start_date": dates(np.concatenate(start)[order]),
        "end_date": dates(np.concatenate(end)[order]),
    }
    s.home_schooled = home
    s.missing_school = missing
    s.pupil = pupil | college | university


def border_crossings(s: Step) -> None:
    # About the last 12 months: redrawn for every period.
    rng, n = s.stream("border_crossings", month_key(s.ref)), s.n
    u = rng.random(n)
    trips = np.select([u < 0.82, u < 0.92, u < 0.97], [0, 1, rng.integers(2, 4, n)], rng.integers(4, 11, n))
    trips = np.where(s.adult, trips, np.where(rng.random(n) < 0.05, 1, 0))
    shuttle = (s.employment == INFORMAL) & (rng.random(n) < 0.15)
    trips = np.where(shuttle, np.maximum(trips, rng.integers(2, 7, n)), trips)
    traveller = np.repeat(np.arange(n), trips)
    t = len(traveller)
    exit_day = s.uniform_days(s.window[0], s.ref - 1, t)
    back = exit_day + rng.integers(2, 21, t)
    returned = back <= s.ref - 1
    point = rng.integers(0, len(BORDER_POINTS), t)
    who = np.r_[traveller, traveller[returned]]
    day = np.r_[exit_day, back[returned]]
    direction = np.r_[np.zeros(t, np.int8), np.ones(returned.sum(), np.int8)]
    # A crossing's key: the traveller, the period, the trip and its direction (two trips can
    # leave on the same day through the same checkpoint).
    trip = np.arange(t) - np.repeat(np.cumsum(trips) - trips, trips)
    trip = np.r_[trip, trip[returned]]
    number = ((s.person_number_base + who) * 1000 + month_key(s.ref)) * 100 + trip * 2 + direction
    order = np.lexsort((day, who))
    s.tables["border_crossings"] = {
        "crossing_id": coded_ids(("BC",), 0, number[order], 15),
        "iin": s.iin(who[order]),
        "crossing_date": dates(day[order]),
        "direction": categories(("exit", "entry"), direction[order]),
        "border_point": categories(BORDER_POINTS, np.r_[point, point[returned]][order]),
    }
    s.trips_12m = trips
