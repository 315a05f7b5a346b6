"""Loading, validating, selecting and overriding methodology files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from scoring_core import MethodologyError, load_methodology, methodology_for_period
from scoring_core.config import METHODOLOGY_DIR, parse_methodology
from scoring_core.kernel import build_kernel_inputs

DEFAULT = METHODOLOGY_DIR / "kz-2026.1.yaml"


def _raw() -> dict:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_default_methodology_holds_the_spec_numbers(methodology):
    assert methodology.version == "KZ-2026.1"
    assert methodology.effective_from == dt.date(2026, 1, 1)
    assert len(methodology.indicators) == 21
    assert methodology.indicator_codes[0] == "M1_INCOME" and methodology.indicator_codes[-1] == "S3_BUSINESS"
    assert methodology.score_ladder == ((3, -458), (4, -30), (5, 730), (6, 1800))
    assert [g.code for g in methodology.gates] == ["G2_POVERTY_CAP", "G1_FOOD_DEFICIT", "G3_WEALTH"]
    assert methodology.hidden_income == {
        "extra_dwelling_rent": 70000.0, "commercial_rent": 150000.0,
        "livestock_annual_yield": 0.12, "informal_income_pm": 1.0,
    }  # fmt: skip
    assert [methodology.legacy_letter(lv) for lv in range(1, 7)] == [None, "E", "D", "C", "B", "A"]
    for item in (*methodology.indicators, *methodology.gates):
        assert set(item.reason) == {"kk", "ru", "en"}


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (lambda r: r["indicators"][3]["bands"][1].update(points="ten"), "indicators.M4_CARS.bands.1.points", "not of type 'integer'"),
        (lambda r: r["indicators"][0].pop("dimension"), "indicators.M1_INCOME", "'dimension' is a required property"),
        (lambda r: r["hidden_income"].pop("commercial_rent"), "hidden_income", "'commercial_rent' is a required"),
        (lambda r: r["indicators"][3].update(value="n_carz"), "indicators.M4_CARS.value", "unknown variable 'n_carz'"),
        (lambda r: r["indicators"][3]["bands"].append({"from": 2, "points": 5}), "indicators.M4_CARS.bands.4", "overlaps band 2"),
        (lambda r: r["levels"][1].update(min_score=2000), "levels.6.min_score", "must be above"),
        (lambda r: r["gates"][0].update(when=["pci_ratio < poverty_line"]), "gates.G2_POVERTY_CAP.when.0", "unknown parameter"),
        (lambda r: r["gates"][1]["reason"].pop("kk"), "gates.G1_FOOD_DEFICIT.reason", "'kk' is a required property"),
        (lambda r: r.update(effective_from="2026-01-15"), "effective_from", "does not match"),
    ],
)  # fmt: skip
def test_broken_file_error_names_file_key_and_problem(tmp_path, change, key, message):
    raw = _raw()
    change(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(MethodologyError) as caught:
        load_methodology(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: {key}:"), text
    assert message in text


def test_unreadable_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: KZ-2026.1\nindicators: [\n", encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"bad.yaml: line \d+: not valid YAML"):
        load_methodology(path)


def test_methodology_for_period_takes_the_latest_in_force(tmp_path):
    raw = _raw()
    _write(tmp_path, raw, "kz-2026.1.yaml")
    _write(tmp_path, {**raw, "version": "KZ-2026.2", "effective_from": "2026-07-01"}, "kz-2026.2.yaml")
    assert methodology_for_period("2026-06", tmp_path).version == "KZ-2026.1"
    assert methodology_for_period("2026-07", tmp_path).version == "KZ-2026.2"
    assert methodology_for_period("2027-01", tmp_path).version == "KZ-2026.2"
    with pytest.raises(LookupError, match="no methodology in force for period 2025-12"):
        methodology_for_period("2025-12", tmp_path)
    assert methodology_for_period("2026-03").version == "KZ-2026.1"  # the shipped directory


def test_overrides_change_the_kernel_arrays_not_the_layout(methodology):
    overrides = {
        "levels.6.min_score": 1700,
        "parameters.food_ratio.value": 0.5,
        "gates.G1_FOOD_DEFICIT.when.n_cars": 2,
        "indicators.M1_INCOME.bands.6.points": 700,
        "indicators.N1_DISABILITY.per_unit.n_disabled_children": -200,
        "hidden_income.commercial_rent": 120000,
    }
    layout, params = build_kernel_inputs(methodology)
    layout2, params2 = build_kernel_inputs(methodology, overrides)
    assert layout2 == layout
    assert params2.level_cut.tolist() == [-458, -30, 730, 1700]
    assert params2.gate_thr.tolist() == [0.7, 0.5, 1.0, 2.0, 500000.0, 0.0, 2.0, 2.0]
    assert 700 in params2.step_delta.tolist() and 620 not in params2.step_delta.tolist()
    assert -200.0 in params2.num_coef.tolist() and params2.hidden_par[1] == 120000.0
    assert params.level_cut.tolist() == [-458, -30, 730, 1800]  # the original is untouched
    with pytest.raises(MethodologyError, match="overrides: levels.7.min_score: no item"):
        build_kernel_inputs(methodology, {"levels.7.min_score": 1})
    with pytest.raises(MethodologyError, match="must be above the min_score of level 5"):
        build_kernel_inputs(methodology, {"levels.6.min_score": 100})


def test_bands_become_steps_that_sum_to_the_band_points(methodology):
    """M1: '= 0 -> 0; (0, 0.25) -> 40; ...' as steps: +40 above 0, +60 from 0.25, ... (see kernel docs)."""
    layout, params = build_kernel_inputs(methodology)
    k = layout.indicator_codes.index("M1_INCOME")
    lo, hi = params.step_ptr[k], params.step_ptr[k + 1]
    steps = list(
        zip(params.step_thr[lo:hi], params.step_strict[lo:hi], params.step_delta[lo:hi], strict=True)
    )

    def points(x):  # noqa: E306
        return sum(d for t, strict, d in steps if (x > t if strict else x >= t))

    assert [points(x) for x in (0.0, 1e-9, 0.2499, 0.25, 0.99, 1.0, 2.5, 3.0, 4.0, 50.0)] == [
        0, 40, 40, 100, 100, 170, 280, 400, 620, 620,
    ]  # fmt: skip


def test_parse_rejects_non_mapping():
    with pytest.raises(MethodologyError, match="must hold a mapping"):
        parse_methodology(["not", "a", "mapping"], "x.yaml")
