"""The dbt project and CLI resource of the warehouse domain.

dagster-dbt needs a prepared manifest outside `dagster dev`: `make` prepares it
(`python -m orchestration.warehouse.prepare`) before tests, the demo and the UI, and
`dbt_project()` prepares it on first use if it is missing, so the definitions always load offline.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache, cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.settings import DBT_PROJECT_DIR


def dbt_executable() -> str:
    """The dbt command of this virtual environment: `platform-dbt` (dbt without the ~0.9 s of
    interpreter teardown at exit, see orchestration/warehouse/dbt_command.py) when installed, else
    its `dbt`, else the `dbt` on PATH."""
    for name in ("platform-dbt", "dbt"):
        beside_python = Path(sys.executable).with_name(name)
        if beside_python.exists():
            return str(beside_python)
    return shutil.which("dbt") or "dbt"


@cache
def dbt_project() -> DbtProject:
    """The dbt project, with its manifest prepared if it is missing."""
    # dagster-dbt checks that `dbt` is on PATH even when given an executable: put ours there.
    bin_dir = str(Path(dbt_executable()).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
    return project


class PlatformDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource without two start-up costs we do not need (~5.5 s per dbt step).

    Before each dbt command dagster-dbt runs `dbt --version` in a subprocess (~2.9 s) to tell dbt
    Core from the Fusion engine, and loads the project and macros into an in-process adapter
    (~2.6 s) that only serves `fetch_row_counts()` / `fetch_column_metadata()`, which we do not
    use (row counts come from our own queries). Our `dbt` is dbt Core from this same virtual
    environment (`dbt_executable()`), so its version is the installed package's.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        # No adapter: dagster-dbt then streams dbt's events live instead of waiting for the end.
        return None


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource bound to our project and executable."""
    # dagster-dbt accepts a DbtProject here (its annotation says str)
    return PlatformDbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())  # type: ignore[arg-type]


@contextmanager
def process_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for what starts inside the block, then restore them.

    dagster-dbt starts dbt with a copy of this process's environment and has no per-call
    environment argument: `dbt.cli(...)` inside this block starts dbt with `variables` (the
    subprocess is created before `cli` returns). Steps run one at a time per process (the
    in-process executor runs them in sequence, the multiprocess one in separate processes).
    """
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


#: dbt's parse state: dbt re-parses only what changed since the state it finds in its target folder.
PARSE_STATE_FILE = "partial_parse.msgpack"


def project_target_folder() -> Path:
    """The dbt project's target folder, which holds one folder per dagster-dbt command."""
    project = dbt_project()
    return Path(project.project_dir) / project.target_path


def keep_parse_state(invocation_target_path: Path) -> None:
    """Make a finished dbt command's parse state the one the next command starts from.

    dagster-dbt gives every command its own target folder and seeds it with the project's
    `target/partial_parse.msgpack` (written by `orchestration.warehouse.prepare`, which `make`
    runs). dbt re-parses the whole project (~5-7 s) when that state came from another profile --
    another WAREHOUSE_PATH, as in the benchmarks and tests -- so without this every command of a
    run would pay the full parse, not only the first. The state is moved, not copied: the
    command's folder keeps only what documents the command (its compiled SQL and dbt.log). The
    move is atomic (os.replace): a concurrent command reads the old or the new state, and a
    state that does not match just makes dbt parse again.
    """
    produced = Path(invocation_target_path) / PARSE_STATE_FILE
    if not produced.exists():
        return
    shared = project_target_folder() / PARSE_STATE_FILE
    staged = shared.with_name(f"{PARSE_STATE_FILE}.{os.getpid()}.tmp")
    shutil.move(produced, staged)
    os.replace(staged, shared)


#: How many dbt command folders stay under the project's target folder (the compiled SQL and the
#: dbt.log of each command, ~6 MB for a monthly build); older ones are removed after each command.
#: 36 covers a year of months (three dbt commands a month); env DBT_COMMAND_FOLDERS_KEPT overrides.
DBT_COMMAND_FOLDERS_KEPT = 36

#: dagster-dbt names a command's folder <op name>-<first 7 of the run id>-<7 random hex digits>.
_COMMAND_FOLDER_NAME = re.compile(r"\w+-[0-9a-f]{7}-[0-9a-f]{7}")


def prune_command_folders(target_folder: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` most recently modified dbt command folders under `target_folder`.

    Only folders named as dagster-dbt names them are touched: the project's own artifacts
    (manifest.json, partial_parse.msgpack, compiled/ of `make`'s parse) stay. Returns the removed
    folders, oldest first.
    """
    modified = {}
    for path in Path(target_folder).iterdir():
        if _COMMAND_FOLDER_NAME.fullmatch(path.name) and path.is_dir():
            try:
                modified[path] = path.stat().st_mtime
            except FileNotFoundError:  # removed meanwhile by another process's pruning
                continue
    folders = sorted(modified, key=modified.__getitem__)
    removed = folders[: max(len(folders) - keep, 0)]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)  # idem
    return removed


def tidy_after_command(invocation_target_path: Path) -> None:
    """After a dbt command: keep its parse state for the next one, and rotate the command folders."""
    keep_parse_state(invocation_target_path)
    keep = int(os.environ.get("DBT_COMMAND_FOLDERS_KEPT", DBT_COMMAND_FOLDERS_KEPT))
    prune_command_folders(project_target_folder(), keep)
