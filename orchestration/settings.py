"""Where the platform keeps its files: one place that reads the environment.

Every path has a default under the repo's git-ignored `data/` folder, and an environment
variable to move it (the dbt profile reads the same variables with the same defaults).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def _path(variable: str, default: Path) -> Path:
    return Path(os.environ.get(variable) or default).resolve()


_UNSET = Path("")
#: The environment variables `PlatformPaths.export` sets (tests set them aside and restore them).
EXPORTED_VARIABLES = (
    "DATA_ROOT", "LANDING_ROOT", "TRUTH_ROOT", "WAREHOUSE_PATH", "PUBLISH_ROOT", "CORRECTIONS_ROOT",
    "RESCORING_PATH", "REFERENCE_KEY_PATH", "PAYMENT_OUTCOMES_ROOT", "WAREHOUSE_DATABASE",
)  # fmt: skip


@dataclass(frozen=True)
class PlatformPaths:
    """The folders and files of one platform installation."""

    data_root: Path
    landing_root: Path
    truth_root: Path
    warehouse_path: Path
    publish_root: Path
    #: The append-only log of corrections (orchestration/corrections/store.py); default under data_root.
    corrections_root: Path = _UNSET
    #: The scratch database of on-demand rescoring (orchestration/corrections/rescoring.py).
    rescoring_path: Path = _UNSET
    #: The secret that payment references are derived with (orchestration/publication/references.py).
    reference_key_path: Path = _UNSET
    #: Where payment systems drop the outcomes of the published lists (orchestration/payments).
    outcomes_root: Path = _UNSET

    def __post_init__(self) -> None:
        # frozen: the defaults under data_root are filled in once, here
        if self.corrections_root == _UNSET:
            object.__setattr__(self, "corrections_root", self.data_root / "corrections")
        if self.rescoring_path == _UNSET:
            object.__setattr__(self, "rescoring_path", self.data_root / "rescoring" / "rescoring.duckdb")
        if self.reference_key_path == _UNSET:
            object.__setattr__(self, "reference_key_path", self.data_root / "secrets" / "reference.key")
        if self.outcomes_root == _UNSET:
            object.__setattr__(self, "outcomes_root", self.data_root / "payment_outcomes")

    @classmethod
    def from_env(cls) -> PlatformPaths:
        data_root = _path("DATA_ROOT", REPO_ROOT / "data")
        return cls(
            data_root=data_root,
            landing_root=_path("LANDING_ROOT", data_root / "landing"),
            truth_root=_path("TRUTH_ROOT", data_root / "truth"),
            warehouse_path=_path("WAREHOUSE_PATH", data_root / "warehouse" / "warehouse.duckdb"),
            publish_root=_path("PUBLISH_ROOT", data_root / "published"),
            corrections_root=_path("CORRECTIONS_ROOT", data_root / "corrections"),
            rescoring_path=_path("RESCORING_PATH", data_root / "rescoring" / "rescoring.duckdb"),
            reference_key_path=_path("REFERENCE_KEY_PATH", data_root / "secrets" / "reference.key"),
            outcomes_root=_path("PAYMENT_OUTCOMES_ROOT", data_root / "payment_outcomes"),
        )

    def export(self) -> None:
        """Make the paths visible to child processes (dbt reads them from the environment).

        Also creates the warehouse folder: dbt-duckdb does not create it.
        """
        self.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATA_ROOT"] = str(self.data_root)
        os.environ["LANDING_ROOT"] = str(self.landing_root)
        os.environ["TRUTH_ROOT"] = str(self.truth_root)
        os.environ["WAREHOUSE_PATH"] = str(self.warehouse_path)
        os.environ["PUBLISH_ROOT"] = str(self.publish_root)
        os.environ["CORRECTIONS_ROOT"] = str(self.corrections_root)
        os.environ["RESCORING_PATH"] = str(self.rescoring_path)
        os.environ["REFERENCE_KEY_PATH"] = str(self.reference_key_path)
        os.environ["PAYMENT_OUTCOMES_ROOT"] = str(self.outcomes_root)
        # the name dbt-duckdb gives the warehouse (its file's stem): the rescoring target
        # attaches it under that name, so that deferred models resolve to it
        os.environ["WAREHOUSE_DATABASE"] = self.warehouse_path.stem
