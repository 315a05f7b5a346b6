"""KATO first-level regions and the regional pilots (domain.md)."""

from __future__ import annotations

#: KATO region prefix -> name, the 17 regions and 3 cities of republican significance
#: (the dbt seed `kato_regions.csv` holds the same rows; a test ties them).
KATO_REGIONS: dict[str, str] = {
    "10": "Abai region",
    "11": "Akmola region",
    "15": "Aktobe region",
    "19": "Almaty region",
    "23": "Atyrau region",
    "27": "West Kazakhstan region",
    "31": "Zhambyl region",
    "33": "Zhetysu region",
    "35": "Karaganda region",
    "39": "Kostanay region",
    "43": "Kyzylorda region",
    "47": "Mangystau region",
    "55": "Pavlodar region",
    "59": "North Kazakhstan region",
    "61": "Turkestan region",
    "62": "Ulytau region",
    "63": "East Kazakhstan region",
    "71": "Astana city",
    "75": "Almaty city",
    "79": "Shymkent city",
}
#: Cities of republican significance: every address is settlement type 1.
CITIES: frozenset[str] = frozenset({"71", "75", "79"})

#: The regional pilots: KATO prefix -> name.
PILOT_REGIONS: dict[str, str] = {"79": "Shymkent city", "35": "Karaganda region"}


def parse_region(text: object) -> str:
    """`text` if it is exactly the KATO prefix of a pilot region, else ValueError."""
    if not isinstance(text, str) or text not in PILOT_REGIONS:
        raise ValueError(
            f"a region is exactly one of the pilot KATO prefixes {', '.join(sorted(PILOT_REGIONS))}"
        )
    return text


def parse_regions(text: str) -> list[str]:
    """A comma-separated list of pilot regions (`79,35`), each parsed strictly."""
    return [parse_region(part) for part in text.split(",")]
