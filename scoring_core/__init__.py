"""Family wellbeing scoring: methodology config, the Numba kernel, the reference implementation.

Public API:
- load_methodology(path, overrides=None) / methodology_for_period('YYYY-MM')   (scoring_core.config)
- score(features, methodology=None, period=None, ...) -> ScoringResult        (scoring_core.api)
- reference_score(features_df, methodology, pm)                               (scoring_core.reference)
- build_kernel_inputs / run_kernel / score_kernel                             (scoring_core.kernel)
- money_for_period / subsistence_minimum                                      (scoring_core.money)
"""

from scoring_core.api import FeatureError, ScoringResult, score
from scoring_core.config import MethodologyError, load_methodology, methodology_for_period
from scoring_core.money import money_for_period, subsistence_minimum
from scoring_core.reference import reference_score

__all__ = [
    "FeatureError",
    "MethodologyError",
    "ScoringResult",
    "load_methodology",
    "methodology_for_period",
    "money_for_period",
    "reference_score",
    "score",
    "subsistence_minimum",
]
