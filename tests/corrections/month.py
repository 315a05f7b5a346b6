"""A month of a hand-built landing, computed as the monthly run computes it: the dbt models and
seeds (real dbt, in process), the scoring step of the monthly asset, then the eligibility models
of a region. Gates are left to the pipeline tests: three families cannot pass a level-share gate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from orchestration.scoring.assets import replace_period
from orchestration.scoring.scores import score_families
from orchestration.settings import DBT_PROJECT_DIR, EXPORTED_VARIABLES, PlatformPaths
from orchestration.warehouse.in_process import invoke
from orchestration.warehouse.resources import process_environment

#: The variables a platform's paths come from (orchestration.settings.PlatformPaths.export).
PLATFORM_VARIABLES = EXPORTED_VARIABLES


@contextmanager
def isolated_platform(root: Path) -> Iterator[PlatformPaths]:
    """A platform under `root`: the caller's platform variables set aside, and restored after
    (also those `PlatformPaths.export` sets meanwhile)."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in PLATFORM_VARIABLES:
            patch.delenv(variable, raising=False)
        patch.setenv("DATA_ROOT", str(root))
        patch.setenv("RESCORING_DBT_TARGET_PATH", str(root / "rescoring_target"))
        yield PlatformPaths.from_env()


def dbt_paths(target: Path) -> list[str]:
    project = str(DBT_PROJECT_DIR)
    return ["--project-dir", project, "--profiles-dir", project, "--target-path", str(target)]


def run_month(paths: PlatformPaths, period: str, region: str, target: Path) -> None:
    """Build `period` into the warehouse of `paths`; dbt's manifest is left in `target`."""
    paths.export()
    with process_environment({"DBT_PERIOD": period, "DBT_REGION": "", "DBT_FAMILIES": ""}):
        ok, nodes = invoke(
            ["build", "--resource-type", "model", "--resource-type", "seed",
             "--exclude", "path:models/eligibility", "path:models/payments", *dbt_paths(target)]
        )  # fmt: skip
        assert ok, [n for n in nodes if n.status not in ("success", "pass")]
        with duckdb.connect(str(paths.warehouse_path)) as connection:
            features = connection.sql(
                f"select * from family_features where period = '{period}'"
            ).to_arrow_table()
            scored = score_families(features, period)
            replace_period(connection, "family_scores", period, scored.scores)
    with process_environment({"DBT_PERIOD": period, "DBT_REGION": region, "DBT_FAMILIES": ""}):
        ok, nodes = invoke(["run", "--select", "path:models/eligibility", *dbt_paths(target)])
        assert ok, [n for n in nodes if n.status != "success"]


def query(warehouse: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()
