"""The whole month through Dagster on a small generated population: real DuckDB, dbt, Numba, GX.

One module-scoped platform (tmp data root, ephemeral Dagster instance) runs:
* a clean month end to end (landing -> dbt -> scores -> gates -> lists -> publication);
* a broken month whose incomes vanished, so level 1 swells beyond its bound: the blocking
  level-share gate fails, and no region of that month gets a list;
* a broken region: a duplicated score row makes one region's list fail its gates, and that
  region publishes nothing while the other publishes.
Then the whole event log is scanned for IIN-shaped values.
"""

from __future__ import annotations

import os
import re

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.partitions import month_region_key
from orchestration.publication.snapshot import current_version
from orchestration.settings import PlatformPaths
from registry_simulator.iin import is_valid_iin

pytestmark = pytest.mark.slow

CLEAN_MONTH = "2026-09"
BROKEN_MONTH = "2026-08"
REGIONS = ("79", "35")
# Twelve digits standing alone. Not IINs: digits after a decimal point (durations, shares) and
# digits inside a hexadecimal token such as a run id's last group ("...-4da3-123456789012").
IIN_SHAPED = re.compile(r"(?<![0-9A-Za-z.\-])\d{12}(?![0-9A-Za-z\-])")


def iin_hits(text: str) -> int:
    """How many checksum-valid IINs stand in `text`."""
    return sum(1 for match in IIN_SHAPED.findall(text) if is_valid_iin(match))


def test_the_iin_scan_finds_an_iin_but_not_a_fraction():
    assert iin_hits("recipient 061211600012 listed") == 1
    assert iin_hits("recipient_iin=061211600012, level 3") == 1
    assert iin_hits("duration 0.061211600012 s") == 0
    assert iin_hits("run 0cd47f9f-fdd8-4da3-b4da-061211600012") == 0


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    from registry_simulator import generate_month

    root = tmp_path_factory.mktemp("platform")
    saved = {
        k: os.environ.get(k)
        for k in ("DATA_ROOT", "LANDING_ROOT", "TRUTH_ROOT", "WAREHOUSE_PATH", "PUBLISH_ROOT")
    }
    for key in saved:
        os.environ.pop(key, None)
    os.environ["DATA_ROOT"] = str(root)
    paths = PlatformPaths.from_env()
    paths.export()
    for month in (CLEAN_MONTH, BROKEN_MONTH):
        generate_month(
            month=month,
            scale=0.0015,
            regions=",".join(REGIONS),
            seed=7,
            out=paths.landing_root,
            truth_out=paths.truth_root,
            defect_rate_scale=0.0,
            progress=False,
        )
    _wipe_incomes(paths, BROKEN_MONTH)

    from orchestration.definitions import build_definitions

    defs = build_definitions(paths)
    instance = dg.DagsterInstance.ephemeral()
    yield paths, defs, instance
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _wipe_incomes(paths: PlatformPaths, month: str) -> None:
    """Every income registry of the month delivered empty (and the manifest re-signed to match)."""
    import hashlib
    import json

    month_dir = paths.landing_root / month
    manifest_path = month_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    emptied = {
        "pension_contributions",
        "pensions_benefits",
        "entrepreneur_income",
        "business_registry",
        "vehicles",
        "border_crossings",
    }
    for entry in manifest["registries"]:
        if entry["name"] in emptied:
            path = month_dir / entry["file"]
            table = pq.read_table(path)
            pq.write_table(table.slice(0, 0), path)
            entry["rows"] = 0
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))


def _run(defs, instance, job_name, partition_key, run_config=None):
    job = defs.resolve_job_def(job_name)
    return job.execute_in_process(
        instance=instance, partition_key=partition_key, raise_on_error=False, run_config=run_config or {}
    )


def _failed_checks(result) -> set[str]:
    return {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}


@pytest.fixture(scope="module")
def clean_month(platform):
    paths, defs, instance = platform
    monthly = _run(defs, instance, "monthly_scoring_job", CLEAN_MONTH)
    regional = {
        r: _run(defs, instance, "regional_publication_job", month_region_key(CLEAN_MONTH, r)) for r in REGIONS
    }
    return monthly, regional


def test_definitions_load_with_the_whole_pipeline(platform):
    _, defs, _ = platform
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {
        "landing/population",
        "family_features",
        "family_scores",
        "eligibility_list",
        "published_eligibility_lists",
    } <= keys
    assert defs.resolve_job_def("monthly_scoring_job") and defs.resolve_job_def("regional_publication_job")
    assert defs.resolve_schedule_def("monthly_rescoring_schedule")
    assert defs.resolve_sensor_def("landing_drop_sensor")


def test_a_clean_month_is_scored_gated_and_published_in_both_regions(platform, clean_month):
    paths, _, _ = platform
    monthly, regional = clean_month
    assert monthly.success, _failed_checks(monthly)
    assert not _failed_checks(monthly) - {"gx_features_family_size_plausible"}
    for region, result in regional.items():
        assert result.success, (region, _failed_checks(result))
        assert current_version(paths.publish_root, CLEAN_MONTH, region).startswith("v1-")
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        features, scores = connection.execute(
            "select (select count(*) from family_features where period = ?), "
            "(select count(*) from family_scores where period = ?)",
            [CLEAN_MONTH, CLEAN_MONTH],
        ).fetchone()
    assert features == scores > 0


def test_the_analytics_of_a_published_month_run(platform, clean_month):
    paths, defs, instance = platform
    result = _run(defs, instance, "monthly_analytics_job", CLEAN_MONTH)
    assert result.success
    assert (paths.data_root / "reports" / CLEAN_MONTH).exists()


def test_a_month_whose_incomes_vanished_is_blocked_and_publishes_nothing(platform, clean_month):
    paths, defs, instance = platform
    monthly = _run(defs, instance, "monthly_scoring_job", BROKEN_MONTH)
    assert not monthly.success
    assert "gx_share_level_1_within_bounds" in _failed_checks(monthly)
    regional = _run(defs, instance, "regional_publication_job", month_region_key(BROKEN_MONTH, "79"))
    assert not regional.success
    assert not (paths.publish_root / BROKEN_MONTH).exists()


def test_a_broken_region_is_blocked_while_the_other_publishes(platform, clean_month):
    paths, defs, instance = platform
    with duckdb.connect(str(paths.warehouse_path)) as connection:
        # Corrupt region 35 only: one family scored twice (as if an upstream step misbehaved).
        connection.execute(
            "insert into family_scores select * from family_scores "
            "where period = ? and region_kato = '35' and family_id in "
            "(select family_id from eligibility_list where period = ? and region = '35' limit 1)",
            [CLEAN_MONTH, CLEAN_MONTH],
        )
        versions_before = {r: current_version(paths.publish_root, CLEAN_MONTH, r) for r in REGIONS}
    broken = _run(defs, instance, "regional_publication_job", month_region_key(CLEAN_MONTH, "35"))
    healthy = _run(defs, instance, "regional_publication_job", month_region_key(CLEAN_MONTH, "79"))
    assert not broken.success
    assert healthy.success
    assert current_version(paths.publish_root, CLEAN_MONTH, "35") == versions_before["35"]
    with duckdb.connect(str(paths.warehouse_path)) as connection:  # repair for the tests after this one
        connection.execute("create or replace table family_scores as select distinct * from family_scores")


def test_a_published_month_reproduces_byte_identical(platform, clean_month, tmp_path):
    from orchestration.reproduce import reproduce

    paths, _, _ = platform
    (outcome,) = reproduce(CLEAN_MONTH, ["79"], paths, tmp_path)
    assert outcome.identical, outcome.differences
    assert outcome.reproduced_version == outcome.published_version


def test_a_reproduction_names_what_differs():
    from orchestration.reproduce import compare_snapshots

    def snapshot(amount: float, sha: str):
        table = pa.table(
            {
                "family_id": [1, 2],
                "beneficiary_iin": [None, None],
                "level": [2, 3],
                "amount_kzt": [100.0, amount],
                "recipient_iin": ["a", "b"],
                "reason_codes": [["M3"], ["N1"]],
                "methodology_version": ["m", "m"],
                "rule_version": ["r", "r"],
            }
        )
        manifest = {
            "methodology_version": "m",
            "rule_version": "r",
            "schema_version": "s",
            "services": {"asp": {"sha256": sha}},
        }
        return manifest, {"asp": table}

    assert compare_snapshots(snapshot(50.0, "x"), snapshot(50.0, "x")) == []
    assert compare_snapshots(snapshot(50.0, "x"), snapshot(60.0, "y")) == [
        "asp: 1 rows with a different amount_kzt"
    ]


def test_the_event_log_holds_no_iin(platform, clean_month):
    _, _, instance = platform
    where = []  # (job, step, event type) of each hit: never the value itself
    for run in instance.get_runs():
        for record in instance.all_logs(run.run_id):
            hits = iin_hits(repr(record))
            where += [(run.job_name, record.step_key, record.dagster_event_type)] * hits
    assert not where, f"{len(where)} IIN-shaped values in the Dagster event log at {where}"
