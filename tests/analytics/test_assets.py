"""The analytics assets and the audit CLI on a temporary warehouse built from the hand-built rows."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.analytics import audit as audit_module
from orchestration.analytics.assets import family_level_changes, targeting_audit
from orchestration.resources import WarehouseResource
from tests.analytics import population as pop
from tests.analytics.families import two_months


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    scores_before, scores_after, features_before, features_after = two_months()
    with duckdb.connect(str(path)) as connection:
        for table, frames in {
            "family_scores": (scores_before, scores_after),
            "family_features": (features_before, features_after),
        }.items():
            connection.register("first", frames[0])
            connection.register("second", frames[1])
            connection.execute(
                f"create table {table} as select * from first union all by name select * from second"
            )
    return path


def test_changes_asset_writes_the_table_and_transition_metadata(warehouse):
    result = dg.materialize(
        [family_level_changes],
        partition_key="2026-10",
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    metadata = result.asset_materializations_for_node("family_level_changes")[0].metadata
    assert metadata["dagster/row_count"].value == 7
    assert metadata["new_families"].value == 1
    assert "| before 4 |" in metadata["transitions_region_79"].value
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select family_id, cause, sources from family_level_changes where period = '2026-10' order by 1"
        ).fetchall()
        columns = [c[0] for c in connection.execute("describe family_level_changes").fetchall()]
    assert rows[1] == (2, "source_stale", "")
    assert not any("iin" in c for c in columns)
    # a second run replaces the period's rows instead of adding to them
    dg.materialize(
        [family_level_changes],
        partition_key="2026-10",
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from family_level_changes").fetchone()[0] == 7


def test_changes_asset_skips_without_previous_scores(warehouse):
    result = dg.materialize(
        [family_level_changes],
        partition_key="2026-09",
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    metadata = result.asset_materializations_for_node("family_level_changes")[0].metadata
    assert metadata["skipped"].value is True


@pytest.fixture()
def audited_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_ROOT", str(tmp_path))
    for variable in ("TRUTH_ROOT", "WAREHOUSE_PATH", "LANDING_ROOT", "PUBLISH_ROOT"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "truth" / pop.PERIOD).mkdir(parents=True)
    pop.truth().to_parquet(tmp_path / "truth" / pop.PERIOD / "family_truth.parquet")
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        for table, frame in {
            "family_scores": pop.scores(),
            "family_features": pop.features(),
            "eligibility_list": pop.listed(),
        }.items():
            frame = frame.assign(period=pop.PERIOD)
            connection.register("frame", frame)
            connection.execute(f"create table {table} as select * from frame")
    return path


def test_audit_cli_writes_markdown_and_png(audited_warehouse, tmp_path, capsys):
    assert audit_module.main(["--period", pop.PERIOD, "--warehouse", str(audited_warehouse)]) == 0
    folder = tmp_path / "reports" / pop.PERIOD
    markdown = (folder / "targeting_audit.md").read_text(encoding="utf-8")
    assert "| level <= 3 " in markdown and "ASP income test" in markdown and "## By region" in markdown
    assert (folder / "targeting_audit.png").read_bytes()[:4] == b"\x89PNG"
    assert "level <= 1" in capsys.readouterr().out


def test_audit_asset_puts_the_headline_in_metadata(audited_warehouse):
    result = dg.materialize(
        [targeting_audit],
        partition_key=pop.PERIOD,
        resources={"warehouse": WarehouseResource(path=str(audited_warehouse))},
    )
    metadata = result.asset_materializations_for_node("targeting_audit")[0].metadata
    assert metadata["families_audited"].value == 8
    assert "ASP income test" in metadata["headline"].value
