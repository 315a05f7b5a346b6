"""The month reaches dbt at run time: one parse serves every month, and each build reads its own.

The orchestrator passes the month as DBT_PERIOD instead of `--vars` so that dbt does not re-parse
the project for every month (dbt_project/macros/period.sql). The risk of that design is a month
baked in at parse time; this test parses once, builds two months in a row from the same parse
state, and checks that neither build re-parsed and that each one read its own landing files.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.dbt.landing_fixture import write_landing_month

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
KATO = "101010000"  # a code of seeds/kato_codes.csv
# Two months with different family cards: 2 families in September, 3 in October.
MONTHS = {
    "2026-09": [1001, 1002],
    "2026-10": [2001, 2002, 2003],
}


def _dbt(root: Path, env: dict[str, str], *args: str) -> str:
    """Run a dbt command on the shared target folder; return its own log's text."""
    log_path = root / "logs" / "-".join(args[:1] + (env.get("DBT_PERIOD", "parse"),))
    command = [str(DBT), *args, "--project-dir", str(REPO_ROOT / "dbt_project"), "--profiles-dir"]
    command += [
        str(REPO_ROOT / "dbt_project"),
        "--target-path",
        str(root / "target"),
        "--log-path",
        str(log_path),
    ]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        summary = [line for line in result.stdout.splitlines() if "ERROR" in line or "rror" in line]
        pytest.fail(f"dbt {args[0]} failed:\n" + "\n".join(summary[-20:]))
    return (log_path / "dbt.log").read_text()


@pytest.fixture(scope="module")
def two_months(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Parse once (no month given), then build the families staging for each month in turn."""
    root = tmp_path_factory.mktemp("run_time_period")
    for period, family_ids in MONTHS.items():
        families = [
            dict(family_id=fid, registration_date=dt.date(2020, 1, 1), address_kato=KATO)
            for fid in family_ids
        ]
        write_landing_month(
            root / "landing", period, {"families": families}, dt.date.fromisoformat(f"{period}-01")
        )
    warehouse = root / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if key not in ("DBT_PERIOD", "DBT_REGION")} | {
        "WAREHOUSE_PATH": str(warehouse),
        "LANDING_ROOT": str(root / "landing"),
        "DBT_REPO_ROOT": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    _dbt(root, env, "parse")
    logs, counts = {}, {}
    for period in MONTHS:
        logs[period] = _dbt(
            root,
            env | {"DBT_PERIOD": period},
            "build",
            "--select",
            "+stg_families",
            "+stg_families__rejected",
            "--indirect-selection",
            "cautious",  # not the tests that also read models this test does not build
        )
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            counts[period] = connection.execute(
                "select period, count(*) from staging.stg_families group by period"
            ).fetchall()
    return logs, counts


def test_no_month_makes_dbt_parse_the_project_again(two_months):
    logs, _ = two_months
    for period, log in logs.items():
        assert "Unable to do partial parsing" not in log, period
        assert "skipping parsing" in log, period


def test_each_build_reads_the_landing_files_of_its_own_month(two_months):
    _, counts = two_months
    assert counts == {"2026-09": [("2026-09", 2)], "2026-10": [("2026-10", 3)]}


def _dbt_by_hand(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [str(DBT), *args, "--project-dir", str(REPO_ROOT / "dbt_project"), "--profiles-dir"]
    command += [str(REPO_ROOT / "dbt_project"), "--target-path", str(root / "target")]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_commands_a_data_engineer_runs_by_hand_need_no_month_or_say_how_to_give_one(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DBT_PERIOD", "DBT_REGION")} | {
        "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "DBT_REPO_ROOT": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    listed = _dbt_by_hand(tmp_path, env, "ls", "--select", "family_features")
    assert listed.returncode == 0 and "kz_family_wellbeing.marts.family_features" in listed.stdout
    docs = _dbt_by_hand(tmp_path, env, "docs", "generate")
    assert docs.returncode != 0
    assert (
        "dbt docs generate compiles the models for one month: give the period as 'YYYY-MM' with "
        """--vars '{"period": "2026-10"}' or DBT_PERIOD=2026-10 (or run dbt docs generate --no-compile)"""
    ) in docs.stdout
    assert "syntax error" not in docs.stdout
    assert _dbt_by_hand(tmp_path, env, "docs", "generate", "--no-compile").returncode == 0
