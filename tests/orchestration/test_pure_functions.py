"""Fast tests of the orchestration's small pure functions (no dbt, no warehouse)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kz_domain.landing_contract import REGISTRY_NAMES
from orchestration.corrections.rescoring import rescoring_environment, rescoring_run_args
from orchestration.landing.drop import inspect_drop
from orchestration.quality.checks import level_shares, share_drift, suite_columns
from orchestration.quality.gx_runner import check_names
from orchestration.schedules import period_before
from orchestration.warehouse.cli_args import dbt_build_args, run_environment
from orchestration.warehouse.dbt_command import exit_code
from orchestration.warehouse.resources import process_environment, prune_command_folders


def test_a_monthly_build_gets_the_period_and_an_empty_region():
    assert run_environment("2026-10") == {"DBT_PERIOD": "2026-10", "DBT_REGION": "", "DBT_FAMILIES": ""}


def test_a_regional_build_gets_the_period_and_the_region():
    assert run_environment("2026-10", "79") == {
        "DBT_PERIOD": "2026-10",
        "DBT_REGION": "79",
        "DBT_FAMILIES": "",
    }


def test_a_monthly_build_applies_the_corrections_up_to_its_pin():
    assert run_environment("2026-10", None, 7)["DBT_CORRECTIONS_THROUGH_SEQ"] == "7"


def test_a_rescoring_names_its_families_and_applies_every_correction():
    environment = rescoring_environment("2026-10", [12, 7])
    assert environment["DBT_FAMILIES"] == "12,7"
    assert environment["DBT_CORRECTIONS_THROUGH_SEQ"] == ""


def test_a_rescoring_rebuilds_into_its_own_target_and_defers_the_rest_to_the_month():
    args = rescoring_run_args(("family_features",), Path("/state"))
    assert args[args.index("--target") + 1] == "rescoring"
    assert "--defer" in args and args[args.index("--state") + 1] == "/state"
    assert "--favor-state" not in args  # what the rescoring rebuilt must win over the month's


def test_dbt_build_args_pass_no_vars_so_dbt_reuses_the_parsed_manifest():
    args = dbt_build_args()
    assert args[0] == "build"
    assert "--vars" not in args


def test_production_builds_leave_dbt_unit_tests_to_ci():
    args = dbt_build_args()
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_production_builds_skip_the_json_artifacts_dagster_does_not_read():
    assert "--no-write-json" in dbt_build_args()


def test_the_process_environment_is_restored_after_the_dbt_call(monkeypatch):
    monkeypatch.setenv("DBT_PERIOD", "2026-09")
    monkeypatch.delenv("DBT_REGION", raising=False)
    with process_environment(run_environment("2026-10", "35")):
        assert (os.environ["DBT_PERIOD"], os.environ["DBT_REGION"]) == ("2026-10", "35")
    assert os.environ["DBT_PERIOD"] == "2026-09"
    assert "DBT_REGION" not in os.environ


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), ("dbt could not start", 1)])
def test_platform_dbt_exits_with_the_status_dbt_gave(code, status):
    assert exit_code(code) == status


def test_only_the_newest_dbt_command_folders_are_kept(tmp_path):
    command_folders = [
        "warehouse_dbt_models-3a2d720-71b9c09",
        "eligibility_dbt_models-37a5a0e-ff21fa7",
        "eligibility_dbt_models-53cf081-2907a30",
        "warehouse_dbt_models-9b1c2d3-0a1b2c3",
    ]
    for age, name in enumerate(command_folders):  # newest first
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (1_000_000 - age, 1_000_000 - age))
    (tmp_path / "compiled").mkdir()  # the project's own artifacts
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "my-notes-2026").mkdir()

    removed = prune_command_folders(tmp_path, keep=2)

    assert [path.name for path in removed] == [command_folders[3], command_folders[2]]  # oldest first
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*command_folders[:2], "compiled", "manifest.json", "my-notes-2026"]
    )


@pytest.mark.parametrize(
    ("tick", "period"),
    [(date(2026, 11, 5), "2026-10"), (date(2027, 1, 5), "2026-12"), (date(2026, 3, 31), "2026-02")],
)
def test_the_schedule_scores_the_month_before_its_tick(tick, period):
    assert period_before(tick) == period


def test_level_shares_cover_all_six_levels_of_each_region():
    scores = pd.DataFrame({"region_kato": ["79"] * 4 + ["35"], "level": [1, 1, 3, 6, 4]})
    shares = level_shares(scores).set_index(["region_kato", "level"])["share"]
    assert len(shares) == 12
    assert shares[("79", 1)] == 0.5
    assert shares[("79", 2)] == 0.0
    assert shares[("35", 4)] == 1.0


def test_share_drift_is_the_absolute_change_per_region_and_level():
    now = pd.DataFrame({"region_kato": ["79", "79"], "level": [1, 2], "share": [0.3, 0.7]})
    before = pd.DataFrame({"region_kato": ["79", "79"], "level": [1, 2], "share": [0.1, 0.9]})
    drift = share_drift(now, before).set_index("level")["change"]
    assert drift[1] == pytest.approx(0.2)
    assert drift[2] == pytest.approx(0.2)


def test_every_gx_expectation_names_a_unique_check():
    for suite in ("family_features", "family_scores", "level_shares", "eligibility_list"):
        names = [name for name, _, _ in check_names(suite)]
        assert len(names) == len(set(names)) > 0


def test_suite_columns_lists_the_columns_an_expectation_reads():
    assert suite_columns("eligibility_list")[:3] == ["service", "family_id", "beneficiary_key"]


def _drop(tmp_path, statuses: dict[str, str]):
    month = tmp_path / "2026-10"
    month.mkdir()
    entries = []
    for registry in REGISTRY_NAMES:
        status = statuses.get(registry, "delivered")
        entry = {"registry": registry, "rows": 1, "extract_as_of": "2026-09-30", "status": status}
        if status == "delivered":
            content = registry.encode()
            (month / f"{registry}.parquet").write_bytes(content)
            entry["sha256"] = hashlib.sha256(content).hexdigest()
        entries.append(entry)
    (month / "manifest.json").write_text(json.dumps({"registries": entries}))
    return month


def test_a_drop_with_every_registry_delivered_is_complete(tmp_path):
    drop = inspect_drop(_drop(tmp_path, {}))
    assert drop.complete
    assert set(drop.checksums()) == set(REGISTRY_NAMES)


def test_a_late_extract_is_named_not_treated_as_empty(tmp_path):
    drop = inspect_drop(_drop(tmp_path, {"vehicles": "late"}))
    assert not drop.complete
    assert drop.problems() == ["vehicles: late"]


def test_a_tampered_extract_fails_its_checksum(tmp_path):
    month = _drop(tmp_path, {})
    (month / "health.parquet").write_bytes(b"changed")
    assert inspect_drop(month).problems() == ["health: checksum_mismatch"]


def test_a_drop_without_manifest_is_still_being_written(tmp_path):
    (tmp_path / "2026-10").mkdir()
    drop = inspect_drop(tmp_path / "2026-10")
    assert not drop.complete and not drop.manifest_found


def test_the_landing_run_key_changes_when_any_one_extract_is_re_delivered():
    from orchestration.landing.drop import DropStatus, ExtractStatus
    from orchestration.sensors import landing_run_key

    def drop(**sha):
        return DropStatus(
            "2026-10", True, [ExtractStatus(name, "delivered", sha256=value) for name, value in sha.items()]
        )

    first = drop(population="0" * 64, vehicles="f" * 64)
    # Before: the key kept the first 64 characters of the sorted checksums, the smallest alone.
    redelivered = drop(population="0" * 64, vehicles="e" * 64)
    assert landing_run_key("2026-10", first.fingerprint()) != landing_run_key(
        "2026-10", redelivered.fingerprint()
    )
    assert landing_run_key("2026-10", first.fingerprint()) == landing_run_key(
        "2026-10", drop(**{"vehicles": "f" * 64, "population": "0" * 64}).fingerprint()
    )


def test_the_schedule_rescores_a_period_once_per_drop():
    from orchestration.schedules import rescoring_run_key

    assert rescoring_run_key("2026-10", "a" * 64) != rescoring_run_key("2026-10", "b" * 64)
    assert rescoring_run_key("2026-10", None) == "rescoring-2026-10-incomplete"


def test_the_analytics_rerun_only_when_the_months_publication_changed():
    from orchestration.sensors import analytics_run_key

    first = analytics_run_key("2026-10", {"79": "v1-a", "35": None})
    assert first == analytics_run_key("2026-10", {"35": None, "79": "v1-a"})
    assert first != analytics_run_key("2026-10", {"79": "v1-a", "35": "v1-b"})  # the second region
    assert first != analytics_run_key("2026-10", {"79": "v2-c", "35": None})  # a republication
    assert first != analytics_run_key("2026-11", {"79": "v1-a", "35": None})


def test_the_reconciliation_reruns_only_when_an_outcome_file_is_new_or_re_delivered():
    from orchestration.sensors import outcomes_run_key

    first = outcomes_run_key("2026-10", "79", {"v1-aaaaaaaaaaaa": b"header\nline"})
    assert first == outcomes_run_key("2026-10", "79", {"v1-aaaaaaaaaaaa": b"header\nline"})
    assert first != outcomes_run_key("2026-10", "79", {"v1-aaaaaaaaaaaa": b"header\nline\nline"})
    assert first != outcomes_run_key(
        "2026-10", "79", {"v1-aaaaaaaaaaaa": b"header\nline", "v2-bbbbbbbbbbbb": b"header"}
    )
    assert first != outcomes_run_key("2026-10", "35", {"v1-aaaaaaaaaaaa": b"header\nline"})
