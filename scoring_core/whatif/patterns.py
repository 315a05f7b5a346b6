"""Families compressed into patterns: every value a variant compares, binned by the union of the
thresholds any variant compares it with, so that the families of one pattern get the same level
under every variant (see scoring_core.whatif)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numba import njit

from scoring_core.config import DERIVED_VARIABLES
from scoring_core.kernel import KernelLayout, KernelParams, run_kernel

_CHUNK = 1_000_000  # families per baseline kernel call (bounds the memory of full outputs)
_OPS = (np.less, np.less_equal, np.equal, np.greater_equal, np.greater, np.not_equal)


def _same_structure(a: tuple[KernelLayout, KernelParams], b: tuple[KernelLayout, KernelParams]) -> bool:
    """Whether b compares the same values as a (only thresholds, points, cut-offs, gates differ)."""
    (la, pa_), (lb, pb) = a, b
    if (la.features, la.indicator_codes, len(la.gate_codes)) != (
        lb.features,
        lb.indicator_codes,
        len(lb.gate_codes),
    ):
        return False
    if pa_.level_base != pb.level_base or len(pa_.level_cut) != len(pb.level_cut):
        return False
    for name in ("hidden_var", "hidden_par", "income_var", "ind_per_unit", "num_ptr", "num_var",
                 "den_ptr", "den_var", "den_coef", "den_floor"):  # fmt: skip
        if not np.array_equal(getattr(pa_, name), getattr(pb, name)):
            return False
    for k in range(len(pa_.ind_per_unit)):  # a banded value's coefficients are its formula
        if pa_.ind_per_unit[k] == 0 and not np.array_equal(
            _slice(pa_, "num", k, "coef"), _slice(pb, "num", k, "coef")
        ):
            return False
    return True


def _slice(p: KernelParams, prefix: str, k: int, name: str) -> np.ndarray:
    ptr = getattr(p, f"{prefix}_ptr")
    return getattr(p, f"{prefix}_{name}")[ptr[k] : ptr[k + 1]]


def _indicator_signature(p: KernelParams, k: int) -> tuple:
    """Everything that decides indicator k's points given its value."""
    parts = [_slice(p, "step", k, n) for n in ("thr", "strict", "delta")]
    parts += [_slice(p, "when", k, n) for n in ("var", "op", "thr")]
    if p.ind_per_unit[k]:
        parts.append(_slice(p, "num", k, "coef"))
    return tuple(a.tobytes() for a in parts)


def _gate_conditions(p: KernelParams, g: int) -> list[tuple[int, int, float]]:
    return list(zip(_slice(p, "gate", g, "var").tolist(), _slice(p, "gate", g, "op").tolist(),
                    _slice(p, "gate", g, "thr").tolist(), strict=True))  # fmt: skip


@njit(cache=True)
def _bin_codes(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each value, 2 x (edges below it) + (1 if it equals an edge): numpy's searchsorted
    left + right in one pass (edges sorted, distinct, finite; NaN sorts after every edge)."""
    code = np.empty(values.shape[0], np.int64)
    n = edges.shape[0]
    for i in range(values.shape[0]):
        value = values[i]
        if value != value:  # NaN
            code[i] = 2 * n
            continue
        lo, hi = 0, n
        while lo < hi:  # first edge >= value
            mid = (lo + hi) >> 1
            if edges[mid] < value:
                lo = mid + 1
            else:
                hi = mid
        code[i] = 2 * lo + (1 if lo < n and edges[lo] == value else 0)
    return code


def _threshold_code(values: np.ndarray, thresholds: Iterable[float]) -> tuple[np.ndarray, int]:
    """Bin codes that tell, for every threshold, whether a value is below, equal or above it."""
    edges = np.unique(np.array(sorted(set(thresholds)), np.float64))
    edges = edges[np.isfinite(edges)]
    return _bin_codes(np.ascontiguousarray(values, np.float64), edges), 2 * len(edges) + 1


@dataclass
class Patterns:
    """Families compressed into patterns; `pattern_of` maps each family to its pattern."""

    pattern_of: np.ndarray  # int64[n]
    representative: np.ndarray  # int64[P]: one family index per pattern
    count: np.ndarray  # int64[P]
    key_columns: int  # how many code columns made the key
    seconds: float


def _value_rows(columns: Mapping[str, np.ndarray], layout: KernelLayout, p: KernelParams,
                hidden: np.ndarray, pci: np.ndarray):  # fmt: skip
    """A function: variable row index -> its float64 values as the kernel sees them (made once, on demand)."""
    rows: dict[int, np.ndarray] = {}
    names = layout.features + DERIVED_VARIABLES

    def row(i: int) -> np.ndarray:
        if i not in rows:
            name = names[i]
            if name == "hidden_income":
                rows[i] = hidden
            elif name == "pci_ratio":
                rows[i] = pci
            elif name == "income":  # the kernel's operation order: 0 + each declared income + hidden
                income = np.zeros(len(hidden))
                for v in p.income_var:
                    income += row(int(v))
                rows[i] = income + hidden
            else:
                rows[i] = np.asarray(columns[name], np.float64)
        return rows[i]

    return row


def _indicator_value(row, p: KernelParams, k: int) -> np.ndarray:
    """Indicator k's value with the kernel's arithmetic (0.0 + each term, then the division)."""
    var, coef = _slice(p, "num", k, "var"), _slice(p, "num", k, "coef")
    if len(var) == 1 and coef[0] == 1.0 and p.den_ptr[k + 1] == p.den_ptr[k]:
        return row(int(var[0]))
    value = np.zeros(len(row(int(var[0]))))
    for v, c in zip(var, coef, strict=True):
        value += c * row(int(v))
    if p.den_ptr[k + 1] > p.den_ptr[k]:
        den = np.zeros(len(value))
        for v, c in zip(_slice(p, "den", k, "var"), _slice(p, "den", k, "coef"), strict=True):
            den += c * row(int(v))
        value = value / np.maximum(den, p.den_floor[k])
    return value


def _combine(columns: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Dense ids of the distinct rows of several code columns (mixed radix, then factorize)."""
    ids, radix = np.zeros(len(columns[0][0]), np.int64), 1
    for codes, size in columns:
        if radix * size >= 2**62:  # the packed key would overflow: densify and go on
            ids = pd.factorize(ids)[0].astype(np.int64)
            radix = int(ids.max()) + 1
        ids = ids * size + codes
        radix *= size
    return pd.factorize(ids)[0].astype(np.int64)


def build_patterns(columns: Mapping[str, np.ndarray], region_index: np.ndarray, pm: float,
                   compiled: Sequence[tuple[KernelLayout, KernelParams]]) -> tuple[Patterns, np.ndarray]:  # fmt: skip
    """Compress families into patterns valid for every variant in `compiled` (the first is the
    baseline; all must have the baseline's structure). Also returns the baseline levels."""
    started = time.perf_counter()
    layout, base = compiled[0]
    n = len(region_index)
    params = [p for _, p in compiled]
    n_ind = len(base.ind_dim)
    fixed = [len({_indicator_signature(p, k) for p in params}) == 1 for k in range(n_ind)]
    # One baseline pass: fixed points, pci and hidden income exactly as the kernel computes them.
    fixed_score = np.zeros(n, np.int64)
    pci, hidden, base_level = np.empty(n), np.empty(n), np.empty(n, np.int8)
    fixed_rows = np.flatnonzero(fixed)
    for start in range(0, n, _CHUNK):
        part = {f: np.asarray(columns[f])[start : start + _CHUNK] for f in layout.features}
        out = run_kernel(layout, base, part, pm)
        stop = start + len(out.level)
        fixed_score[start:stop] = out.points[fixed_rows].sum(axis=0, dtype=np.int64)
        pci[start:stop], hidden[start:stop], base_level[start:stop] = (
            out.pci_ratio,
            out.hidden_income,
            out.level,
        )
    row = _value_rows(columns, layout, base, hidden, pci)

    key: list[tuple[np.ndarray, int]] = [
        (region_index.astype(np.int64), int(region_index.max(initial=0)) + 1)
    ]
    score_ids, score_values = pd.factorize(fixed_score)
    key.append((score_ids.astype(np.int64), len(score_values)))
    condition_thresholds: dict[int, set[float]] = {}
    for k in map(int, np.flatnonzero(~np.array(fixed, bool))):
        if base.ind_per_unit[k]:  # points per unit vary: keep the units exact
            for v in _slice(base, "num", k, "var"):
                ids, uniques = pd.factorize(row(int(v)))
                key.append((ids.astype(np.int64), len(uniques)))
        else:
            thresholds = {t for p in params for t in _slice(p, "step", k, "thr").tolist()}
            key.append(_threshold_code(_indicator_value(row, base, k), thresholds))
        for p in params:
            for v, t in zip(
                _slice(p, "when", k, "var").tolist(), _slice(p, "when", k, "thr").tolist(), strict=True
            ):
                condition_thresholds.setdefault(v, set()).add(t)
    for g in range(len(base.gate_lo)):
        conditions = [_gate_conditions(p, g) for p in params]
        if all(c == conditions[0] for c in conditions):  # the same test in every variant: one bit
            holds = np.ones(n, bool)
            for v, op, t in conditions[0]:
                holds &= _OPS[op](row(v), t)
            key.append((holds.astype(np.int64), 2))
        else:
            for v, _, t in itertools.chain.from_iterable(conditions):
                condition_thresholds.setdefault(v, set()).add(t)
    for v, thresholds in sorted(condition_thresholds.items()):
        key.append(_threshold_code(row(v), thresholds))

    pattern_of = _combine(key)
    count = np.bincount(pattern_of)
    representative = np.empty(len(count), np.int64)
    representative[pattern_of[::-1]] = np.arange(n - 1, -1, -1)  # the first family of each pattern
    patterns = Patterns(pattern_of, representative, count, len(key), time.perf_counter() - started)
    return patterns, base_level
