"""The landing months the benchmarks read, each generated once and kept between runs.

* the national month (every region, scale 1.0 by default): data/bench/dbt/landing_scale<scale>/;
* the pilot month (regions 79 and 35 at scale 1.0, the drop `make demo` builds):
  data/bench/pipeline/landing_pilot/.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from kz_domain.regions import PILOT_REGIONS

REPO_ROOT = Path(__file__).resolve().parents[1]
NATIONAL_ROOT = REPO_ROOT / "data" / "bench" / "dbt"
PILOT_ROOT = REPO_ROOT / "data" / "bench" / "pipeline"


def national_landing(month: str, scale: float = 1.0) -> tuple[Path, Path]:
    """(landing root, truth root) of the national month, generated unless its manifest exists."""
    landing_root, truth_root = NATIONAL_ROOT / f"landing_scale{scale:g}", NATIONAL_ROOT / "truth"
    manifest = landing_root / month / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("scale") == scale:
        return landing_root, truth_root
    from registry_simulator import generate_month

    print(f"generating landing month {month} at scale {scale} (once) ...", flush=True)
    started = time.perf_counter()
    generate_month(month, scale=scale, regions=None, out=landing_root, truth_out=truth_root, progress=False)
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return landing_root, truth_root


def pilot_landing(month: str) -> tuple[Path, Path]:
    """(landing root, truth root) of the pilot month, generated as `make demo` does unless present."""
    from orchestration.demo import ensure_landing
    from orchestration.settings import PlatformPaths
    from registry_simulator.generator import DEFAULT_SEED

    # ensure_landing writes only to these two roots
    pilot = replace(
        PlatformPaths.from_env(),
        landing_root=PILOT_ROOT / "landing_pilot",
        truth_root=PILOT_ROOT / "truth_pilot",
    )
    ensure_landing(pilot, month, ",".join(PILOT_REGIONS), 1.0, DEFAULT_SEED)
    return pilot.landing_root, pilot.truth_root
