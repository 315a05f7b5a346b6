"""The warm dbt (orchestration/warehouse/dbt_zygote.py): a command run through it behaves like dbt
started on its own -- same output, exit status, environment and working folder -- and stops when
its client is interrupted."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.warehouse.dbt_zygote import ZYGOTE_ENV, wait_until_listening, warm_dbt

PLATFORM_DBT = str(Path(sys.executable).with_name("platform-dbt"))


@pytest.fixture(scope="module")
def zygote_socket():
    with warm_dbt() as socket_path:
        assert wait_until_listening(socket_path), "the zygote did not start listening"
        yield socket_path
    assert not os.path.exists(socket_path)


def platform_dbt(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in (ZYGOTE_ENV, "DBT_PROFILES_DIR")}
    return subprocess.run(
        [PLATFORM_DBT, *args],
        cwd=cwd,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def without_timestamps(output: str) -> str:
    # dbt starts its console lines with the time of day
    return "\n".join(line.split("  ", 1)[-1] for line in output.splitlines())


def test_a_command_in_the_zygote_prints_and_exits_like_dbt_started_on_its_own(zygote_socket, tmp_path):
    direct = platform_dbt(["--version"], tmp_path)
    warm = platform_dbt(["--version"], tmp_path, **{ZYGOTE_ENV: zygote_socket})
    assert (warm.returncode, warm.stdout) == (direct.returncode, direct.stdout) == (0, direct.stdout)
    assert "duckdb" in warm.stdout


def test_a_bad_flag_gives_dbt_s_usage_error_and_status_2_in_the_zygote(zygote_socket, tmp_path):
    direct = platform_dbt(["--no-such-flag"], tmp_path)
    warm = platform_dbt(["--no-such-flag"], tmp_path, **{ZYGOTE_ENV: zygote_socket})
    assert warm.returncode == direct.returncode == 2
    assert warm.stderr == direct.stderr
    assert "Usage: platform-dbt" in warm.stderr


def test_the_command_sees_the_caller_s_environment_and_working_folder(zygote_socket, tmp_path):
    profiles_by_env, profiles_in_cwd = tmp_path / "from_env", tmp_path / "from_cwd"
    profiles_by_env.mkdir()
    profiles_in_cwd.mkdir()
    (profiles_in_cwd / "profiles.yml").write_text("")
    by_env = platform_dbt(
        ["debug", "--config-dir"],
        tmp_path,
        DBT_PROFILES_DIR=str(profiles_by_env),
        **{ZYGOTE_ENV: zygote_socket},
    )
    by_cwd = platform_dbt(["debug", "--config-dir"], profiles_in_cwd, **{ZYGOTE_ENV: zygote_socket})
    assert by_env.returncode == by_cwd.returncode == 0
    assert str(profiles_by_env) in by_env.stdout
    assert str(profiles_in_cwd) in by_cwd.stdout


def test_without_an_answering_zygote_platform_dbt_runs_dbt_itself(tmp_path):
    missing_socket = str(tmp_path / "no-zygote.sock")
    result = platform_dbt(["--version"], tmp_path, **{ZYGOTE_ENV: missing_socket})
    assert result.returncode == 0
    assert "duckdb" in result.stdout


def test_an_interrupted_client_stops_its_dbt_child(zygote_socket, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(
        Path(__file__).parents[2] / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs")
    )
    # a long command: parsing the whole project from scratch takes several seconds
    client = subprocess.Popen(
        [
            PLATFORM_DBT,
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--no-partial-parse",
        ],
        cwd=tmp_path,
        env={**os.environ, ZYGOTE_ENV: zygote_socket, "WAREHOUSE_PATH": str(tmp_path / "w.duckdb")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    children = _zygote_children(zygote_socket)
    assert len(children) == 1, "the command should run in one child of the zygote"
    client.send_signal(signal.SIGINT)
    assert client.wait(timeout=60) != 0
    deadline = time.monotonic() + 30
    while _alive(children[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(children[0])


def _zygote_children(socket_path: str) -> list[int]:
    zygotes = [
        int(pid)
        for pid in subprocess.run(["pgrep", "-f", socket_path], capture_output=True, text=True).stdout.split()
    ]
    parents = {
        pid: int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) for pid in zygotes
    }
    return [pid for pid, parent in parents.items() if parent in parents]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
