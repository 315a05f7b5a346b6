"""Family wellbeing scoring: methodology config, the Numba kernel, the reference implementation.

Public API:
- load_methodology(path, overrides=None) / methodology_for_period('YYYY-MM')   (scoring_core.config)
- score(features, methodology=None, period=None, ...) -> ScoringResult        (scoring_core.api)
- reference_score(features_df, methodology, pm)                               (scoring_core.reference)
- build_kernel_inputs / run_kernel / score_kernel                             (scoring_core.kernel)
- money_for_period / subsistence_minimum                                      (scoring_core.money)
"""

import importlib

#: Public name -> the module that defines it. Imported on first use, so that a module needing
#: only the methodology config (`scoring_core.config`) does not pay for Numba.
_EXPORTS = {
    "FeatureError": "scoring_core.api",
    "ScoringResult": "scoring_core.api",
    "score": "scoring_core.api",
    "MethodologyError": "scoring_core.config",
    "load_methodology": "scoring_core.config",
    "methodology_for_period": "scoring_core.config",
    "money_for_period": "scoring_core.money",
    "subsistence_minimum": "scoring_core.money",
    "reference_score": "scoring_core.reference",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'scoring_core' has no attribute {name!r}")
