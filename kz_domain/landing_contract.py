"""The landing contract: one Arrow schema per registry extract.

This module is the single source of truth for what lands in
``data/landing/<YYYY-MM>/<registry>.parquet``. The generator writes exactly these
schemas, ``docs/landing.md`` documents them (a test checks the two agree) and the dbt
sources are written against them.

Conventions shared by every extract:

* ``iin`` is the person key: 12 digits as a string (leading zeros matter).
* Money is KZT as ``float64``; dates are ``date32``; months are the first day of the month.
* Every extract carries ``extract_as_of``: the date the registry's data is valid for.
  A registry that did not refresh this month keeps an older ``extract_as_of``.
* Nothing here is cleaned: defects (bad IINs, duplicates, negative amounts...) arrive as
  they would from a real registry, and the pipeline must reject them with a reason.
"""

from __future__ import annotations

import pyarrow as pa

STR = pa.string()
DATE = pa.date32()
MONEY = pa.float64()

_AS_OF = ("extract_as_of", DATE, "date the registry's data is valid for")


def _schema(*fields: tuple[str, pa.DataType, str]) -> pa.Schema:
    return pa.schema(
        [pa.field(name, dtype, metadata={"description": doc}) for name, dtype, doc in (*fields, _AS_OF)]
    )


REGISTRIES: dict[str, pa.Schema] = {
    # Civil registry (МВД / ГБД ФЛ).
    "population": _schema(
        ("iin", STR, "individual identification number (12 digits)"),
        ("birth_date", DATE, "date of birth"),
        ("sex", STR, "M or F"),
        ("death_date", DATE, "date of death; null if alive"),
        ("address_kato", STR, "KATO code (9 digits) of the registered address"),
        ("settlement_type", pa.int8(), "1 capital/city of republican significance .. 5 rural settlement"),
        ("dwelling_id", STR, "cadastral id of the dwelling at the registered address"),
    ),
    # Digital family card: families and their members.
    "families": _schema(
        ("family_id", pa.int64(), "family card id"),
        ("registration_date", DATE, "date the family was registered"),
        ("address_kato", STR, "KATO code (9 digits) of the family's address"),
    ),
    "family_links": _schema(
        ("family_id", pa.int64(), "family card id"),
        ("iin", STR, "member IIN"),
        ("role", STR, "head, spouse, child, parent, sibling, other"),
        ("link_date", DATE, "date the member was linked to the family"),
    ),
    # Unified pension fund (ЕНПФ): mandatory contributions, 10% of the wage.
    "pension_contributions": _schema(
        ("iin", STR, "contributor IIN"),
        ("month", DATE, "month the contribution is for (first day)"),
        ("employer_bin", STR, "employer business identification number"),
        ("contribution_kzt", MONEY, "mandatory pension contribution; wage = contribution / 0.10"),
    ),
    # Tax authority: sole traders' declared income (form 910, half-year periods).
    "entrepreneur_income": _schema(
        ("iin", STR, "declarant IIN"),
        ("period_start", DATE, "first day of the declared period"),
        ("period_end", DATE, "last day of the declared period"),
        ("declared_income_kzt", MONEY, "income declared for the whole period"),
    ),
    # State social insurance / pension payments centre: monthly payments.
    "pensions_benefits": _schema(
        (
            "payment_id",
            STR,
            "payment id: the row key (a second payment of the same kind in a month has its own)",
        ),
        ("iin", STR, "recipient IIN"),
        ("month", DATE, "month paid (first day)"),
        ("benefit_type", STR, "old_age_pension, disability_benefit, survivor_benefit, child_benefit, other"),
        ("amount_kzt", MONEY, "amount paid for the month"),
    ),
    # Real estate cadastre.
    "real_estate": _schema(
        ("object_id", STR, "cadastral id of the object"),
        ("iin", STR, "owner IIN"),
        ("property_type", STR, "residential or commercial"),
        ("area_m2", pa.float64(), "total area"),
        ("ownership_share", pa.float64(), "owner's share, (0, 1]"),
        ("kato", STR, "KATO code of the object"),
        ("registration_date", DATE, "date of the owner's title"),
    ),
    # Vehicle registry.
    "vehicles": _schema(
        ("vehicle_id", STR, "VIN or machine serial"),
        ("iin", STR, "owner IIN"),
        ("vehicle_type", STR, "car, truck, bus, motorcycle, agri_machinery"),
        ("registration_date", DATE, "date registered to this owner"),
        ("is_commercial", pa.bool_(), "registered for commercial use"),
        ("agri_machinery_type", STR, "tractor, combine, seeder, sprayer, other; null unless agri_machinery"),
    ),
    # Credit bureau (ГКБ).
    "credit_bureau": _schema(
        ("contract_id", STR, "loan contract id"),
        ("iin", STR, "borrower IIN"),
        ("loan_type", STR, "mortgage, consumer, auto, microcredit, credit_card"),
        ("outstanding_kzt", MONEY, "outstanding principal"),
        ("arrears_days", pa.int32(), "days past due (0 if current)"),
        ("arrears_kzt", MONEY, "overdue amount"),
        ("open_date", DATE, "contract date"),
    ),
    # Disability registry (МСЭ).
    "disability": _schema(
        ("iin", STR, "person IIN"),
        ("disability_group", STR, "I, II, III for adults; CHILD for a child with disability"),
        ("assigned_date", DATE, "date the disability was established"),
        ("review_date", DATE, "date until which it is valid; null = indefinite"),
    ),
    # Health: dynamic observation of chronic diseases.
    "health": _schema(
        ("observation_id", STR, "observation id: the row key"),
        ("iin", STR, "patient IIN"),
        ("icd10_code", STR, "ICD-10 diagnosis code"),
        ("observation_start", DATE, "start of dynamic observation"),
        ("observation_end", DATE, "end of dynamic observation; null if ongoing"),
    ),
    # Education (НОБД).
    "education": _schema(
        ("iin", STR, "learner IIN"),
        ("institution_type", STR, "preschool, school, college, university"),
        ("study_form", STR, "full_time, part_time, home_schooling"),
        ("status", STR, "enrolled, graduated, expelled"),
        ("start_date", DATE, "enrolment date"),
        ("end_date", DATE, "graduation or leaving date; null while enrolled"),
    ),
    # Business registry.
    "business_registry": _schema(
        ("iin", STR, "sole trader or founder IIN"),
        ("bin", STR, "business identification number"),
        ("business_role", STR, "sole_trader or company_founder"),
        ("registration_date", DATE, "registration date"),
        ("deregistration_date", DATE, "null while active"),
        ("declared_income_12m_kzt", MONEY, "income declared by the business in the last 12 months"),
    ),
    # Border service.
    "border_crossings": _schema(
        ("crossing_id", STR, "crossing id: the row key (two trips may leave on the same day)"),
        ("iin", STR, "traveller IIN"),
        ("crossing_date", DATE, "date of crossing"),
        ("direction", STR, "exit or entry"),
        ("border_point", STR, "checkpoint code"),
    ),
    # Agriculture: livestock identification and land cadastre.
    "livestock": _schema(
        ("iin", STR, "owner IIN"),
        ("species", STR, "cattle, horse, sheep, goat, camel, pig, poultry"),
        ("head_count", pa.int32(), "number of animals"),
    ),
    "land_plots": _schema(
        ("plot_id", STR, "cadastral id"),
        ("iin", STR, "holder IIN"),
        ("area_ha", pa.float64(), "area in hectares"),
        ("land_use", STR, "agricultural, household, other"),
        ("kato", STR, "KATO code of the plot"),
    ),
    # Rent contracts (private, registered with the tax authority; state rental housing).
    "rent_contracts": _schema(
        ("contract_id", STR, "contract id"),
        ("iin", STR, "tenant IIN"),
        ("landlord_type", STR, "private or state"),
        ("dwelling_id", STR, "cadastral id of the rented dwelling"),
        ("area_m2", pa.float64(), "area of the rented dwelling"),
        ("monthly_rent_kzt", MONEY, "monthly rent"),
        ("start_date", DATE, "contract start"),
        ("end_date", DATE, "contract end; null if open-ended"),
    ),
    # Utilities billing.
    "housing_costs": _schema(
        ("dwelling_id", STR, "cadastral id of the dwelling"),
        ("payer_iin", STR, "account holder IIN"),
        ("billing_month", DATE, "month billed (first day)"),
        ("utilities_kzt", MONEY, "utilities billed for the month"),
        ("maintenance_kzt", MONEY, "maintenance billed for the month"),
    ),
    # Local executive body: housing waiting list.
    "housing_waiting_list": _schema(
        ("iin", STR, "applicant IIN"),
        ("queue_number", pa.int64(), "position in the region's queue"),
        (
            "category",
            STR,
            "disability_g12, child_disability, orphan, large_family, mother_many_children, other",
        ),
        ("registration_date", DATE, "date put on the list"),
        ("kato", STR, "KATO code of the local executive body"),
    ),
}

#: Registries listed in the order they are documented and generated.
REGISTRY_NAMES: tuple[str, ...] = tuple(REGISTRIES)


#: The row key of each registry whose legitimate rows can repeat on every other column (the same
#: amount paid twice in a month for two children, two trips leaving on the same day): staging
#: tells an exact copy (DUPLICATE) from a second record by it, and rejects two different rows
#: under one key as CONFLICTING_RECORD.
ROW_KEYS: dict[str, str] = {
    "pensions_benefits": "payment_id",
    "health": "observation_id",
    "border_crossings": "crossing_id",
}

#: The column that identifies one record of a registry (a correction may name one row by it).
RECORD_KEYS: dict[str, str] = {
    **ROW_KEYS,
    "population": "iin",
    "families": "family_id",
    "real_estate": "object_id",
    "vehicles": "vehicle_id",
    "credit_bureau": "contract_id",
    "land_plots": "plot_id",
    "rent_contracts": "contract_id",
    "housing_costs": "dwelling_id",
}
#: The column that holds the person a registry's row is about.
SUBJECT_COLUMNS: dict[str, str] = {
    name: ("payer_iin" if "payer_iin" in schema.names else "iin")
    for name, schema in REGISTRIES.items()
    if "iin" in schema.names or "payer_iin" in schema.names
}
