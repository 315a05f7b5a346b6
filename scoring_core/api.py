"""`score(features, methodology, period)`: validate a family_features table and score it with the kernel.

Input is an Arrow table or a pandas DataFrame with the mart's columns; numeric columns of the right
type and without nulls are passed to the kernel without copying. Rows that cannot be scored
(a null or NaN, a negative count or amount, n_members < 1, a fractional count, a category outside
its values) never get a level: they come back in `ScoringResult.rejected` with the reason, or,
with on_bad_rows="raise", the call fails naming each column and how many rows are bad.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring_core.config import Methodology, load_methodology, methodology_for_period, parse_period
from scoring_core.kernel import KernelOutputs, build_kernel_inputs, run_kernel
from scoring_core.money import subsistence_minimum

KEY_COLUMNS = ("family_id", "period")
_INT32 = np.iinfo(np.int32)


@dataclass(frozen=True)
class ScoringResult:
    """scores: one row per scored family; rejected: family_id, period, reason for rows not scored."""

    scores: pa.Table
    rejected: pa.Table


class FeatureError(ValueError):
    """The features table cannot be scored (a column is missing or of the wrong kind, or rows are bad)."""


def _column(features: pa.Table | pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The column as a numpy array (zero-copy where possible) and a null mask (None if no nulls)."""
    if isinstance(features, pa.Table):
        chunked = features.column(name)
        array = chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        nulls = array.is_null().to_numpy(zero_copy_only=False) if array.null_count else None
        if nulls is not None:
            array = array.fill_null(False if pa.types.is_boolean(array.type) else 0)
        if pa.types.is_null(array.type):
            return np.zeros(len(array)), np.ones(len(array), bool)
        return array.to_numpy(zero_copy_only=False), nulls
    series = features[name]
    nulls = series.isna().to_numpy()
    if not nulls.any():
        nulls = None
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        fill = False if pd.api.types.is_bool_dtype(series.dtype) else 0
        series = series.fillna(fill) if nulls is not None else series
        kind = (
            np.bool_
            if pd.api.types.is_bool_dtype(series.dtype)
            else (np.int64 if pd.api.types.is_integer_dtype(series.dtype) else np.float64)
        )
        return series.to_numpy(dtype=kind), nulls
    values = series.to_numpy()
    if values.dtype.kind == "f" and nulls is not None:
        nulls = None  # NaN in a float column is reported as NaN below
    return values, nulls


def _check_column(name: str, kind: str, values: np.ndarray, spec: dict, problems: list) -> np.ndarray:
    """Cast one feature to the kernel's type; append (problem, mask) for bad rows; return the array."""
    dtype = values.dtype
    if dtype.kind not in "biuf":
        raise FeatureError(f"column {name} must be numeric or boolean for a {kind} feature, got {dtype}")
    if kind == "flag":
        if dtype.kind == "b":
            return values
        bad = ~np.isin(values, (0, 1))
        if bad.any():
            problems.append((f"{name}: not true/false", bad))
        return values == 1
    if dtype.kind == "f":
        not_finite = ~np.isfinite(values)
        if not_finite.any():
            problems.append((f"{name}: NaN or infinite", not_finite))
    negative = values < 0
    if negative.any():
        problems.append((f"{name}: negative", negative))
    if kind == "amount":
        return values.astype(np.float64, copy=False)
    # count or category: whole numbers that fit int32
    if dtype.kind == "f":
        fractional = np.isfinite(values) & (values != np.floor(values))
        if fractional.any():
            problems.append((f"{name}: not a whole number", fractional))
    too_big = values > _INT32.max
    if too_big.any():
        problems.append((f"{name}: too large", too_big))
    if kind == "category":
        outside = ~np.isin(values, spec["values"])
        if outside.any():
            problems.append((f"{name}: not one of {spec['values']}", outside))
    if dtype == np.int32:
        return values
    safe = (
        np.where(np.isfinite(values) & (values >= 0) & (values <= _INT32.max), values, 0)
        if dtype.kind == "f"
        else (np.clip(values, 0, _INT32.max))
    )
    return safe.astype(np.int32)


def _label_array(labels: list[str | None], index: np.ndarray) -> pa.Array:
    """String column labels[index], null where index < 0 or the label is None.

    Dictionary-encoded (int8 indices, no copy of the kernel output): its logical type is string,
    DuckDB reads it as VARCHAR, pandas as a categorical, Parquet stores it natively.
    """
    distinct = [label for label in dict.fromkeys(labels) if label is not None]
    if all(label is not None for label in labels) and len(distinct) == len(labels):
        codes = index.astype(np.int8, copy=False)
    else:  # map label positions to dictionary positions; -1 for null labels
        lookup = np.array([distinct.index(lb) if lb is not None else -1 for lb in labels] + [-1], np.int8)
        codes = lookup[index]  # index -1 picks the trailing -1
    valid = codes >= 0
    n_null = len(codes) - int(np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if n_null else None  # Arrow validity bits
    indices = pa.Array.from_buffers(pa.int8(), len(codes), [bitmap, pa.py_buffer(codes)], null_count=n_null)
    return pa.DictionaryArray.from_arrays(indices, pa.array(distinct, pa.string()))


def _constant_strings(value: str, n: int) -> pa.Array:
    return _label_array([value], np.zeros(n, np.int8))


def _resolve_methodology(methodology: Methodology | str | Path | None, period: str) -> Methodology:
    if methodology is None:
        return methodology_for_period(period)
    if isinstance(methodology, Methodology):
        return methodology
    return load_methodology(methodology)


def _period_of(features: pa.Table | pd.DataFrame, period: str | None, columns: list[str]) -> str:
    """The period to score: the argument, checked against the table's period column if it has one."""
    if "period" not in columns:
        if period is None:
            raise FeatureError("no period given and the features have no period column")
        return period
    values = features.column("period") if isinstance(features, pa.Table) else pa.array(features["period"])
    distinct = pc.unique(values).to_pylist()
    if period is None:
        if len(distinct) != 1:
            raise FeatureError(f"the period column holds {len(distinct)} periods; score one period at a time")
        period = distinct[0]
    elif distinct and distinct != [period]:
        raise FeatureError(
            f"column period holds other periods than {period} ({len(distinct)} distinct values)"
        )
    return period


def score(
    features: pa.Table | pd.DataFrame,
    methodology: Methodology | str | Path | None = None,
    period: str | None = None,
    *,
    pm: float | None = None,
    money_csv: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    levels_only: bool = False,
    on_bad_rows: str = "reject",
) -> ScoringResult:
    """Score one period of the family_features mart.

    methodology: a Methodology, a YAML path, or None for the one in force for the period.
    period: 'YYYY-MM' (default: the single value of the features' period column).
    pm: subsistence minimum; default read for the period from the money seed (or `money_csv`).
    overrides: dotted-key changes to the methodology (what-if); levels_only: return family_id,
    period and level only (the fast path). on_bad_rows: "reject" (default) or "raise".
    """
    if on_bad_rows not in ("reject", "raise"):
        raise ValueError("on_bad_rows must be 'reject' or 'raise'")
    if isinstance(features, pa.RecordBatch):
        features = pa.Table.from_batches([features])
    if not isinstance(features, pa.Table | pd.DataFrame):
        raise TypeError(
            f"features must be a pyarrow Table or pandas DataFrame, got {type(features).__name__}"
        )
    columns = list(features.column_names if isinstance(features, pa.Table) else features.columns)
    period = _period_of(features, period, columns)
    parse_period(period)
    m = _resolve_methodology(methodology, period)
    missing = [c for c in ("family_id", *m.features) if c not in columns]
    if missing:
        raise FeatureError(f"features lack {len(missing)} required column(s): {', '.join(missing)}")
    pm = subsistence_minimum(period, money_csv) if pm is None else float(pm)

    n = len(features)
    problems: list[tuple[str, np.ndarray]] = []
    arrays: dict[str, np.ndarray] = {}
    for name, spec in m.features.items():
        values, nulls = _column(features, name)
        if nulls is not None:
            problems.append((f"{name}: missing (null)", nulls))
        arrays[name] = _check_column(name, spec["type"], values, spec, problems)
    few_members = arrays["n_members"] < 1
    if few_members.any():
        problems.append(("n_members: less than 1", few_members))

    family_id = (
        features.column("family_id") if isinstance(features, pa.Table) else pa.array(features["family_id"])
    )
    family_id = family_id.combine_chunks() if isinstance(family_id, pa.ChunkedArray) else family_id
    if family_id.null_count:
        problems.append(("family_id: missing (null)", family_id.is_null().to_numpy(zero_copy_only=False)))

    bad = np.zeros(n, bool)
    for _, mask in problems:
        bad |= mask
    if problems and on_bad_rows == "raise":
        summary = "; ".join(f"{text} ({int(mask.sum())} rows)" for text, mask in problems)
        raise FeatureError(f"{int(bad.sum())} of {n} rows cannot be scored: {summary}")

    good_index = np.flatnonzero(~bad) if bad.any() else None
    rejected = _rejected_table(family_id, period, problems, bad)
    if good_index is not None:
        arrays = {name: values[good_index] for name, values in arrays.items()}
        family_id = family_id.take(pa.array(good_index))

    layout, params = build_kernel_inputs(m, overrides)
    out = run_kernel(layout, params, arrays, pm, levels_only=levels_only)
    return ScoringResult(_scores_table(family_id, period, m.version, layout, m, out, levels_only), rejected)


def _rejected_table(family_id: pa.Array, period: str, problems: list, bad: np.ndarray) -> pa.Table:
    rows = np.flatnonzero(bad)
    reasons: list[list[str]] = [[] for _ in rows]
    for text, mask in problems:
        for position in np.flatnonzero(mask[rows]):
            reasons[position].append(text)
    return pa.table(
        {
            "family_id": family_id.take(pa.array(rows, pa.int64())),
            "period": pa.array([period] * len(rows), pa.string()),
            "reason": pa.array(["; ".join(r) for r in reasons], pa.string()),
        }
    )


def _scores_table(
    family_id, period, version, layout, m: Methodology, out: KernelOutputs, levels_only
) -> pa.Table:
    n = len(out.level)
    columns: dict[str, pa.Array] = {"family_id": family_id, "period": _constant_strings(period, n)}
    if levels_only:
        columns["level"] = pa.array(out.level)
        return pa.table(columns)
    columns["methodology_version"] = _constant_strings(version, n)
    columns["score"] = pa.array(out.score)
    for d, name in enumerate(("score_m", "score_n", "score_d", "score_s")):
        columns[name] = pa.array(out.dims[d])
    columns["hidden_income"] = pa.array(out.hidden_income)
    columns["hidden_income_share"] = pa.array(out.hidden_income_share)
    columns["pci_ratio"] = pa.array(out.pci_ratio)
    columns["level"] = pa.array(out.level)
    letters = [m.legacy_letter(level) for level in range(max(lv.level for lv in m.levels) + 1)]
    columns["legacy_letter"] = _label_array(letters, out.level)
    columns["gate"] = _label_array(list(layout.gate_codes), out.gate)
    for r in range(out.reasons.shape[0]):
        columns[f"reason_{r + 1}"] = _label_array(list(layout.indicator_codes), out.reasons[r])
    for k, code in enumerate(layout.indicator_codes):
        columns[f"points_{code}"] = pa.array(out.points[k])
    return pa.table(columns)
