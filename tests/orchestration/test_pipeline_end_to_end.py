"""The whole month through Dagster on a small generated population: real DuckDB, dbt, Numba, GX
and a real PostgreSQL, configured through the publication asset's own resource.

One module-scoped platform (tmp data root, ephemeral Dagster instance) runs:
* a clean month end to end (landing -> dbt -> scores -> gates -> lists -> publication, files and
  PostgreSQL on the same version);
* a broken month whose incomes vanished, so level 1 swells beyond its bound: the blocking
  level-share gate fails, and no region of that month gets a list, even when the publication
  asset is materialised alone;
* the publication asset alone with a missing gate, and after a write no gate checked;
* a month whose disability registry arrived cut to one row: the landing's volume gate stops it;
  accepted there (and by the continuity gate), home schooling falls to zero, the list drift gate
  blocks it against the real previous month, and it publishes once approved;
* a failed PostgreSQL load, then a rerun: both sides on one version, each switch logged;
* a registry re-delivered during the dbt build: the run fails, and no manifest names it.
Then the whole event log and the gate log are scanned for IIN-shaped values.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from kz_domain.iin import is_valid_iin
from orchestration.partitions import month_region_key
from orchestration.publication.snapshot import (
    NoCurrentSnapshot,
    current_version,
    read_changes,
    read_current,
    read_publication_log,
    read_snapshot,
)
from orchestration.settings import DBT_PROJECT_DIR, EXPORTED_VARIABLES, PlatformPaths

pytestmark = pytest.mark.slow

CLEAN_MONTH = "2026-09"
# Its incomes cut to one row; no month before it on landing, so only the later gates can tell.
BROKEN_MONTH = "2026-06"
# The month after the clean one, its disability registry cut to one row (manifest re-signed).
ZERO_MONTH = "2026-10"
APPROVAL = {"approved_by": "a.data.engineer", "reason": "disability registry outage confirmed, ticket 42"}
# The landing's volume gate and the month's continuity gate stop ZERO_MONTH; the engineer who
# confirmed the outage accepts both (the list drift gate still has its own say).
ZERO_MONTH_APPROVAL = {
    "ops": {
        "landing_extracts": {"config": {"accept_volume": ["disability"], **APPROVAL}},
        "family_scores_month_continuity": {"config": APPROVAL},
    }
}
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
def platform_pg(postgres_server):
    """A fresh database of the shared PostgreSQL server for this module's publications."""
    import psycopg

    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE pipeline_end_to_end")
    return postgres_server.get_uri(database="pipeline_end_to_end")


@pytest.fixture(scope="module")
def platform(tmp_path_factory, platform_pg):
    from registry_simulator import generate_month

    root = tmp_path_factory.mktemp("platform")
    saved = {k: os.environ.get(k) for k in (*EXPORTED_VARIABLES, "PUBLISH_PG_DSN")}
    for key in saved:
        os.environ.pop(key, None)
    os.environ["DATA_ROOT"] = str(root)
    os.environ["PUBLISH_PG_DSN"] = platform_pg  # read by the publication resource as a dg.EnvVar
    paths = PlatformPaths.from_env()
    paths.export()
    for month in (CLEAN_MONTH, BROKEN_MONTH, ZERO_MONTH):
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
    _cut_registries(paths, BROKEN_MONTH, INCOME_REGISTRIES)
    _cut_registries(paths, ZERO_MONTH, {"disability"})

    from orchestration.definitions import build_definitions

    defs = build_definitions(paths)
    instance = dg.DagsterInstance.ephemeral()
    yield paths, defs, instance
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


INCOME_REGISTRIES = {
    "pension_contributions",
    "pensions_benefits",
    "entrepreneur_income",
    "business_registry",
    "vehicles",
    "border_crossings",
}


def _cut_registries(paths: PlatformPaths, month: str, emptied: set[str]) -> None:
    """The given registries of the month delivered with their first row only (and the manifest
    re-signed to match): not empty, so the landing's feed gates pass, but the data is gone."""
    month_dir = paths.landing_root / month
    manifest_path = month_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for entry in manifest["registries"]:
        if entry["name"] in emptied:
            path = month_dir / entry["file"]
            table = pq.read_table(path)
            pq.write_table(table.slice(0, 1), path)
            entry["rows"] = 1
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))


def _run(defs, instance, job_name, partition_key, run_config=None):
    job = defs.resolve_job_def(job_name)
    return job.execute_in_process(
        instance=instance, partition_key=partition_key, raise_on_error=False, run_config=run_config or {}
    )


def _materialize_publication_alone(defs, instance, period, region):
    """What "Materialize selected" on the publication asset does: a run of that asset only."""
    from orchestration.publication.assets import published_eligibility_lists

    resources = {k: v for k, v in defs.resources.items() if k in ("warehouse", "publication")}
    return dg.materialize(
        [published_eligibility_lists],
        instance=instance,
        resources=resources,
        partition_key=month_region_key(period, region),
        raise_on_error=False,
    )


def _refusal(result) -> str:
    """The text of the step failure of a run (what a data engineer reads in the UI)."""
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures, "the run did not fail"
    return "\n".join(repr(f.event_specific_data.error) for f in failures)


def _pg_current(uri: str, period: str, region: str) -> str | None:
    import psycopg

    with psycopg.connect(uri) as conn:
        if conn.execute("SELECT to_regclass('published.current_version')").fetchone()[0] is None:
            return None
        row = conn.execute(
            "SELECT version FROM published.current_version WHERE period = %s AND region = %s",
            (period, region),
        ).fetchone()
    return row[0] if row else None


def _files_current(paths: PlatformPaths, period: str, region: str) -> str | None:
    try:
        return current_version(paths.publish_root, period, region)
    except NoCurrentSnapshot:
        return None


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
        # PostgreSQL was configured through the publication asset's resource (PUBLISH_PG_DSN).
        assert _pg_current(os.environ["PUBLISH_PG_DSN"], CLEAN_MONTH, region) == current_version(
            paths.publish_root, CLEAN_MONTH, region
        )
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


@pytest.fixture(scope="module")
def september_paid(platform, clean_month):
    """Shymkent's September list paid by the example payment system (docs/examples): the
    recipients of the first three asp rows reported deceased; then the file is spoiled as a rail
    might (one reference's line repeated, one line dropped, one reference never published) and
    reconciled by payment_reconciliation_job. October's list (built later) must flag them."""
    from tests.payments.consumer import load_consumer

    paths, defs, instance = platform
    _, lists = read_current(paths.publish_root, CLEAN_MONTH, "79")
    deceased = set(lists["asp"]["recipient_iin"].to_pylist()[:3])
    deceased_references = {
        reference
        for table in lists.values()
        for reference, recipient in zip(
            table["reference_id"].to_pylist(), table["recipient_iin"].to_pylist(), strict=True
        )
        if recipient in deceased
    }
    rail = lambda service, reference, amount: (  # noqa: E731
        ("recipient_deceased", "") if reference in deceased_references else ("paid", "")
    )
    load_consumer().pay_current(paths.publish_root, paths.outcomes_root, CLEAN_MONTH, "79", rail, set())
    (outcome_file,) = (paths.outcomes_root / CLEAN_MONTH / "79").glob("v*.csv")
    header, *lines = outcome_file.read_text().splitlines()
    others = [line for line in lines if line.split(",")[0] not in deceased_references]
    spoiled = [line for line in lines if line != others[-1]] + [others[0], "R" + "0" * 24 + ",paid,,1.00,"]
    outcome_file.write_text("\n".join([header, *spoiled]) + "\n")
    result = _run(defs, instance, "payment_reconciliation_job", month_region_key(CLEAN_MONTH, "79"))
    return deceased, len(lines), result


def test_payment_outcomes_are_reconciled_and_every_unanswered_or_unknown_reference_reported(
    platform, september_paid
):
    _, _, result = september_paid
    assert result.success
    report = next(
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("payment_reconciliation_report")
    )
    # the repeated reference (both its lines rejected) and the dropped one are unanswered
    assert report["references_missing"].value == 2
    assert report["lines_rejected"].value == 3  # two DUPLICATE_REFERENCE, one UNKNOWN_REFERENCE
    assert "DUPLICATE_REFERENCE" in report["rejected"].value
    assert "UNKNOWN_REFERENCE" in report["rejected"].value
    assert "recipient_deceased" in report["by_outcome"].value
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "every_reference_answered_once"
    ]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN


def test_a_month_whose_incomes_vanished_is_blocked_and_publishes_nothing(platform, clean_month):
    paths, defs, instance = platform
    monthly = _run(defs, instance, "monthly_scoring_job", BROKEN_MONTH)
    assert not monthly.success
    assert "gx_share_level_1_within_bounds" in _failed_checks(monthly)
    regional = _run(defs, instance, "regional_publication_job", month_region_key(BROKEN_MONTH, "79"))
    assert not regional.success
    assert not (paths.publish_root / BROKEN_MONTH).exists()


def test_the_publication_alone_for_a_month_with_a_failed_gate_publishes_nothing(platform, clean_month):
    paths, defs, instance = platform
    result = _materialize_publication_alone(defs, instance, BROKEN_MONTH, "79")
    assert not result.success
    refusal = _refusal(result)
    assert "failed: family_scores:gx_share_level_1_within_bounds" in refusal
    assert "eligibility_list: no recorded build" in refusal
    assert not (paths.publish_root / BROKEN_MONTH).exists()
    assert _pg_current(os.environ["PUBLISH_PG_DSN"], BROKEN_MONTH, "79") is None


def test_a_registry_that_fell_to_one_row_stops_the_month_at_landing(platform, clean_month):
    paths, defs, instance = platform
    monthly = _run(defs, instance, "monthly_scoring_job", ZERO_MONTH)
    assert not monthly.success
    refusal = _refusal(monthly)
    assert "disability: volume_change (1 rows against" in refusal
    assert iin_hits(refusal) == 0


def test_the_publication_alone_with_a_missing_gate_publishes_nothing(platform, clean_month, september_paid):
    from orchestration.warehouse.assets import eligibility_dbt_models

    paths, defs, instance = platform
    approved = _run(defs, instance, "monthly_scoring_job", ZERO_MONTH, ZERO_MONTH_APPROVAL)
    assert approved.success, _failed_checks(approved)
    continuity = next(e for e in approved.get_asset_check_evaluations() if e.check_name == "month_continuity")
    assert continuity.metadata["approved_by"].value == APPROVAL["approved_by"]
    assert continuity.metadata["metrics_outside_tolerance"].value >= 1
    # The dbt models alone: their dbt tests run, the GX suite and the list drift gate do not.
    built = dg.materialize(
        [eligibility_dbt_models],
        instance=instance,
        resources={k: v for k, v in defs.resources.items() if k in ("dbt", "warehouse")},
        partition_key=month_region_key(ZERO_MONTH, "79"),
        raise_on_error=False,
    )
    assert built.success
    result = _materialize_publication_alone(defs, instance, ZERO_MONTH, "79")
    assert not result.success
    refusal = _refusal(result)
    assert "missing: eligibility_list:gx_list_keys_unique has never run" in refusal
    assert "missing: eligibility_list:list_drift has never run" in refusal
    assert "failed:" not in refusal
    assert not (paths.publish_root / ZERO_MONTH).exists()
    assert _pg_current(os.environ["PUBLISH_PG_DSN"], ZERO_MONTH, "79") is None


def test_the_publication_alone_after_a_write_no_gate_checked_publishes_nothing(platform, clean_month):
    paths, defs, instance = platform
    before = {
        r: (_files_current(paths, CLEAN_MONTH, r), _pg_current(os.environ["PUBLISH_PG_DSN"], CLEAN_MONTH, r))
        for r in REGIONS
    }
    with duckdb.connect(str(paths.warehouse_path)) as connection:
        # One family scored twice, as if a notebook or a hand-run script had written the table.
        connection.execute(
            "insert into family_scores select * from family_scores where period = ? "
            "and family_id in (select family_id from eligibility_list where period = ? limit 1)",
            [CLEAN_MONTH, CLEAN_MONTH],
        )
    for region in REGIONS:
        result = _materialize_publication_alone(defs, instance, CLEAN_MONTH, region)
        assert not result.success
        assert "scores: changed after run" in _refusal(result)
    after = {
        r: (_files_current(paths, CLEAN_MONTH, r), _pg_current(os.environ["PUBLISH_PG_DSN"], CLEAN_MONTH, r))
        for r in REGIONS
    }
    assert after == before
    with duckdb.connect(str(paths.warehouse_path)) as connection:  # repair: the audited rows again
        connection.execute("create or replace table family_scores as select distinct * from family_scores")
    again = _materialize_publication_alone(defs, instance, CLEAN_MONTH, "79")
    assert again.success
    assert (
        again.get_asset_materialization_events()[0].materialization.metadata["status"].value
        == "already_published"
    )


def test_a_list_falling_to_zero_is_blocked_and_publishes_once_approved(platform, clean_month, september_paid):
    paths, defs, instance = platform
    blocked = _run(defs, instance, "regional_publication_job", month_region_key(ZERO_MONTH, "79"))
    assert not blocked.success
    assert "list_drift" in _failed_checks(blocked)
    (drift,) = [e for e in blocked.get_asset_check_evaluations() if e.check_name == "list_drift"]
    assert drift.metadata["services_beyond_tolerance"].value == "home_schooling"
    assert f"previous month ({CLEAN_MONTH}" in drift.metadata["baselines"].value
    assert not (paths.publish_root / ZERO_MONTH).exists()

    approval = {"ops": {"eligibility_list_list_drift": {"config": APPROVAL}}}
    approved = _run(defs, instance, "regional_publication_job", month_region_key(ZERO_MONTH, "79"), approval)
    assert approved.success
    (drift,) = [e for e in approved.get_asset_check_evaluations() if e.check_name == "list_drift"]
    assert drift.passed and drift.metadata["approved_by"].value == APPROVAL["approved_by"]
    _, tables = read_current(paths.publish_root, ZERO_MONTH, "79")
    assert tables["home_schooling"].num_rows == 0
    # September's deceased recipients are flagged on every October row they receive, and only they
    deceased, _, _ = september_paid
    flagged = rows_flagged = 0
    for table in tables.values():
        for recipient, flags in zip(
            table["recipient_iin"].to_pylist(), table["payment_flags"].to_pylist(), strict=True
        ):
            rows_flagged += "recipient_deceased" in flags
            flagged += (recipient in deceased) == ("recipient_deceased" in flags)
    assert rows_flagged >= 1 and flagged == sum(t.num_rows for t in tables.values())
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        (note,) = connection.execute(
            "select note from quality_gate_log where period = ? and region = '79' and check_name = 'list_drift' "
            "and passed",
            [ZERO_MONTH],
        ).fetchone()
    assert APPROVAL["approved_by"] in note and APPROVAL["reason"] in note


def test_a_failed_postgres_load_then_a_rerun_leaves_both_sides_on_one_version(platform, clean_month):
    import psycopg

    paths, defs, instance = platform
    uri = os.environ["PUBLISH_PG_DSN"]
    with psycopg.connect(uri, autocommit=True) as conn:  # the database refuses every new row
        conn.execute(
            "CREATE FUNCTION published.refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
        )
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON published.eligibility_list "
            "FOR EACH STATEMENT EXECUTE FUNCTION published.refuse()"
        )
    approval = {"ops": {"eligibility_list_list_drift": {"config": APPROVAL}}}
    failed = _run(defs, instance, "regional_publication_job", month_region_key(ZERO_MONTH, "35"), approval)
    assert not failed.success
    assert "SQLSTATE" in _refusal(failed)
    assert _files_current(paths, ZERO_MONTH, "35") is None  # the files did not switch ahead
    assert _pg_current(uri, ZERO_MONTH, "35") is None

    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("DROP TRIGGER refuse ON published.eligibility_list")
    rerun = _materialize_publication_alone(defs, instance, ZERO_MONTH, "35")
    assert rerun.success
    version = _files_current(paths, ZERO_MONTH, "35")
    assert version is not None and _pg_current(uri, ZERO_MONTH, "35") == version
    (file_switch,) = read_publication_log(paths.publish_root, ZERO_MONTH, "35")
    assert (file_switch["from_version"], file_switch["to_version"]) == (None, version)
    assert file_switch["run_id"] == rerun.run_id
    with psycopg.connect(uri) as conn:
        pg_switches = conn.execute(
            "SELECT from_version, to_version, run_id FROM published.publication_log WHERE period = %s AND region = %s",
            (ZERO_MONTH, "35"),
        ).fetchall()
    assert pg_switches == [(None, version, rerun.run_id)]


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


def test_a_redelivery_during_the_build_fails_the_run_and_no_manifest_names_it(platform, clean_month):
    paths, defs, instance = platform
    month_dir = paths.landing_root / ZERO_MONTH
    published_before = {r: _files_current(paths, ZERO_MONTH, r) for r in REGIONS}
    vehicles = month_dir / "vehicles.parquet"
    redelivered: dict[str, str] = {}

    def redeliver_once_dbt_starts():
        # dagster-dbt makes a command folder as dbt starts; from then on dbt reads the extracts.
        dbt_target = DBT_PROJECT_DIR / "target"
        before = {p.name for p in dbt_target.iterdir()}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(
                p.name.startswith("warehouse_dbt_models-") and p.name not in before
                for p in dbt_target.iterdir()
            ):
                break
            time.sleep(0.05)
        table = pq.read_table(vehicles)
        pq.write_table(table.slice(1), vehicles.with_suffix(".tmp"))  # a corrected extract, one row fewer
        os.replace(vehicles.with_suffix(".tmp"), vehicles)  # delivered as registries do: a rename
        redelivered["sha256"] = hashlib.sha256(vehicles.read_bytes()).hexdigest()
        manifest_path = month_dir / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        for entry in manifest["registries"]:
            if entry["name"] == "vehicles":
                entry["sha256"], entry["rows"] = redelivered["sha256"], table.num_rows - 1
        manifest_path.write_text(json.dumps(manifest))

    thread = threading.Thread(target=redeliver_once_dbt_starts)
    thread.start()
    monthly = _run(defs, instance, "monthly_scoring_job", ZERO_MONTH, ZERO_MONTH_APPROVAL)
    thread.join()
    assert not monthly.success
    assert "were re-delivered during the dbt build (vehicles)" in _refusal(monthly)

    refused = _materialize_publication_alone(defs, instance, ZERO_MONTH, "79")
    assert not refused.success
    assert "failed: landing:landing_unchanged_during_build" in _refusal(refused)
    assert {r: _files_current(paths, ZERO_MONTH, r) for r in REGIONS} == published_before
    manifests = [json.loads(p.read_text()) for p in paths.publish_root.glob("*/*/v*/manifest.json")]
    assert manifests and all(
        m["landing_checksums"].get("vehicles") != redelivered["sha256"] for m in manifests
    )


def test_a_month_published_with_a_correction_reproduces_byte_identical_after_its_withdrawal(
    platform, clean_month, tmp_path
):
    """A pupil of a listed family leaves it (approved membership change); the month is rerun and
    republished without the pupil's row. The correction is then withdrawn: reproducing the month
    applies the corrections log as it was pinned for the publication, so the lists come out
    byte-identical to the ones published -- not to the lists without the correction."""
    from orchestration.corrections.store import Evidence, decide, file_membership_change
    from orchestration.reproduce import reproduce

    paths, defs, instance = platform
    before = _files_current(paths, CLEAN_MONTH, "79")
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        pupil, family = connection.execute(
            "select beneficiary_iin, family_id from eligibility_list where period = ? and region = '79' "
            "and service = 'pupil_student_aid' order by family_id, beneficiary_iin limit 1",
            [CLEAN_MONTH],
        ).fetchone()
    cid = file_membership_change(
        paths.corrections_root,
        subject_iin=pupil,
        family_id=family,
        change="leaves_family",
        evidence=Evidence("court_decision", "2-123/2026", "2026-06-01"),
        requested_by="a.caseworker",
        effective_from="2026-06-01",
    )
    decide(paths.corrections_root, cid, "approved", "a.supervisor")
    assert _run(defs, instance, "monthly_scoring_job", CLEAN_MONTH).success
    assert _run(defs, instance, "regional_publication_job", month_region_key(CLEAN_MONTH, "79")).success
    manifest, lists = read_current(paths.publish_root, CLEAN_MONTH, "79")
    assert manifest["version"] != before
    assert manifest["corrections"]["in_force"] == [cid]
    assert manifest["corrections"]["through_seq"] == 2
    pupil_rows = lists["pupil_student_aid"].filter(
        pc.equal(lists["pupil_student_aid"]["beneficiary_iin"], pupil)
    )
    assert pupil_rows.num_rows == 0  # a count: a failing assertion must not print an IIN
    # every row the correction left alone keeps its reference; the pupil's left as corrected
    _, earlier = read_snapshot(paths.publish_root / CLEAN_MONTH / "79" / before)
    for service, table in lists.items():
        key = lambda row: (row["family_id"], row["beneficiary_iin"])  # noqa: E731
        was = {key(row): row["reference_id"] for row in earlier[service].to_pylist()}
        kept = [was.get(key(row)) == row["reference_id"] for row in table.to_pylist()]
        assert all(kept), f"{service}: {kept.count(False)} references changed"
    entry, changes = read_changes(
        paths.publish_root / CLEAN_MONTH / "79" / manifest["version"], "previous_version"
    )
    assert entry["version"] == before
    removed = changes["pupil_student_aid"].filter(pc.equal(changes["pupil_student_aid"]["change"], "removed"))
    assert removed["reason"].to_pylist() == ["correction_applied"]

    decide(paths.corrections_root, cid, "withdrawn", "a.caseworker", "the court decision was appealed")
    (outcome,) = reproduce(CLEAN_MONTH, ["79"], paths, tmp_path)
    assert outcome.identical, outcome.differences
    # the same content hash (the version number counts the versions of each publication root)
    content = lambda version: version.split("-")[1]  # noqa: E731
    assert content(outcome.reproduced_version) == content(manifest["version"]) != content(before)


def test_the_gate_log_holds_no_iin(platform, clean_month):
    paths, _, _ = platform
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        text = repr(connection.execute("select * from quality_gate_log").fetchall())
        text += repr(connection.execute("select * from dataset_lineage").fetchall())
    assert iin_hits(text) == 0


def test_the_event_log_holds_no_iin(platform, clean_month):
    _, _, instance = platform
    where = []  # (job, step, event type) of each hit: never the value itself
    for run in instance.get_runs():
        for record in instance.all_logs(run.run_id):
            hits = iin_hits(repr(record))
            where += [(run.job_name, record.step_key, record.dagster_event_type)] * hits
    assert not where, f"{len(where)} IIN-shaped values in the Dagster event log at {where}"
