"""What-if simulation speed: 1,000 methodology variants x 6.2 M synthetic families (goal <= 10 s, issue 23).

    .venv/bin/python -m benchmarks.bench_whatif                       # the headline measurement
    .venv/bin/python -m benchmarks.bench_whatif --families 1000000 --check 3

The variants are a 10 x 10 x 10 grid (the level-6 cut-off, the food-deficit ratio, the points of
the M1 income band [1, 2) PM), on random features from scoring_core.synthetic in two regions,
with synthetic candidates of five services (a fifth of the families). Prints the wall time split
into variant compilation, pattern compression and variant evaluation, the pattern count,
families x variants per second and the peak RSS. --check N also scores N variants with the full
kernel on every family and asserts the results are equal (slow: a few seconds per variant).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd

from benchmarks.machine import reference_line
from kz_domain.regions import PILOT_REGIONS
from scoring_core import methodology_for_period
from scoring_core.money import subsistence_minimum
from scoring_core.synthetic import random_features
from scoring_core.whatif import expand_variants, simulate

PERIOD = "2026-03"
#: 1,000 variants x 6.2 M families on a 2-core machine (issue 23)
GOAL_SECONDS = 10.0
GRID = {
    "levels.6.min_score": [1500, 1550, 1600, 1650, 1700, 1750, 1800, 1850, 1900, 1950],
    "parameters.food_ratio.value": [0.45, 0.47, 0.49, 0.51, 0.53, 0.55, 0.57, 0.59, 0.61, 0.63],
    "indicators.M1_INCOME.bands.3.points": [120, 130, 140, 150, 160, 170, 180, 190, 200, 210],
}
SERVICES = {"home_schooling": "1,2,3,4,5", "pupil_student_aid": "1,2,3", "rent_subsidy": "1,2,3,4,5",
            "housing_assistance": "1,2,3,4,5", "asp": "1,2,3,4,5,6"}  # fmt: skip


def synthetic_population(n: int, seed: int = 0) -> tuple[dict, pd.DataFrame, dict]:
    """Features (two regions), candidates of five services, and their allowed levels."""
    pm = subsistence_minimum(PERIOD)
    features = random_features(n, pm, seed)
    rng = np.random.default_rng(seed + 1)
    shymkent, karaganda = PILOT_REGIONS
    features["region_kato"] = np.where(rng.random(n) < 0.5, shymkent, karaganda)
    picked = np.flatnonzero(rng.random(n) < 0.2)
    candidates = pd.DataFrame({
        "family_id": features["family_id"][picked],
        "service": np.array(list(SERVICES))[rng.integers(0, len(SERVICES), len(picked))],
        "amount_kzt": np.round(rng.uniform(5_000, 60_000, len(picked))),
    })  # fmt: skip
    allowed = {(s, r): levels for s, levels in SERVICES.items() for r in PILOT_REGIONS}
    return features, candidates, allowed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=6_200_000)
    parser.add_argument("--check", type=int, default=0, help="variants to re-score with the full kernel")
    args = parser.parse_args(argv if argv is not None else [])

    methodology = methodology_for_period(PERIOD)
    pm = subsistence_minimum(PERIOD)
    variants = expand_variants({"grid": GRID})
    t0 = time.perf_counter()
    features, candidates, allowed = synthetic_population(args.families)
    print(f"synthetic population: {args.families:,} families, {len(candidates):,} candidate rows "
          f"in {time.perf_counter() - t0:.1f} s (not counted)")  # fmt: skip
    simulate(features, methodology, variants[:2], pm, candidates, allowed)  # warm the JIT cache
    print(reference_line("before"), flush=True)
    started = time.perf_counter()
    result = simulate(features, methodology, variants, pm, candidates, allowed)
    wall = time.perf_counter() - started
    s = result.stats
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"variants: {s['n_variants']:,} (baseline + {len(variants):,} grid), full-kernel fallbacks: {s['n_full_variants']}"
    )
    print(f"patterns: {s['n_patterns']:,} for {s['n_families']:,} families "
          f"({s['n_families'] / max(s['n_patterns'], 1):,.0f} families per pattern)")  # fmt: skip
    print(f"wall time: {wall:.1f} s = compile variants {s['seconds_compile']:.1f} s + "
          f"pattern compression {s['seconds_patterns']:.1f} s + evaluation {s['seconds_evaluate']:.1f} s "
          f"(+ {wall - s['seconds_total']:.1f} s input conversion)")  # fmt: skip
    print(f"throughput: {s['n_families'] * s['n_variants'] / wall / 1e6:,.0f} M family-variants per second")
    print(f"peak RSS: {rss_gb:.2f} GB")
    print(f"goal <= {GOAL_SECONDS:.0f} s: {'met' if wall <= GOAL_SECONDS else 'NOT met'}")
    print(reference_line("after"), flush=True)
    if args.check:
        chosen = variants[:: max(len(variants) // args.check, 1)][: args.check]
        t = time.perf_counter()
        full = simulate(features, methodology, chosen, pm, candidates, allowed, force_full=True)
        fast = simulate(features, methodology, chosen, pm, candidates, allowed)
        pd.testing.assert_frame_equal(full.services, fast.services)
        keys = ["variant", "region", "from_level", "to_level"]
        pd.testing.assert_frame_equal(full.transitions.sort_values(keys).reset_index(drop=True),
                                      fast.transitions.sort_values(keys).reset_index(drop=True))  # fmt: skip
        print(
            f"check: {len(chosen)} variants equal to the full kernel on every family ({time.perf_counter() - t:.1f} s)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
