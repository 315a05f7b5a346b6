"""Housing: the real estate cadastre, rent contracts, utilities billing, the housing waiting list."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from registry_simulator.chunk import Step, month_key
from registry_simulator.columns import NO_DATE, add_years, categories, coded_ids, dates, money
from registry_simulator.constants import (
    ANCHOR_DAYS,
    OWN,
    RENT_PRIVATE,
    RENT_STATE,
    WAITING_CATEGORIES,
    WITH_RELATIVES,
)
from registry_simulator.population import SPOUSE


def real_estate(s: Step) -> None:
    rng, nf = s.stream("real_estate"), s.nf
    own = np.flatnonzero(s.tenure_kind == OWN)
    earning = s.latent_earning()
    wealth = (earning / s.fam_size).argsort().argsort() / max(nf - 1, 1)
    p_extra = 0.02 + 0.14 * wealth**3
    u = rng.random(nf)
    n_extra = np.where(u < p_extra, 1 + (rng.random(nf) < 0.25) * rng.integers(1, 8, nf), 0)
    n_extra = np.where(s.tenure_kind == OWN, n_extra, (u < p_extra * 0.3).astype(np.int64))
    trader_family = s.per_family(s.sole_trader.astype(float) + s.has_founder) > 0
    n_commercial = (rng.random(nf) < np.where(trader_family, 0.10, 0.008)).astype(np.int64)
    n_commercial += (n_commercial > 0) & (rng.random(nf) < 0.2)
    s.n_extra_dwellings, s.n_commercial = n_extra, n_commercial
    # Per family and object slot (primary, second owner, up to 8 extra, 2 commercial): area, date.
    area_noise = rng.normal(0, 1, (nf, 10))
    date_u = rng.random((nf, 12))

    # Primary dwellings: the head owns it, or head and spouse half each.
    spouse_of = np.full(nf, -1)
    spouse = np.flatnonzero(s.role == SPOUSE)
    spouse_of[s.fam[spouse]] = spouse
    shared = (spouse_of[own] >= 0) & (rng.random(nf)[own] < 0.3)
    own_fam = np.r_[own, own[shared]]
    owner = np.r_[s.head[own], spouse_of[own][shared]]
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

    base = s.prefix * 10**9 + s.f0
    object_id = pa.concat_arrays(
        [
            coded_ids(("RE",), 0, base + own_fam, 11),
            coded_ids(("RX",), 0, (base + extra_fam) * 10 + extra_seq, 12),
            coded_ids(("CM",), 0, (base + comm_fam) * 10 + comm_seq, 12),
        ]
    )
    fam_all = np.r_[own_fam, extra_fam, comm_fam]
    owner_all = np.r_[owner, s.head[extra_fam], s.head[comm_fam]]
    area = np.r_[
        s.dwelling_area[own_fam],
        np.round(45 * np.exp(0.4 * area_noise[extra_fam, extra_seq]), 1),
        np.round(120 * np.exp(0.7 * area_noise[comm_fam, 8 + comm_seq]), 1),
    ]
    slot = np.r_[own_slot, 2 + extra_seq, 10 + comm_seq]
    registration = s.days_between(
        np.maximum(s.adult_since[owner_all], ANCHOR_DAYS - 9000),
        ANCHOR_DAYS - 30,
        date_u[fam_all, slot],
    )
    s.tables["real_estate"] = {
        "object_id": object_id,
        "iin": s.iin(owner_all),
        "property_type": categories(
            ("residential", "commercial"),
            np.r_[np.zeros(len(own_fam) + len(extra_fam)), np.ones(len(comm_fam))],
        ),
        "area_m2": pa.array(area),
        "ownership_share": pa.array(np.r_[share, np.ones(len(extra_fam) + len(comm_fam))]),
        "kato": pa.array(s.fam_kato[fam_all], pa.string()),
        # The families own these dwellings now: a date the period has not reached is held at its eve.
        "registration_date": dates(np.minimum(registration, s.ref - 1)),
    }


def rent_contracts(s: Step) -> None:
    rng, nf = s.stream("rent_contracts"), s.nf
    rent_noise, area_noise = rng.normal(0, 0.2, nf), rng.normal(0, 0.3, nf)
    start_u, renews, has_earlier, earlier_u = (
        rng.random(nf),
        rng.random(nf),
        rng.random(nf),
        rng.random(nf),
    )
    renters = np.flatnonzero((s.tenure_kind == RENT_PRIVATE) | (s.tenure_kind == RENT_STATE))
    private = s.tenure_kind[renters] == RENT_PRIVATE
    area = s.dwelling_area[renters] * 0.85
    settlement_factor = np.where(s.fam_settlement[renters] <= 2, 1.0, 0.6)
    rent = s.region.private_rent_kzt * settlement_factor * (area / 50) ** 0.7 * np.exp(rent_noise[renters])
    rent = np.where(private, rent, rent * 0.2)
    start = s.days_between(ANCHOR_DAYS - 3 * 365, ANCHOR_DAYS - 15, start_u[renters])
    start = np.minimum(start, s.ref - 1)
    # A private contract runs year by year: its end moves on by a year when the period passes it.
    years = np.ceil((s.ref - start) / 365.0).astype(np.int64).clip(1)
    end = np.where(private & (renews[renters] < 0.6), add_years(start, years) - 1, NO_DATE)
    # A tenth of renters also have an earlier contract that ended (another dwelling).
    earlier = renters[has_earlier[renters] < 0.10]
    earlier_private = s.tenure_kind[earlier] == RENT_PRIVATE
    earlier_end = s.days_between(ANCHOR_DAYS - 5 * 365, ANCHOR_DAYS - 3 * 365, earlier_u[earlier])
    earlier_start = earlier_end - 365
    tenant = np.r_[s.head[renters], s.head[earlier]]
    kind = np.r_[np.where(private, 0, 1), np.where(earlier_private, 0, 1)]
    base = s.prefix * 10**9 + s.f0
    dwelling = pa.concat_arrays(
        [
            s.dwelling_ids(renters),
            coded_ids(("RP", "RS"), kind[len(renters) :], base + s.nf + earlier, 11),
        ]
    )
    contract_no = np.r_[renters * 2, earlier * 2 + 1] + (s.f0 * 2)
    s.tables["rent_contracts"] = {
        "contract_id": coded_ids(("RC",), 0, s.prefix * 10**10 + contract_no, 12),
        "iin": s.iin(tenant),
        "landlord_type": categories(("private", "state"), kind),
        "dwelling_id": dwelling,
        "area_m2": pa.array(np.round(np.r_[area, 50 * np.exp(area_noise[earlier])], 1)),
        "monthly_rent_kzt": money(
            np.r_[rent, np.where(earlier_private, 1.0, 0.2) * s.region.private_rent_kzt * 0.8]
        ),
        "start_date": dates(np.r_[start, earlier_start]),
        "end_date": dates(np.r_[end, earlier_end]),
    }


def housing_costs(s: Step) -> None:
    # The bill is about the period's last month: its own stream.
    rng = s.stream("housing_costs", month_key(int(s.window[-1])))
    billed = np.flatnonzero((s.tenure_kind != WITH_RELATIVES) & (rng.random(s.nf) < 0.97))
    billing_month = s.window[-1]
    heating = 1.6 if s.period.window_months[-1].month in (10, 11, 12, 1, 2, 3, 4) else 1.0
    flat = s.fam_settlement[billed] <= 2
    utilities = (
        np.where(s.fam_rural[billed], 15_000, 24_000)
        * heating
        * (0.8 + 0.07 * s.fam_size[billed])
        * np.exp(rng.normal(0, 0.25, len(billed)))
    )
    maintenance = np.where(flat, s.dwelling_area[billed] * rng.uniform(60, 120, len(billed)), 0.0)
    s.tables["housing_costs"] = {
        "dwelling_id": s.dwelling_ids(billed),
        "payer_iin": s.iin(s.head[billed]),
        "billing_month": dates(np.full(len(billed), billing_month)),
        "utilities_kzt": money(utilities),
        "maintenance_kzt": money(maintenance),
    }


def housing_waiting_list(s: Step) -> None:
    rng, nf = s.stream("housing_waiting_list"), s.nf
    children = s.per_family((s.age < 18).astype(float))
    g12 = s.per_family(s.g12.astype(float)) > 0
    child_dis = s.per_family((s.dis_valid & (s.dis_group == 3)).astype(float)) > 0
    orphan = s.per_family(s.orphan.astype(float)) > 0
    many = children >= 4
    category = np.select([g12, child_dis, orphan, many & (rng.random(nf) < 0.5), many], [0, 1, 2, 3, 4], 5)
    owner = s.tenure_kind == OWN
    special = category < 5
    p = np.where(owner, np.where(special, 0.05, 0.01), np.where(special, 0.55, 0.15))
    listed_u, registration_u = rng.random(nf), rng.random(nf)
    listed = np.flatnonzero(listed_u < p)
    applicant = np.where(category[listed] == 4, s.family_mother()[listed], s.head[listed])
    registration = s.days_between(
        np.maximum(s.adult_since[applicant], ANCHOR_DAYS - 12 * 365),
        ANCHOR_DAYS - 10,
        registration_u[listed],
    )
    # Entries registered on or after the reference date are not on the list yet.
    on_list = registration < s.ref
    listed, applicant, registration = listed[on_list], applicant[on_list], registration[on_list]
    # queue_number is a rank over the whole region: the generator assigns it after the last chunk.
    s.tables["housing_waiting_list"] = {
        "iin": s.iin(applicant),
        "queue_number": pa.array(np.zeros(len(listed), np.int64)),
        "category": categories(WAITING_CATEGORIES, category[listed]),
        "registration_date": dates(registration),
        "kato": pa.array(s.fam_kato[listed], pa.string()),
    }
    s.waiting = np.zeros(nf, bool)
    s.waiting[listed] = True
    s.waiting_category = np.where(s.waiting, category, -1)
