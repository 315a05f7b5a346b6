"""Resources shared across domains: the DuckDB warehouse, the landing area, the GX runner.

The warehouse allows one writer per file across processes, and even a read-only reader in
another process blocks dbt. So nothing keeps a connection open between steps: every use opens
the file, does its work and closes it, and every asset that touches the file runs in the
`duckdb_warehouse` concurrency pool (limit 1, see `orchestration/dagster.yaml`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from orchestration.publication.references import ReferenceKey, load_reference_key
from orchestration.quality.gx_runner import ExpectationOutcome, import_gx_in_background, validate
from orchestration.settings import PlatformPaths

#: The concurrency pool of every step that opens the warehouse.
WAREHOUSE_POOL = "duckdb_warehouse"
#: The executor of every job: steps run in the run's own process, one after the other. Their
#: warehouse steps take turns on the one DuckDB writer anyway (WAREHOUSE_POOL), so the multiprocess
#: executor only added a process per step, each importing Dagster, dagster-dbt and the definitions.
EXECUTOR = dg.in_process_executor


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file that dbt builds and the scoring step reads and writes."""

    path: str
    threads: int = 2
    memory_limit: str = "12GB"

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse for the duration of a `with` block, then close it."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(
            self.path,
            read_only=read_only,
            config={"threads": self.threads, "memory_limit": self.memory_limit},
        )
        try:
            yield connection
        finally:
            connection.close()


class LandingResource(dg.ConfigurableResource):
    """The landing area where registries drop their monthly extracts, and the log of the
    corrections applied over them (orchestration/corrections/store.py)."""

    root: str
    corrections_root: str

    def month_dir(self, period: str) -> Path:
        """The folder of one period's extracts."""
        return Path(self.root) / period


class PublicationResource(dg.ConfigurableResource):
    """Where eligibility lists are published, and the optional PostgreSQL of payment systems."""

    root: str
    #: The file of the deployment's payment-reference key (created on first use; never shown).
    reference_key_path: str
    #: Where payment systems drop their outcome files (docs/publication.md, "Payment outcomes").
    outcomes_root: str = ""
    postgres_conninfo: str = ""

    def reference_key(self) -> ReferenceKey:
        return load_reference_key(self.reference_key_path)


class GxRunnerResource(dg.ConfigurableResource):
    """Our thin Great Expectations runner (orchestration.quality.gx_runner), for the gates.

    Its set-up, when a run starts (with the multiprocess executor: when a step process starts),
    begins importing GX in the background: in a monthly run the import then overlaps the dbt
    build instead of delaying the first gate by ~4 s.
    """

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        import_gx_in_background()

    def run_suite(self, frame: pd.DataFrame, suite_name: str) -> list[ExpectationOutcome]:
        """Validate a frame against a stored suite (see `gx_runner.validate`)."""
        return validate(frame, suite_name)


#: Payment systems that read a database: set this variable to also load every snapshot there.
POSTGRES_DSN_VARIABLE = "PUBLISH_PG_DSN"


def postgres_dsn() -> str | dg.EnvVar:
    """The PostgreSQL DSN as a `dg.EnvVar` (read when a run starts, never shown in the UI, which
    names the variable only), or "" when the variable is not set: no database then."""
    return dg.EnvVar(POSTGRES_DSN_VARIABLE) if os.environ.get(POSTGRES_DSN_VARIABLE) else ""


def default_resources(paths: PlatformPaths | None = None) -> dict[str, dg.ConfigurableResource]:
    """Resources pointing at the paths of the environment (or the given ones)."""
    paths = paths or PlatformPaths.from_env()
    return {
        "warehouse": WarehouseResource(path=str(paths.warehouse_path)),
        "landing": LandingResource(
            root=str(paths.landing_root), corrections_root=str(paths.corrections_root)
        ),
        "gx": GxRunnerResource(),
        "publication": PublicationResource(
            root=str(paths.publish_root),
            reference_key_path=str(paths.reference_key_path),
            outcomes_root=str(paths.outcomes_root),
            postgres_conninfo=postgres_dsn(),
        ),
    }
