"""The what-if CLI and Dagster asset on a temporary warehouse holding the hand-worked population."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.analytics import whatif as report_module
from orchestration.analytics.whatif_assets import methodology_whatif
from orchestration.resources import WarehouseResource
from tests.whatif.test_whatif_engine import ALLOWED, CANDIDATES, _population

pytestmark = pytest.mark.xdist_group("scoring_kernel")
PERIOD = "2026-03"  # PM 50,851 as in the hand-worked population
VARIANTS = """
variants:
  - name: level 6 from 1600
    overrides: {levels.6.min_score: 1600}
  - name: wealth needs 3 cars
    overrides: {gates.G3_WEALTH.when.n_cars: 3}
"""


def _warehouse(path, candidates_table: str) -> str:
    features = _population().assign(period=PERIOD)
    candidates = CANDIDATES.assign(period=PERIOD)
    rules = pd.DataFrame(
        [(s, r, "2025-01-01", levels) for (s, r), levels in ALLOWED.items()]
        + [("rent", "35", "2026-06-01", "1")],  # a later rule version is not in force in March
        columns=["service", "region", "valid_from", "allowed_levels"],
    )
    with duckdb.connect(str(path)) as connection:
        for table, frame in {"family_features": features, candidates_table: candidates,
                             "eligibility_service_rules": rules}.items():  # fmt: skip
            connection.register("frame", frame)
            connection.execute(f"create table {table} as select * from frame")
            connection.unregister("frame")
    return str(path)


def test_cli_writes_report_plot_and_tables(tmp_path, capsys):
    warehouse = _warehouse(tmp_path / "w.duckdb", "eligibility_candidates")
    variants = tmp_path / "variants.yaml"
    variants.write_text(VARIANTS, encoding="utf-8")
    out = tmp_path / "out"
    assert report_module.main(["--period", PERIOD, "--warehouse", warehouse, "--variants", str(variants),
                               "--out", str(out), "--show-variant", "2"]) == 0  # fmt: skip
    for name in (
        "report.md",
        "whatif.png",
        "variants.csv",
        "summary.csv",
        "transitions.parquet",
        "services.parquet",
    ):
        assert (out / name).stat().st_size > 0
    summary = pd.read_csv(out / "summary.csv", index_col="variant")
    # rent: baseline family 5 (30,000 in 35) and family 3 (20,000 in 79); variant 1 drops family 5,
    # variant 2 adds family 6 (40,000); aid (17,000) never changes
    assert summary.budget_rent.tolist() == [50_000.0, 20_000.0, 90_000.0]
    assert summary.budget_aid.tolist() == [17_000.0] * 3
    assert summary.families_changed.tolist() == [0, 1, 1]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Transition matrix of variant 2: wealth needs 3 cars" in report
    assert "candidates: eligibility_candidates" in report
    assert "report:" in capsys.readouterr().out


def test_asset_uses_inline_variants_and_says_when_candidates_are_the_baseline_list(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_ROOT", str(tmp_path / "data"))
    warehouse = _warehouse(tmp_path / "w.duckdb", "eligibility_list")
    result = dg.materialize(
        [methodology_whatif], partition_key=PERIOD,
        resources={"warehouse": WarehouseResource(path=warehouse)},
        run_config={"ops": {"methodology_whatif": {"config": {"variants_yaml": VARIANTS}}}},
    )  # fmt: skip
    metadata = result.asset_materializations_for_node("methodology_whatif")[0].metadata
    assert metadata["variants"].value == 3 and metadata["families"].value == 6
    assert "wealth needs 3 cars" in metadata["summary"].value
    report = (tmp_path / "data" / "reports" / "whatif" / PERIOD / "report.md").read_text(encoding="utf-8")
    assert "baseline-eligible families only" in report
