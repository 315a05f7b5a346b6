"""The simulator's rates, codes and id layouts shared by the registry functions."""

import numpy as np

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
