"""Prepare dbt's manifest and parse state for this environment's paths (`make` runs this).

dagster-dbt loads the models from the manifest. dbt re-parses the whole project (~5-7 s) unless
the parse state in dbt_project/target was made with the same profile, and the warehouse path is
part of the profile. So the state is prepared with the paths the pipeline exports
(`orchestration.settings`), and each dbt command of a run hands its state on to the next
(`keep_parse_state`): in a stable environment no month pays a full parse. The target of the
on-demand rescoring gets its own parse state.

    .venv/bin/python -m orchestration.warehouse.prepare
"""

from __future__ import annotations

import subprocess
import sys
import time

from orchestration.corrections.rescoring import rescoring_parse_args
from orchestration.settings import DBT_PROJECT_DIR, PlatformPaths
from orchestration.warehouse.resources import dbt_executable


def prepare_dbt(paths: PlatformPaths) -> float:
    """Export the platform paths and run `dbt parse` with them; returns the seconds it took."""
    paths.export()
    started = time.perf_counter()
    project = str(DBT_PROJECT_DIR)
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", project, "--profiles-dir", project],
        check=True,
    )
    # the on-demand rescoring's target has its own parse state (orchestration/corrections/rescoring.py)
    subprocess.run([dbt_executable(), *rescoring_parse_args()], check=True)
    return time.perf_counter() - started


def main() -> int:
    seconds = prepare_dbt(PlatformPaths.from_env())
    print(f"dbt manifest and parse state prepared in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
