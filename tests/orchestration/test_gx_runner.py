"""The GX runner on hand-built frames: the fast dtypes change no value and no outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from orchestration.quality.gx_runner import fast_dtypes, validate


def _features() -> pd.DataFrame:
    """Five families as DuckDB hands them over (int32 counts, object strings), three of them bad:
    family 2 is listed twice, family 3 has 31 members, family 4 has no region and family 5 a
    malformed one."""
    return pd.DataFrame(
        {
            "family_id": np.array([1, 2, 2, 3, 4, 5], dtype=np.int64),
            "n_members": np.array([2, 3, 3, 31, 1, 4], dtype=np.int32),
            "n_working": np.array([1, 0, 0, 2, -1, 1], dtype=np.int32),
            "income_wages": np.array([100.0, 0.0, 0.0, 50.0, 10.0, 20.0], dtype=np.float32),
            "settlement_type": np.array([1, 2, 2, 5, 4, 3], dtype=np.int32),
            "region_kato": ["79", "35", "35", "79", None, "7X"],
        }
    )


def test_fast_dtypes_keep_every_value():
    frame = _features()
    fast = fast_dtypes(frame)
    assert fast["n_members"].dtype == np.int64 and fast["income_wages"].dtype == np.float64
    assert isinstance(fast["region_kato"].dtype, pd.CategoricalDtype)
    assert fast["region_kato"].isna().tolist() == [False, False, False, False, True, False]
    assert fast["region_kato"].astype(object).where(fast["region_kato"].notna(), None).tolist() == list(
        frame["region_kato"]
    )
    assert (fast["n_working"] == frame["n_working"]).all()
    assert frame["n_members"].dtype == np.int32  # the caller's frame is left as it was


def test_a_suite_counts_the_bad_rows_of_int32_and_string_columns():
    outcomes = {o.check_name: o for o in validate(_features(), "family_features")}
    assert outcomes["gx_features_not_empty"].passed
    unique = outcomes["gx_features_family_id_unique"]
    assert not unique.passed and unique.unexpected_count == 2  # both rows of family 2
    members = outcomes["gx_features_members_positive"]
    assert not members.passed and members.unexpected_count == 1 and members.element_count == 6
    assert outcomes["gx_features_working_non_negative"].unexpected_count == 1
    region = outcomes["gx_features_region_valid"]
    assert not region.passed and region.unexpected_count == 1  # the null is not counted, "7X" is
    assert outcomes["gx_features_settlement_type_valid"].passed
    assert outcomes["gx_features_family_size_plausible"].observed_value == (2 + 3 + 3 + 31 + 1 + 4) / 6


def test_the_gx_resource_starts_importing_gx_when_a_run_sets_it_up(monkeypatch):
    import dagster as dg

    from orchestration.quality import gx_runner
    from orchestration.resources import GxRunnerResource

    monkeypatch.setattr(gx_runner, "_import_started", gx_runner.threading.Event())
    started = []
    monkeypatch.setattr(gx_runner, "_import_gx", lambda: started.append("great_expectations"))
    GxRunnerResource().setup_for_execution(dg.build_init_resource_context())
    GxRunnerResource().setup_for_execution(dg.build_init_resource_context())  # a second run: no new thread
    for thread in gx_runner.threading.enumerate():
        if thread.name == "gx-import":
            thread.join(timeout=10)
    assert started == ["great_expectations"]
