"""The specification's invariants as property-based tests (hypothesis), on batches of families."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring_core import score
from tests.scoring_core.conftest import PERIOD, PM_2026, families_frame
from tests.scoring_core.parity import assert_kernel_matches_reference

# One xdist worker runs every kernel test, so a cold Numba cache compiles once, not once per worker.
pytestmark = pytest.mark.xdist_group("scoring_kernel")


# The first example pays the JIT load; examples are batches, so keep their number moderate.
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.one_of(
    st.just(0.0), st.floats(0, 2_000_000, allow_nan=False), st.sampled_from([12_712.75, 50_851.0])
)


@st.composite
def family(draw) -> dict:
    members = draw(st.integers(1, 12))
    adults = draw(st.integers(0, members))
    able = draw(st.integers(0, adults))
    return {
        "n_members": members,
        "n_adults": adults,
        "n_children": members - adults,
        "n_able_bodied": able,
        "n_working": draw(st.integers(0, members)),
        "n_disabled_adults_g12": draw(st.integers(0, adults)),
        "n_disabled_adults_g3": draw(st.integers(0, 2)),
        "n_disabled_children": draw(st.integers(0, members - adults)),
        "n_chronic": draw(st.integers(0, 3)),
        "n_school_age_not_enrolled": draw(st.integers(0, 2)),
        "has_adult_tertiary_or_vocational": draw(st.booleans()),
        "income_wages": draw(money),
        "income_entrepreneur": draw(money),
        "income_pensions_benefits": draw(money),
        "has_loans": draw(st.booleans()),
        "n_adults_arrears_90": draw(st.integers(0, adults)),
        "n_dwellings": draw(st.integers(0, 14)),
        "living_area_m2": draw(st.one_of(st.just(0.0), st.floats(1, 400), st.just(18.0 * members))),
        "n_commercial_property": draw(st.integers(0, 3)),
        "rents_state_housing": draw(st.booleans()),
        "n_cars": draw(st.integers(0, 4)),
        "n_commercial_vehicles": draw(st.integers(0, 2)),
        "n_agri_machinery_types": draw(st.integers(0, 3)),
        "livestock_value": draw(st.one_of(st.just(0.0), st.floats(0, 5e6), st.sampled_from([5e5, 1e6, 2e6]))),
        "has_land_plot": draw(st.booleans()),
        "settlement_type": draw(st.integers(1, 5)),
        "has_sole_trader": draw(st.booleans()),
        "has_company_founder": draw(st.booleans()),
        "n_informal_signal_adults": draw(st.integers(0, able)),
    }


families = st.lists(family(), min_size=1, max_size=25)


def _levels(methodology, batch: list[dict]) -> np.ndarray:
    return score(families_frame(batch), methodology, PERIOD).scores.column("level").to_numpy()


@SETTINGS
@given(batch=families)
def test_same_input_gives_the_same_result_bit_for_bit(methodology, batch):
    frame = families_frame(batch)
    first = score(frame, methodology, PERIOD).scores
    second = score(pa.Table.from_pandas(frame, preserve_index=False), methodology, PERIOD).scores
    assert first.equals(second)


@SETTINGS
@given(batch=families)
def test_kernel_agrees_with_reference(methodology, batch):
    assert_kernel_matches_reference(families_frame(batch), methodology, PERIOD, PM_2026)


@SETTINGS
@given(batch=families, source=st.sampled_from(["income_wages", "income_entrepreneur", "income_pensions_benefits"]),
       extra=st.floats(0.01, 3_000_000))  # fmt: skip
def test_more_income_never_lowers_the_level(methodology, batch, source, extra):
    richer = [{**f, source: f[source] + extra} for f in batch]
    assert (_levels(methodology, richer) >= _levels(methodology, batch)).all()


@SETTINGS
@given(batch=families, kind=st.sampled_from(["g12", "g3", "child"]))
def test_an_added_disability_never_raises_the_level(methodology, batch, kind):
    def disable(f: dict) -> dict:
        f = dict(f)
        if kind == "child" and f["n_members"] > f["n_adults"]:
            f["n_disabled_children"] += 1
        elif kind == "g3" and f["n_adults"]:
            f["n_disabled_adults_g3"] += 1
        elif f["n_adults"]:  # group I/II: that adult is no longer able-bodied
            f["n_disabled_adults_g12"] += 1
            f["n_able_bodied"] = max(f["n_able_bodied"] - 1, 0)
            f["n_informal_signal_adults"] = min(f["n_informal_signal_adults"], f["n_able_bodied"])
        return f

    assert (_levels(methodology, [disable(f) for f in batch]) <= _levels(methodology, batch)).all()


@SETTINGS
@given(batch=families, dwellings=st.integers(0, 1), cars=st.integers(0, 1),
       livestock=st.floats(0, 499_999.99), share=st.floats(0, 0.549))  # fmt: skip
def test_a_family_meeting_g1_is_level_1(methodology, batch, dwellings, cars, livestock, share):
    poor = []
    for f in batch:
        f = {**f, "n_dwellings": dwellings, "n_cars": cars, "livestock_value": livestock,
             "n_commercial_property": 0, "n_informal_signal_adults": 0,
             "income_entrepreneur": 0.0, "income_pensions_benefits": 0.0}  # fmt: skip
        hidden = livestock * 0.12 / 12  # the only hidden income left
        f["income_wages"] = max(share * f["n_members"] * PM_2026 - hidden, 0.0)
        poor.append(f)
    result = score(families_frame(poor), methodology, PERIOD).scores.to_pandas()
    meets = result["pci_ratio"] < 0.55  # guard against rounding at the threshold
    assert (result.loc[meets, "level"] == 1).all()
    assert (result.loc[meets, "gate"] == "G1_FOOD_DEFICIT").all()
    assert meets.mean() > 0.5


@SETTINGS
@given(batch=families, dwellings=st.integers(2, 14), cars=st.integers(2, 4))
def test_a_family_meeting_g3_is_level_6(methodology, batch, dwellings, cars):
    wealthy = [{**f, "n_dwellings": dwellings, "n_cars": cars} for f in batch]
    result = score(families_frame(wealthy), methodology, PERIOD).scores.to_pandas()
    assert (result["level"] == 6).all()
    assert (result["gate"] == "G3_WEALTH").all()
