"""Helpers for comparing the kernel (through score()) with the reference implementation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring_core import reference_score, score


def assert_kernel_matches_reference(features, methodology, period: str, pm: float) -> int:
    """Score with both implementations and require identical values in every output column
    (floats bit for bit). Returns the number of families compared."""
    result = score(features, methodology, period)
    assert result.rejected.num_rows == 0
    kernel = result.scores.to_pandas()
    frame = features if isinstance(features, pd.DataFrame) else features.to_pandas()
    reference = reference_score(frame, methodology, pm)
    assert len(kernel) == len(reference)
    for column in reference.columns:
        got, want = kernel[column], reference[column]
        if want.dtype == object:  # labels: compare with nulls as ""
            got = got.astype(object).where(got.notna(), "").to_numpy()
            want = want.where(want.notna(), "").to_numpy()
            same = got == want
        else:
            got, want = got.to_numpy(), want.to_numpy()
            same = (got == want) | (np.isnan(got) & np.isnan(want)) if want.dtype.kind == "f" else got == want
        bad = np.flatnonzero(~same)
        assert bad.size == 0, f"{column}: {bad.size} families differ, first rows {bad[:5].tolist()}"
    return len(kernel)
