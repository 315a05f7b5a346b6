"""The Dagster instance of a local installation: DAGSTER_HOME under data/, with our settings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from orchestration.settings import PlatformPaths

INSTANCE_SETTINGS = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home(paths: PlatformPaths | None = None) -> Path:
    """Create DAGSTER_HOME (default data/dagster_home) with our dagster.yaml, and export it."""
    paths = paths or PlatformPaths.from_env()
    home = Path(os.environ.get("DAGSTER_HOME") or paths.data_root / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists() or settings.read_bytes() != INSTANCE_SETTINGS.read_bytes():
        shutil.copyfile(INSTANCE_SETTINGS, settings)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def local_instance(paths: PlatformPaths | None = None) -> dg.DagsterInstance:
    """The persistent local instance (runs show up in `make ui` afterwards)."""
    prepare_dagster_home(paths)
    return dg.DagsterInstance.get()
