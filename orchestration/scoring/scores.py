"""Scores of family_features rows: the one place that turns the mart into `family_scores` rows.

The monthly scoring asset and the on-demand rescoring of corrected families both call it, so a
rescored family gets exactly the score the next monthly run gives it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class ScoredFamilies:
    """The `family_scores` rows (with the family's region), the families the kernel refused
    (`family_scores_rejected`), the methodology used and the kernel's seconds."""

    scores: pa.Table
    rejected: pa.Table
    methodology_version: str
    kernel_seconds: float


def score_families(features: pa.Table, period: str) -> ScoredFamilies:
    """Score one period of family_features with the methodology in force for the period."""
    from scoring_core import methodology_for_period, score  # numba import only when scoring

    methodology = methodology_for_period(period)
    started = time.perf_counter()
    result = score(features, methodology, period)
    elapsed = time.perf_counter() - started
    scores = result.scores.append_column(
        "region_kato", features.column("region_kato").take(_positions(features, result.scores))
    )
    return ScoredFamilies(scores, result.rejected, methodology.version, elapsed)


def _positions(features: pa.Table, scores: pa.Table) -> pa.Array:
    """Row positions in `features` of each scored family (scores keep a subset, in order)."""
    index = pd.Index(features.column("family_id").to_numpy())
    return pa.array(index.get_indexer(scores.column("family_id").to_numpy()))
