"""score(): input types, zero-copy, bad rows, output contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from scoring_core import FeatureError, score
from scoring_core.api import _column
from tests.scoring_core.conftest import PERIOD, families_frame

# One xdist worker runs every kernel test, so a cold Numba cache compiles once, not once per worker.
pytestmark = pytest.mark.xdist_group("scoring_kernel")


INDICATORS = [
    "M1_INCOME", "M2_LOANS", "M3_ARREARS", "M4_CARS", "M5_COMMERCIAL_VEHICLES", "M6_AGRI_MACHINERY",
    "M7_NO_HOUSING", "M8_LIVING_SPACE", "M9_MULTIPLE_DWELLINGS", "M10_COMMERCIAL_PROPERTY", "M11_SETTLEMENT",
    "M12_LIVESTOCK", "M13_LAND", "N1_DISABILITY", "N2_CHRONIC", "N3_SCHOOLING", "N4_EDUCATION",
    "D1_DEPENDENCY", "S1_NO_ABLE_BODIED", "S2_WORKING", "S3_BUSINESS",
]  # fmt: skip


def _frame(n: int = 5) -> pd.DataFrame:
    return families_frame([{"n_cars": i % 3, "n_working": i % 2} for i in range(n)])


def test_output_follows_the_contract(methodology):
    frame = _frame()
    frame["extra_column"] = "ignored"
    result = score(frame, methodology, PERIOD)
    scores = result.scores
    assert scores.column_names[:3] == ["family_id", "period", "methodology_version"]
    assert scores.column_names[-21:] == [f"points_{code}" for code in INDICATORS]
    types = {f.name: f.type for f in scores.schema}
    assert types["score"] == pa.int32() and types["level"] == pa.int8()
    for name in ("score_m", "score_n", "score_d", "score_s", *[f"points_{c}" for c in INDICATORS]):
        assert types[name] == pa.int32(), name
    for name in ("hidden_income", "hidden_income_share", "pci_ratio"):
        assert types[name] == pa.float64(), name
    for name in (
        "period",
        "methodology_version",
        "legacy_letter",
        "gate",
        "reason_1",
        "reason_2",
        "reason_3",
    ):
        assert pa.types.is_dictionary(types[name]) and types[name].value_type == pa.string(), name
    assert "extra_column" not in scores.column_names
    assert scores.column("family_id").to_pylist() == [1, 2, 3, 4, 5]
    assert set(scores.column("methodology_version").to_pylist()) == {"KZ-2026.1"}
    assert result.rejected.num_rows == 0 and result.rejected.column_names == ["family_id", "period", "reason"]


def test_arrow_numeric_columns_reach_the_kernel_without_copy():
    table = pa.Table.from_pandas(_frame(), preserve_index=False)
    chunk = table.column("income_wages").chunk(0)
    values, nulls = _column(table, "income_wages")
    assert nulls is None
    assert values.__array_interface__["data"][0] == chunk.buffers()[1].address
    counts, _ = _column(table, "n_members")
    assert counts.dtype == np.int32
    assert counts.__array_interface__["data"][0] == table.column("n_members").chunk(0).buffers()[1].address


def test_lossless_variants_give_the_same_result(methodology):
    frame = _frame()
    expected = score(frame, methodology, PERIOD).scores
    loose = frame.copy()
    loose["n_cars"] = loose["n_cars"].astype("int64")
    loose["n_members"] = loose["n_members"].astype("float64")
    loose["has_loans"] = loose["has_loans"].astype("int8")
    loose["income_wages"] = loose["income_wages"].astype("float32")  # 150,000 is exact in float32
    loose["settlement_type"] = loose["settlement_type"].astype("Int64")  # nullable, no nulls
    assert score(loose, methodology, PERIOD).scores.equals(expected)
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    assert score(arrow, methodology, PERIOD).scores.equals(expected)
    assert score(arrow.drop_columns(["period"]), methodology, PERIOD).scores.equals(expected)
    assert score(frame, None, None).scores.equals(expected)  # period from the column, methodology in force


def test_bad_rows_are_rejected_with_reasons_never_scored(methodology):
    frame = _frame(8)
    frame["n_members"] = frame["n_members"].astype("float64")
    frame.loc[1, "n_members"] = 0
    frame.loc[2, "income_wages"] = np.nan
    frame.loc[3, "n_cars"] = -1
    frame.loc[4, "n_members"] = 2.5
    frame.loc[5, "settlement_type"] = 7
    frame.loc[6, "livestock_value"] = -10.0
    frame.loc[6, "n_chronic"] = -2
    result = score(frame, methodology, PERIOD)
    assert result.scores.column("family_id").to_pylist() == [1, 8]
    rejected = result.rejected.to_pandas().set_index("family_id")["reason"].to_dict()
    assert rejected == {
        2: "n_members: less than 1",
        3: "income_wages: NaN or infinite",
        4: "n_cars: negative",
        5: "n_members: not a whole number",
        6: "settlement_type: not one of [1, 2, 3, 4, 5]",
        7: "n_chronic: negative; livestock_value: negative",
    }
    assert set(result.rejected.column("period").to_pylist()) == {PERIOD}


def test_bad_rows_can_raise_naming_columns_and_counts_not_values(methodology):
    frame = _frame(6)
    frame.loc[[0, 1], "income_wages"] = np.nan
    frame.loc[2, "n_cars"] = -987654
    with pytest.raises(FeatureError) as caught:
        score(frame, methodology, PERIOD, on_bad_rows="raise")
    message = str(caught.value)
    assert "3 of 6 rows cannot be scored" in message
    assert "income_wages: NaN or infinite (2 rows)" in message and "n_cars: negative (1 rows)" in message
    assert "987654" not in message


def test_nulls_in_arrow_are_rejected(methodology):
    table = pa.Table.from_pandas(_frame(3), preserve_index=False)
    wages = pa.array([100.0, None, 5.0], pa.float64())
    table = table.set_column(table.column_names.index("income_wages"), "income_wages", wages)
    result = score(table, methodology, PERIOD)
    assert result.scores.column("family_id").to_pylist() == [1, 3]
    assert result.rejected.column("reason").to_pylist() == ["income_wages: missing (null)"]


def test_missing_or_wrong_columns_raise(methodology):
    with pytest.raises(FeatureError, match="lack 2 required column\\(s\\): n_cars, livestock_value"):
        score(_frame().drop(columns=["n_cars", "livestock_value"]), methodology, PERIOD)
    text = _frame()
    text["n_cars"] = text["n_cars"].astype(str)
    with pytest.raises(FeatureError, match="column n_cars must be numeric"):
        score(text, methodology, PERIOD)
    with pytest.raises(FeatureError, match="other periods than 2026-04"):
        score(_frame(), methodology, "2026-04")


def test_levels_only_fast_path_matches_full_scoring(methodology):
    frame = _frame(7)
    full = score(frame, methodology, PERIOD).scores
    fast = score(frame, methodology, PERIOD, levels_only=True).scores
    assert fast.column_names == ["family_id", "period", "level"]
    assert fast.column("level").equals(full.column("level"))


def test_overrides_change_the_result(methodology):
    frame = families_frame([{"n_cars": cars} for cars in range(3)])  # baseline 220, cars -50/0/+50
    base = score(frame, methodology, PERIOD).scores.column("level").to_pylist()
    lowered = score(frame, methodology, PERIOD, overrides={"levels.5.min_score": 100}).scores
    assert base == [4, 4, 4] and lowered.column("level").to_pylist() == [5, 5, 5]


def test_empty_input_gives_empty_tables(methodology):
    result = score(_frame(0), methodology, PERIOD)
    assert result.scores.num_rows == 0 and result.rejected.num_rows == 0


def test_a_new_methodology_needs_no_code_change(methodology, tmp_path):
    """A 2027 variant adds an indicator and moves a cut-off: only the YAML changes."""
    import yaml

    from scoring_core import load_methodology

    raw = yaml.safe_load(Path(methodology.source).read_text(encoding="utf-8"))
    raw.update(version="KZ-2027.1", effective_from="2027-01-01")
    raw["indicators"].insert(15, {
        "code": "N5_SEVERAL_CHRONIC", "dimension": "N", "value": "n_chronic",
        "bands": [{"from": 3, "points": -60}],
        "name": {"kk": "Бірнеше созылмалы ауру", "ru": "Несколько хронических больных", "en": "Several chronic"},
        "reason": {"kk": "Үш немесе одан көп созылмалы науқас.", "ru": "Трое и более хронических больных.",
                   "en": "Three or more members with a chronic disease."},
    })  # fmt: skip
    path = tmp_path / "kz-2027.1.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    variant = load_methodology(path)
    frame = families_frame([{"n_chronic": 3}, {"n_chronic": 2}])
    old = score(frame, methodology, PERIOD).scores.to_pandas()
    new = score(frame, variant, PERIOD).scores.to_pandas()
    # baseline 220, N2 -80 -> 140; the new indicator takes 60 more from the family with 3 chronic
    assert old["score"].tolist() == [140, 140]
    assert new["score"].tolist() == [80, 140]
    assert new["points_N5_SEVERAL_CHRONIC"].tolist() == [-60, 0]
    assert new["reason_1"].tolist() == ["N2_CHRONIC", "N2_CHRONIC"]  # -80 before D1 -80 (Step 2 order)
    assert new["reason_3"].tolist()[0] == "N5_SEVERAL_CHRONIC"
    assert set(new["methodology_version"]) == {"KZ-2027.1"}
