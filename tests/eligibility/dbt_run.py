"""Run the real dbt project in process against a throw-away DuckDB warehouse.

The project is parsed once; every build reuses that manifest with its own `--vars`, which saves
a full re-parse per build (dbt re-parses whenever the vars change). Target and log paths go to
the test's tmp folder so the project's own target/ is never touched.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

from dbt.cli.main import dbtRunner

from orchestration.warehouse.in_process import release_duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
# The eligibility models, their rule seeds and the money seeds they read.
SELECTION = "path:models/eligibility path:seeds/service_rules money_by_year regional_subsistence_minimum"


@contextmanager
def _environment(warehouse: Path):
    saved = {key: os.environ.get(key) for key in ("WAREHOUSE_PATH", "DUCKDB_TEMP_DIR", "DUCKDB_THREADS")}
    os.environ.update(
        WAREHOUSE_PATH=str(warehouse), DUCKDB_TEMP_DIR=str(warehouse) + ".tmp", DUCKDB_THREADS="1"
    )
    try:
        yield
    finally:
        release_duckdb()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class DbtProjectRunner:
    """The dbt project parsed once, built many times against one warehouse file."""

    def __init__(self, work_dir: Path, warehouse: Path):
        self.warehouse = warehouse
        self._paths = [
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
        ]  # fmt: skip
        with _environment(warehouse):
            parsed = dbtRunner().invoke(["parse", "--quiet", *self._paths])
        if not parsed.success:
            raise RuntimeError(f"dbt parse failed: {parsed.exception}")
        self.manifest = parsed.result

    def relation(self, name: str) -> str:
        """schema.table of a model or source table, as the project names it."""
        for node in self.manifest.nodes.values():
            if node.name == name and node.resource_type in ("model", "seed"):
                return f'"{node.schema}"."{node.alias}"'
        for source in self.manifest.sources.values():
            if source.name == name:
                return f'"{source.schema}"."{source.identifier}"'
        raise KeyError(name)

    def build(self, variables: dict[str, str], select: str = SELECTION) -> dict[str, str]:
        """`dbt build` of the selection with `variables`; returns {node name: status}."""
        with _environment(self.warehouse):
            result = dbtRunner(manifest=self.manifest).invoke(
                ["build", "--quiet", "--select", select, "--vars", json.dumps(variables), *self._paths]
            )
        if result.result is None:
            raise RuntimeError(f"dbt build did not run: {result.exception}")
        return {r.node.name: str(r.status) for r in result.result.results}
