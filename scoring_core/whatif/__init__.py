"""What-if simulation of methodology variants: levels, transitions and service budgets, exact.

A variant is a dict of dotted-key overrides of the baseline methodology (see
config.apply_overrides). For each variant the engine computes, against the baseline:
- the level transition matrix (baseline level x variant level, families), per region;
- eligible families, beneficiaries (list rows) and the monthly budget per service and region,
  from a table of eligibility *candidates* (families eligible except for the level filter, with
  their amounts) and the allowed levels of each service rule.

Why it is fast: most overrides move points, cut-offs or thresholds, never the values compared.
Families are compressed into *patterns*: every compared value is binned by the union of all
thresholds any variant compares it with (a bin knows, for every threshold, whether the value is
below, equal or above), per-unit variables whose points vary are kept exact, the points of
indicators that no variant changes are summed into one fixed score, and gates no variant changes
become one bit. Families of one pattern get the same level under every variant, so each variant
is scored on one representative family per pattern (with the plain kernel) and weighted by the
pattern's counts. A variant that changes what is compared (hidden-income parameters, an
indicator's value formula, the number of levels) cannot share patterns: it is scored on every
family with the full kernel (method "full" in the results).

The work is split by job: `variants` (expand and validate the overrides), `patterns` (compress
families into patterns), `simulation` (score every variant and aggregate). The command line and the
Dagster asset are in `orchestration/analytics/whatif.py`.
"""

from scoring_core.whatif.simulation import Population, WhatIfResult, allowed_levels_array, simulate
from scoring_core.whatif.variants import (
    BASELINE,
    EXAMPLES_DIR,
    Variant,
    compile_variants,
    expand_variants,
    load_variants,
)

__all__ = [
    "BASELINE",
    "EXAMPLES_DIR",
    "Population",
    "Variant",
    "WhatIfResult",
    "allowed_levels_array",
    "compile_variants",
    "expand_variants",
    "load_variants",
    "simulate",
]
