"""Regions, populations and a plausible KATO classifier for the simulator.

Populations are for 1 Jan 2026. The national total, Shymkent and Karaganda region are the
Bureau of National Statistics figures quoted in ``/work/shared/domain.md``; the other
regions are rounded plausible figures chosen so that the regions add up to the national
total exactly, with urban shares giving about 13.1 M urban / 7.4 M rural people.

KATO codes are 9 digits ``AA BB CC DDD`` (region, district or city, okrug or town,
settlement). The Shymkent, Karaganda-city codes are real; Astana and Almaty districts follow
the same pattern; oblast districts and settlements are plausible codes built on the pattern
(the classifier version below names this).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from kz_domain.regions import CITIES, KATO_REGIONS

NATIONAL_POPULATION = 20_495_975
KATO_CLASSIFIER_VERSION = "KATO-2026.sim1"


@dataclass(frozen=True)
class Region:
    """One first-level region: its KATO prefix (name and city status: kz_domain.regions) and the
    parameters the simulator varies by region."""

    prefix: int
    population: int
    urban_share: float
    wage_factor: float  # regional average wage relative to the national one
    family_size_factor: float  # >1 for the larger southern families
    private_rent_kzt: float  # median monthly private rent of a flat

    @property
    def is_city(self) -> bool:
        """A city of republican significance: every address is settlement type 1."""
        return f"{self.prefix:02d}" in CITIES

    @property
    def name(self) -> str:
        """The region's name (kz_domain.regions)."""
        return KATO_REGIONS[f"{self.prefix:02d}"]


REGIONS: tuple[Region, ...] = (
    Region(10, 603_000, 0.63, 0.85, 1.00, 100_000),
    Region(11, 782_000, 0.53, 0.85, 0.90, 100_000),
    Region(15, 948_000, 0.70, 0.95, 1.05, 110_000),
    Region(19, 1_553_000, 0.31, 0.85, 1.10, 120_000),
    Region(23, 712_000, 0.61, 1.90, 1.10, 160_000),
    Region(27, 697_000, 0.54, 0.90, 0.95, 100_000),
    Region(31, 1_222_000, 0.45, 0.78, 1.15, 90_000),
    Region(33, 700_000, 0.48, 0.80, 1.05, 90_000),
    Region(35, 1_131_287, 0.81, 1.05, 0.90, 110_000),
    Region(39, 824_000, 0.58, 0.85, 0.88, 95_000),
    Region(43, 845_000, 0.48, 0.85, 1.15, 90_000),
    Region(47, 806_000, 0.47, 1.55, 1.15, 150_000),
    Region(55, 745_000, 0.73, 1.00, 0.88, 100_000),
    Region(59, 522_000, 0.46, 0.80, 0.85, 85_000),
    Region(61, 2_179_040, 0.24, 0.72, 1.25, 80_000),
    Region(62, 221_000, 0.79, 1.10, 0.95, 90_000),
    Region(63, 712_000, 0.70, 1.00, 0.88, 100_000),
    Region(71, 1_600_000, 1.00, 1.35, 1.00, 220_000),
    Region(75, 2_400_000, 1.00, 1.30, 0.95, 250_000),
    Region(79, 1_293_648, 1.00, 0.78, 1.20, 130_000),
)

REGION_BY_PREFIX: dict[int, Region] = {r.prefix: r for r in REGIONS}
#: Position of every region in REGIONS: it names the region's RNG stream and IIN serial block.
REGION_INDEX: dict[int, int] = {r.prefix: i for i, r in enumerate(REGIONS)}

# Districts of the three cities (Shymkent codes are the real ones from domain.md).
_CITY_DISTRICTS: dict[int, tuple[str, ...]] = {
    79: ("791110000", "791310000", "791510000", "791710000", "791910000"),
    71: ("711110000", "711210000", "711310000", "711410000", "711510000"),
    75: (
        "751110000",
        "751210000",
        "751310000",
        "751410000",
        "751510000",
        "751610000",
        "751710000",
        "751810000",
    ),
}
_CITY_LEVEL_CODE: dict[int, str] = {79: "790000000", 71: "710000000", 75: "750000000"}


@dataclass(frozen=True)
class Classifier:
    """KATO codes of one region usable as addresses, their settlement types and address weights."""

    codes: np.ndarray  # str, 9 digits
    settlement_type: np.ndarray  # int8, 1..5
    weight: np.ndarray  # float64, sums to 1


@cache
def classifier(prefix: int) -> Classifier:
    """The address part of the KATO classifier for one region (deterministic, no randomness)."""
    region = REGION_BY_PREFIX[prefix]
    if region.is_city:
        districts = _CITY_DISTRICTS[prefix]
        return Classifier(
            np.array(districts), np.ones(len(districts), np.int8), np.full(len(districts), 1 / len(districts))
        )
    n_districts = 4 if prefix == 62 else 10
    codes: list[str] = []
    types: list[int] = []
    weights: list[float] = []
    # Oblast cities (type 2): the regional centre holds most of the oblast-city population.
    oblast_cities = [
        (f"{prefix}1010000", 0.70),
        (f"{prefix}1210000", 0.12),
        (f"{prefix}1410000", 0.10),
        (f"{prefix}1610000", 0.08),
    ]
    for code, share in oblast_cities:
        codes.append(code)
        types.append(2)
        weights.append(region.urban_share * 0.72 * share)
    for d in range(n_districts):
        district = f"{prefix}{20 + 2 * d:02d}"
        codes.append(f"{district}10000")  # district town (type 3)
        types.append(3)
        weights.append(region.urban_share * 0.28 / n_districts)
        for okrug in range(5):
            base = f"{district}{30 + 2 * okrug:02d}"
            rural = (1 - region.urban_share) / n_districts / 5
            codes += [f"{base}010", f"{base}030", f"{base}050"]  # okrug centre (4), two villages (5)
            types += [4, 5, 5]
            weights += [rural * 0.40, rural * 0.35, rural * 0.25]
    w = np.array(weights)
    return Classifier(np.array(codes), np.array(types, np.int8), w / w.sum())


def all_kato_codes() -> list[tuple[str, int, int]]:
    """Every classifier code as (kato, region prefix, settlement type or 0 for admin-level codes)."""
    rows: list[tuple[str, int, int]] = []
    for region in REGIONS:
        if region.is_city:
            rows.append((_CITY_LEVEL_CODE[region.prefix], region.prefix, 0))
        c = classifier(region.prefix)
        rows += [(str(k), region.prefix, int(t)) for k, t in zip(c.codes, c.settlement_type, strict=True)]
    return rows


def unknown_kato(prefix: int) -> str:
    """A well-formed 9-digit code with the region prefix that the classifier does not contain."""
    return f"{prefix}9999999"


def parse_regions(spec: str | None) -> tuple[int, ...]:
    """Parse ``"79,35"`` into known region prefixes (all regions when empty), in table order."""
    if not spec:
        return tuple(r.prefix for r in REGIONS)
    wanted = {int(part) for part in str(spec).replace(" ", "").split(",") if part}
    unknown = sorted(wanted - set(REGION_BY_PREFIX))
    if unknown:
        raise ValueError(f"unknown region prefix(es): {unknown}")
    return tuple(r.prefix for r in REGIONS if r.prefix in wanted)
