"""The KATO regions are one table: the dbt seed holds the same rows as kz_domain.regions."""

from __future__ import annotations

import csv
from pathlib import Path

from kz_domain.regions import CITIES, KATO_REGIONS, PILOT_REGIONS

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "kato_regions.csv"


def test_the_dbt_seed_of_regions_is_the_domain_table():
    with SEED.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["region_kato"]: r["name"] for r in rows} == KATO_REGIONS
    assert {r["region_kato"] for r in rows if r["is_city_of_republican_significance"] == "true"} == CITIES


def test_the_pilot_regions_are_kato_regions_with_their_names():
    assert {prefix: KATO_REGIONS[prefix] for prefix in PILOT_REGIONS} == PILOT_REGIONS
