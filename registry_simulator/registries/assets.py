"""Vehicles, livestock and land plots."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from registry_simulator.chunk import Step
from registry_simulator.columns import categories, coded_ids, dates
from registry_simulator.constants import (
    AGRI_TYPES,
    ANCHOR_DAYS,
    INFORMAL,
    NEW_VEHICLE_BASE,
    NEW_VEHICLES_PER_MONTH,
    SPECIES,
    SPECIES_PRICE_KZT,
    VEHICLE_NEW_INFORMAL_MONTHLY,
    VEHICLE_NEW_MONTHLY,
    VEHICLE_RESALE_MONTHLY,
    VEHICLE_SCRAP_MONTHLY,
    VEHICLE_SLOTS,
)
from registry_simulator.population import DAYS_PER_YEAR, SPOUSE


def vehicles(s: Step) -> None:
    rng, nf, n = s.stream("vehicles"), s.nf, s.n
    wealth = (s.latent_earning() / s.fam_size).argsort().argsort() / max(nf - 1, 1)
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
    spouse_of = s.head.copy()
    spouse = np.flatnonzero(s.role == SPOUSE)
    spouse_of[s.fam[spouse]] = spouse
    # Informal workers registered a car in the year before the anchor (an activity signal).
    informal_car = np.flatnonzero((s.employment == INFORMAL) & (informal_u < 0.12))
    trader_family = s.per_family(s.sole_trader.astype(float)) > 0
    commercial = np.flatnonzero(commercial_u < np.where(trader_family, 0.15, 0.02))
    moto = np.flatnonzero(s.fam_rural & (moto_u < 0.04))
    agri_count = np.where(s.fam_rural & (agri_u < 0.05), 1 + (agri_more < 0.3) * agri_extra, 0)
    agri_fam = np.repeat(np.arange(nf), agri_count)
    agri_seq = np.arange(len(agri_fam)) - np.repeat(np.cumsum(agri_count) - agri_count, agri_count)

    fam = np.r_[car_fam, s.fam[informal_car], commercial, moto, agri_fam]
    slot = np.r_[
        car_seq,
        10 + informal_car - s.head[s.fam[informal_car]],
        np.full(len(commercial), 5),
        np.full(len(moto), 6),
        7 + agri_seq,
    ]
    owner = np.r_[
        np.where(car_seq == 1, spouse_of[car_fam], s.head[car_fam]),
        informal_car,
        s.head[commercial],
        s.head[moto],
        s.head[agri_fam],
    ]
    vtype = np.r_[
        np.zeros(len(car_fam) + len(informal_car), np.int8),
        commercial_type[commercial],
        np.full(len(moto), 3, np.int8),
        np.full(len(agri_fam), 4, np.int8),
    ]
    reg = np.r_[
        (ANCHOR_DAYS - 1 - car_age[car_fam, car_seq] * DAYS_PER_YEAR).astype(np.int32),
        s.days_between(ANCHOR_DAYS - 360, ANCHOR_DAYS - 1, informal_day_u[informal_car]),
        (ANCHOR_DAYS - 1 - other_age[commercial, 0] * DAYS_PER_YEAR).astype(np.int32),
        (ANCHOR_DAYS - 1 - other_age[moto, 1] * DAYS_PER_YEAR).astype(np.int32),
        (ANCHOR_DAYS - 1 - other_age[agri_fam, 2 + agri_seq] * DAYS_PER_YEAR).astype(np.int32),
    ]
    reg = np.maximum(reg, s.adult_since[owner])
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
    informal = s.employment == INFORMAL
    for key, first, after, month_rng in s.month_streams("vehicles"):
        gone = row_of_number[
            month_rng.integers(
                0, nf * VEHICLE_SLOTS, month_rng.binomial(nf * VEHICLE_SLOTS, VEHICLE_SCRAP_MONTHLY)
            )
        ]
        scrapped[gone[gone >= 0]] = True
        adults = np.flatnonzero(s.adult_since < first)
        n_sold = month_rng.binomial(nf * VEHICLE_SLOTS, VEHICLE_RESALE_MONTHLY)
        sold = row_of_number[month_rng.integers(0, nf * VEHICLE_SLOTS, n_sold)]
        buyer = adults[month_rng.integers(0, max(len(adults), 1), n_sold)] if len(adults) else owner[sold]
        day = s.days_between(first, after, month_rng.random(n_sold))
        sold_now = (sold >= 0) & (reg[np.maximum(sold, 0)] < first)
        owner[sold[sold_now]] = buyer[sold_now]
        reg[sold[sold_now]] = day[sold_now]
        p_new = VEHICLE_NEW_MONTHLY + informal * VEHICLE_NEW_INFORMAL_MONTHLY
        buys = month_rng.random(n) < p_new
        day = s.days_between(first, after, month_rng.random(n))
        buyers = np.flatnonzero(buys & (s.adult_since < first))
        new_owner.append(buyers)
        new_reg.append(day[buyers])
        k = key - s.churn_months[0]
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
    keep = np.flatnonzero((reg < s.ref) & ~scrapped)
    order = keep[np.argsort(s.fam[owner[keep]], kind="stable")]
    owner, vtype, reg, is_commercial, agri, number = (
        owner[order],
        vtype[order],
        reg[order],
        is_commercial[order],
        agri[order],
        number[order],
    )
    agri_labels = categories(AGRI_TYPES, np.maximum(agri, 0))
    s.tables["vehicles"] = {
        "vehicle_id": coded_ids(("VIN",), 0, (s.prefix * 10**9 + s.f0) * 1000 + number, 14),
        "iin": s.iin(owner),
        "vehicle_type": categories(("car", "truck", "bus", "motorcycle", "agri_machinery"), vtype),
        "registration_date": dates(reg),
        "is_commercial": pa.array(is_commercial),
        "agri_machinery_type": pa.array(
            agri_labels.to_numpy(zero_copy_only=False), pa.string(), mask=agri < 0
        ),
    }
    s.recent_car = np.zeros(s.n, bool)
    s.recent_car[owner[(vtype == 0) & (reg >= s.ref - 365)]] = True


def livestock(s: Step) -> None:
    rng, nf = s.stream("livestock"), s.nf
    keeps = rng.random(nf) < np.where(s.fam_rural, 0.45, 0.03)
    big = keeps & (rng.random(nf) < 0.04)
    south_west = s.prefix in (23, 43, 47, 61, 31)
    north = s.prefix in (11, 39, 55, 59, 63)
    p_species = np.array(
        [0.60, 0.20, 0.45, 0.30, 0.03 if south_west else 0.002, 0.04 if north else 0.002, 0.50]
    )
    has = (rng.random((nf, 7)) < p_species[None, :]) & keeps[:, None]
    fam, species = np.nonzero(has)
    low = np.array([1, 1, 5, 2, 1, 1, 5])[species]
    high = np.array([10, 8, 60, 20, 5, 6, 60])[species]
    heads = rng.integers(low, high + 1)
    heads = np.where(big[fam], heads * rng.integers(5, 25, len(fam)), heads)
    s.livestock_value = np.bincount(fam, weights=heads * SPECIES_PRICE_KZT[species], minlength=nf)
    s.tables["livestock"] = {
        "iin": s.iin(s.head[fam]),
        "species": categories(SPECIES, species),
        "head_count": pa.array(heads.astype(np.int32)),
    }


def land_plots(s: Step) -> None:
    rng, nf = s.stream("land_plots"), s.nf
    household = rng.random(nf) < np.where(s.fam_rural, 0.55, 0.08)
    agricultural = rng.random(nf) < np.where(s.fam_rural, 0.05, 0.005)
    fam = np.r_[np.flatnonzero(household), np.flatnonzero(agricultural)]
    use = np.r_[np.ones(household.sum(), np.int8), np.zeros(agricultural.sum(), np.int8)]
    area = np.where(
        use == 1, rng.uniform(0.04, 0.30, len(fam)), np.exp(rng.normal(np.log(40), 1.2, len(fam)))
    )
    order = np.argsort(fam, kind="stable")
    fam, use, area = fam[order], use[order], area[order]
    s.tables["land_plots"] = {
        "plot_id": coded_ids(("LP",), 0, (s.prefix * 10**9 + s.f0 + fam) * 10 + use, 12),
        "iin": s.iin(s.head[fam]),
        "area_ha": pa.array(np.round(area, 3)),
        "land_use": categories(("agricultural", "household", "other"), use),
        "kato": pa.array(s.fam_kato[fam], pa.string()),
    }
    s.has_land = np.zeros(nf, bool)
    s.has_land[fam] = True
