"""The scoring kernel: the one home of the scoring arithmetic (Steps 1-5 of the methodology).

The kernel is generic over the methodology: every number (hidden-income parameters, indicator
values, bands, points, cut-offs, gates) arrives as arrays in `KernelParams`, built by
`build_kernel_inputs` from a Methodology plus optional dotted-key overrides. A new methodology needs
no code change; a what-if variant that reads the same feature columns needs no recompilation either
(same array types; a methodology reading other columns compiles once for its column counts).

How it is fast while generic: families are scored in blocks of `BLOCK`. Within a block the
methodology is interpreted once per indicator, and each step of it is a tight loop over the
block's families (which LLVM vectorises); the block's working set stays in the CPU cache.
Bands become step functions: a band [lo, hi) with p points adds p at x >= lo and takes p away at
x >= hi, so a value scores with compares and adds, no searching or branching per family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numba
import numpy as np
from numba import njit, prange

from scoring_core.config import (
    DERIVED_VARIABLES,
    HIDDEN_INCOME_FEATURES,
    OPERATORS,
    Methodology,
    parse_methodology,
)

BLOCK = 1024
N_REASONS = 3
PARALLEL_FROM = 20_000  # families; below this one thread is faster than waking the pool
DIMENSION_INDEX = {"M": 0, "N": 1, "D": 2, "S": 3}
_INT_TYPES = ("count", "category")


class KernelParams(NamedTuple):
    """The methodology as arrays. Variable indices point into the kernel's per-block value rows:
    the int features, then the float features, then the flag features (in KernelLayout order),
    then hidden_income, income, pci_ratio."""

    n_int: int
    n_float: int
    n_bool: int
    members_var: int
    hidden_var: (
        np.ndarray
    )  # int64[4]: n_dwellings, n_commercial_property, livestock_value, n_informal_signal_adults
    hidden_par: (
        np.ndarray
    )  # float64[4]: extra_dwelling_rent, commercial_rent, livestock_annual_yield, informal_income_pm
    income_var: np.ndarray  # int64[]: declared income features
    ind_dim: np.ndarray  # int64[K]
    ind_per_unit: np.ndarray  # int64[K]: 1 = points are the value itself (per_unit)
    ind_can_be_negative: np.ndarray  # int64[K]: 0 = never negative points, so never a reason
    num_ptr: np.ndarray  # int64[K+1] into num_var/num_coef
    num_var: np.ndarray
    num_coef: np.ndarray
    den_ptr: np.ndarray  # int64[K+1] into den_var/den_coef; empty range = no division
    den_var: np.ndarray
    den_coef: np.ndarray
    den_floor: np.ndarray  # float64[K]
    when_ptr: np.ndarray  # int64[K+1] into when_var/when_op/when_thr
    when_var: np.ndarray
    when_op: np.ndarray
    when_thr: np.ndarray
    step_ptr: np.ndarray  # int64[K+1] into step_thr/step_strict/step_delta
    step_thr: np.ndarray
    step_strict: np.ndarray  # 1: value > thr, 0: value >= thr
    step_delta: np.ndarray
    level_base: int
    level_cut: np.ndarray  # int64[]: min score of levels base+1, base+2, ... ascending
    gate_ptr: np.ndarray  # int64[G+1] into gate_var/gate_op/gate_thr
    gate_var: np.ndarray
    gate_op: np.ndarray
    gate_thr: np.ndarray
    gate_lo: np.ndarray  # int64[G]: the level is clipped to [gate_lo, gate_hi] when the gate holds
    gate_hi: np.ndarray


@dataclass(frozen=True)
class KernelLayout:
    """Which feature columns the kernel reads, in which order, and how outputs are labelled."""

    int_features: tuple[str, ...]
    float_features: tuple[str, ...]
    bool_features: tuple[str, ...]
    indicator_codes: tuple[str, ...]
    gate_codes: tuple[str, ...]

    @property
    def features(self) -> tuple[str, ...]:
        return self.int_features + self.float_features + self.bool_features


def _used_features(m: Methodology) -> set[str]:
    used = {"n_members", *HIDDEN_INCOME_FEATURES, *m.declared_income}
    for ind in m.indicators:
        used |= {*ind.numerator, *(ind.denominator or {}), *ind.per_unit, *(c.variable for c in ind.when)}
    for gate in m.gates:
        used |= {c.variable for c in gate.when}
    return used - set(DERIVED_VARIABLES)


def _csr(groups: list[list[tuple]], dtypes: tuple) -> tuple[np.ndarray, ...]:
    """Flatten per-item lists of tuples into a pointer array plus one array per tuple field."""
    ptr = np.zeros(len(groups) + 1, np.int64)
    ptr[1:] = np.cumsum([len(g) for g in groups])
    flat = [t for g in groups for t in g]
    columns = [np.array([t[j] for t in flat], dtype) for j, dtype in enumerate(dtypes)]
    return (ptr, *columns)


def _band_steps(bands) -> list[tuple[float, int, int]]:
    """(threshold, strict, delta) steps whose sum over thresholds passed gives a band's points."""
    steps = []
    for band in bands:
        if band.points == 0:
            continue
        # lower edge: x >= lo (inclusive) or x > lo; an open lower side is x >= -inf (always)
        steps.append((band.lower, 0 if band.lower_inclusive else 1, band.points))
        if band.upper != float("inf"):  # leaving the band: x >= hi (exclusive upper) or x > hi
            steps.append((band.upper, 1 if band.upper_inclusive else 0, -band.points))
    return steps


def _can_be_negative(ind) -> bool:
    """Whether an indicator can ever score below 0 (per-unit variables are never negative)."""
    return any(v < 0 for v in ind.per_unit.values()) or any(b.points < 0 for b in ind.bands)


def build_kernel_inputs(
    methodology: Methodology, overrides: dict | None = None
) -> tuple[KernelLayout, KernelParams]:
    """The kernel's layout and parameter arrays for a methodology, with optional dotted-key overrides
    (e.g. {"levels.6.min_score": 1700, "parameters.food_ratio.value": 0.5}); see config.apply_overrides."""
    m = methodology
    if overrides:
        m = parse_methodology(methodology.raw, methodology.source, overrides)
    used = _used_features(m)
    ordered = [f for f in m.features if f in used]
    ints = tuple(f for f in ordered if m.feature_type(f) in _INT_TYPES)
    floats = tuple(f for f in ordered if m.feature_type(f) == "amount")
    bools = tuple(f for f in ordered if m.feature_type(f) == "flag")
    layout = KernelLayout(ints, floats, bools, m.indicator_codes, tuple(g.code for g in m.gates))
    row = {name: i for i, name in enumerate(layout.features + DERIVED_VARIABLES)}

    indicators = m.indicators
    numerators = [[(row[v], c) for v, c in (ind.per_unit or ind.numerator).items()] for ind in indicators]
    denominators = [[(row[v], c) for v, c in (ind.denominator or {}).items()] for ind in indicators]
    whens = [[(row[c.variable], OPERATORS.index(c.op), c.threshold) for c in ind.when] for ind in indicators]
    steps = [_band_steps(ind.bands) for ind in indicators]
    gates = [[(row[c.variable], OPERATORS.index(c.op), c.threshold) for c in g.when] for g in m.gates]
    num_ptr, num_var, num_coef = _csr(numerators, (np.int64, np.float64))
    den_ptr, den_var, den_coef = _csr(denominators, (np.int64, np.float64))
    when_ptr, when_var, when_op, when_thr = _csr(whens, (np.int64, np.int64, np.float64))
    step_ptr, step_thr, step_strict, step_delta = _csr(steps, (np.float64, np.int64, np.int64))
    gate_ptr, gate_var, gate_op, gate_thr = _csr(gates, (np.int64, np.int64, np.float64))
    hp = m.hidden_income
    params = KernelParams(
        n_int=len(ints),
        n_float=len(floats),
        n_bool=len(bools),
        members_var=row["n_members"],
        hidden_var=np.array([row[f] for f in HIDDEN_INCOME_FEATURES], np.int64),
        hidden_par=np.array(
            [
                hp["extra_dwelling_rent"],
                hp["commercial_rent"],
                hp["livestock_annual_yield"],
                hp["informal_income_pm"],
            ],
            np.float64,
        ),
        income_var=np.array([row[f] for f in m.declared_income], np.int64),
        ind_dim=np.array([DIMENSION_INDEX[ind.dimension] for ind in indicators], np.int64),
        ind_per_unit=np.array([1 if ind.is_per_unit else 0 for ind in indicators], np.int64),
        ind_can_be_negative=np.array([1 if _can_be_negative(ind) else 0 for ind in indicators], np.int64),
        num_ptr=num_ptr,
        num_var=num_var,
        num_coef=num_coef,
        den_ptr=den_ptr,
        den_var=den_var,
        den_coef=den_coef,
        den_floor=np.array([ind.denominator_floor for ind in indicators], np.float64),
        when_ptr=when_ptr,
        when_var=when_var,
        when_op=when_op,
        when_thr=when_thr,
        step_ptr=step_ptr,
        step_thr=step_thr,
        step_strict=step_strict,
        step_delta=step_delta,
        level_base=m.base_level,
        level_cut=np.array([score for _, score in m.score_ladder], np.int64),
        gate_ptr=gate_ptr,
        gate_var=gate_var,
        gate_op=gate_op,
        gate_thr=gate_thr,
        gate_lo=np.array([g.level_min for g in m.gates], np.int64),
        gate_hi=np.array([g.level_max for g in m.gates], np.int64),
    )
    return layout, params


_JIT: dict[str, Any] = {
    "cache": True,
    "error_model": "numpy",
}  # numpy error model: no per-division checks, so loops vectorise


@njit(**_JIT)
def _apply_condition(row, op, threshold, mask, m):
    """mask[i] &= (row[i] op threshold); the operator is chosen outside the loop so it vectorises."""
    if op == 0:
        for i in range(m):
            mask[i] &= row[i] < threshold
    elif op == 1:
        for i in range(m):
            mask[i] &= row[i] <= threshold
    elif op == 2:
        for i in range(m):
            mask[i] &= row[i] == threshold
    elif op == 3:
        for i in range(m):
            mask[i] &= row[i] >= threshold
    elif op == 4:
        for i in range(m):
            mask[i] &= row[i] > threshold
    else:
        for i in range(m):
            mask[i] &= row[i] != threshold


@njit(**_JIT)
def _linear(vals, ptr, var, coef, k, out, m):
    """out = sum over the item's terms of coef * value row (0.0 + the first term keeps it exact)."""
    for i in range(m):
        out[i] = 0.0
    for t in range(ptr[k], ptr[k + 1]):
        row, c = vals[var[t]], coef[t]
        for i in range(m):
            out[i] += c * row[i]


@njit(**_JIT)
def _score_block(start, m, int_cols, float_cols, bool_cols, pm, p, s, out, levels_only):
    """Score families start..start+m-1 into `out`, using the chunk's scratch arrays `s`."""
    vals, work, den, mask, pts = s.vals, s.work, s.den, s.mask, s.pts
    # 1. Load the block's features into value rows (as float64).
    for j in range(p.n_int):
        col, row = int_cols[j][start : start + m], vals[j]
        for i in range(m):
            row[i] = col[i]
    for j in range(p.n_float):
        col, row = float_cols[j][start : start + m], vals[p.n_int + j]
        for i in range(m):
            row[i] = col[i]
    base = p.n_int + p.n_float
    for j in range(p.n_bool):
        col, row = bool_cols[j][start : start + m], vals[base + j]
        for i in range(m):
            row[i] = 1.0 if col[i] else 0.0
    hidden, income, pci = vals[base + p.n_bool], vals[base + p.n_bool + 1], vals[base + p.n_bool + 2]

    # 2. Step 1: hidden income, income, pci_ratio (operation order as in the specification).
    dwellings, commercial = vals[p.hidden_var[0]], vals[p.hidden_var[1]]
    livestock, informal = vals[p.hidden_var[2]], vals[p.hidden_var[3]]
    members = vals[p.members_var]
    rent_dw, rent_cp, yield_lv, informal_pm = (
        p.hidden_par[0],
        p.hidden_par[1],
        p.hidden_par[2],
        p.hidden_par[3],
    )
    for i in range(m):
        extra = max(dwellings[i] - 1.0, 0.0)
        hidden[i] = (
            extra * rent_dw
            + commercial[i] * rent_cp
            + livestock[i] * yield_lv / 12.0
            + informal[i] * informal_pm * pm
        )
    for i in range(m):
        income[i] = 0.0
    for t in range(p.income_var.shape[0]):
        row = vals[p.income_var[t]]
        for i in range(m):
            income[i] += row[i]
    for i in range(m):
        income[i] += hidden[i]
        pci[i] = income[i] / members[i] / pm

    # 3. Step 2: points per indicator (value, then bands as steps or per-unit points, then `when`).
    n_ind = p.ind_dim.shape[0]
    score, level, gate = s.score, s.level, s.gate
    for i in range(m):
        score[i] = 0
    for k in range(n_ind):
        # full results: compute straight into the output block (saves copying the points out)
        pk = pts[k, :m] if levels_only else out.points[k, start : start + m]
        first = p.num_ptr[k]
        has_den = p.den_ptr[k + 1] > p.den_ptr[k]
        if p.num_ptr[k + 1] - first == 1 and p.num_coef[first] == 1.0 and not has_den:
            value = vals[p.num_var[first]]  # a plain variable: read its row, no copy
        else:
            _linear(vals, p.num_ptr, p.num_var, p.num_coef, k, work, m)
            if has_den:
                _linear(vals, p.den_ptr, p.den_var, p.den_coef, k, den, m)
                floor = p.den_floor[k]
                for i in range(m):
                    work[i] = work[i] / max(den[i], floor)
            value = work
        if p.ind_per_unit[k] == 1:
            for i in range(m):
                pk[i] = np.int32(value[i])
        else:
            for i in range(m):
                pk[i] = 0
            for t in range(p.step_ptr[k], p.step_ptr[k + 1]):
                thr, delta = p.step_thr[t], np.int32(p.step_delta[t])
                if p.step_strict[t] == 1:
                    for i in range(m):
                        pk[i] += delta if value[i] > thr else np.int32(0)
                else:
                    for i in range(m):
                        pk[i] += delta if value[i] >= thr else np.int32(0)
        if p.when_ptr[k + 1] > p.when_ptr[k]:
            for i in range(m):
                mask[i] = True
            for w in range(p.when_ptr[k], p.when_ptr[k + 1]):
                _apply_condition(vals[p.when_var[w]], p.when_op[w], p.when_thr[w], mask, m)
            for i in range(m):
                pk[i] = pk[i] if mask[i] else np.int32(0)
        for i in range(m):
            score[i] += pk[i]

    # 4. Step 3: score and level from the cut-offs.
    for i in range(m):
        level[i] = p.level_base
    for j in range(p.level_cut.shape[0]):
        cut = p.level_cut[j]
        for i in range(m):
            level[i] += 1 if score[i] >= cut else 0
    # 5. Step 4: gates in order; the last gate that held is reported.
    for i in range(m):
        gate[i] = -1
    for g in range(p.gate_lo.shape[0]):
        for i in range(m):
            mask[i] = True
        for c in range(p.gate_ptr[g], p.gate_ptr[g + 1]):
            _apply_condition(vals[p.gate_var[c]], p.gate_op[c], p.gate_thr[c], mask, m)
        lo, hi = p.gate_lo[g], p.gate_hi[g]
        for i in range(m):
            clipped = min(max(level[i], lo), hi)
            level[i] = clipped if mask[i] else level[i]
            gate[i] = g if mask[i] else gate[i]
    out.level[start : start + m] = level[:m]
    if levels_only:
        return

    # 6. Step 5: dimension scores and the three most negative indicators (ties: earlier first).
    dims = out.dims
    for d in range(4):
        dims[d, start : start + m] = 0
    v1, v2, v3, i1, i2, i3 = s.top[0], s.top[1], s.top[2], s.top[3], s.top[4], s.top[5]
    for i in range(m):
        v1[i] = v2[i] = v3[i] = 0
        i1[i] = i2[i] = i3[i] = -1
    for k in range(n_ind):  # one pass per indicator: its dimension and the top 3
        pk = out.points[k, start : start + m]
        dim_row = dims[p.ind_dim[k], start : start + m]
        if p.ind_can_be_negative[k] == 0:  # never a reason: only add up
            for i in range(m):
                dim_row[i] += pk[i]
            continue
        code = np.int32(k)
        for i in range(m):  # branch-free insertion into a sorted top 3 (strict < keeps earlier ties first)
            v, a1, a2, a3, b1, b2, b3 = pk[i], v1[i], v2[i], v3[i], i1[i], i2[i], i3[i]
            dim_row[i] += v
            lt1, lt2, lt3 = v < a1, v < a2, v < a3
            v3[i] = a2 if lt2 else (v if lt3 else a3)
            i3[i] = b2 if lt2 else (code if lt3 else b3)
            v2[i] = a1 if lt1 else (v if lt2 else a2)
            i2[i] = b1 if lt1 else (code if lt2 else b2)
            v1[i] = v if lt1 else a1
            i1[i] = code if lt1 else b1
    out.reasons[0, start : start + m] = i1[:m]
    out.reasons[1, start : start + m] = i2[:m]
    out.reasons[2, start : start + m] = i3[:m]
    out.score[start : start + m] = score[:m]
    out.gate[start : start + m] = gate[:m]
    out.hidden_income[start : start + m] = hidden[:m]
    out.pci_ratio[start : start + m] = pci[:m]
    share = out.hidden_income_share[start : start + m]
    for i in range(m):
        share[i] = hidden[i] / income[i] if income[i] > 0.0 else 0.0


class _Scratch(NamedTuple):
    vals: np.ndarray
    work: np.ndarray
    den: np.ndarray
    mask: np.ndarray
    pts: np.ndarray
    score: np.ndarray
    level: np.ndarray
    gate: np.ndarray
    top: np.ndarray


@njit(**_JIT)
def _scratch(n_rows, n_ind, width):
    return _Scratch(
        np.empty((n_rows, width), np.float64),
        np.empty(width, np.float64),
        np.empty(width, np.float64),
        np.empty(width, np.bool_),
        np.empty((n_ind, width), np.int32),
        np.empty(width, np.int32),
        np.empty(width, np.int8),
        np.empty(width, np.int8),
        np.empty((6, width), np.int32),
    )


@njit(**_JIT)
def _score_chunk(c, n_chunks, int_cols, float_cols, bool_cols, pm, p, out, levels_only):
    """Score the c-th of n_chunks contiguous runs of blocks, with scratch arrays of its own."""
    n = out.level.shape[0]
    width = min(BLOCK, n)  # small calls get small scratch arrays
    n_blocks = (n + width - 1) // width
    s = _scratch(p.n_int + p.n_float + p.n_bool + 3, p.ind_dim.shape[0], width)
    for b in range(c * n_blocks // n_chunks, (c + 1) * n_blocks // n_chunks):
        start = b * width
        _score_block(
            start, min(width, n - start), int_cols, float_cols, bool_cols, pm, p, s, out, levels_only
        )


@njit(parallel=True, **_JIT)
def score_kernel(int_cols, float_cols, bool_cols, pm, p, out, levels_only, n_chunks):
    """Score every family. Columns are tuples of 1-d arrays in KernelLayout order (int32, float64,
    bool); `out` holds preallocated KernelOutputs. With levels_only only out.level is written (the
    what-if fast path). Work is split into n_chunks contiguous runs of blocks (a few per thread)."""
    for c in prange(n_chunks):
        _score_chunk(c, n_chunks, int_cols, float_cols, bool_cols, pm, p, out, levels_only)


@njit(**_JIT)
def score_kernel_serial(int_cols, float_cols, bool_cols, pm, p, out, levels_only, n_chunks):
    """score_kernel on the calling thread: for small inputs, where waking worker threads costs more
    than the work (and is slow when other processes keep the cores busy)."""
    for c in range(n_chunks):
        _score_chunk(c, n_chunks, int_cols, float_cols, bool_cols, pm, p, out, levels_only)


class KernelOutputs(NamedTuple):
    level: np.ndarray  # int8[n]
    score: np.ndarray  # int32[n]
    dims: np.ndarray  # int32[4, n]: M, N, D, S
    points: np.ndarray  # int32[K, n]
    hidden_income: np.ndarray  # float64[n]
    hidden_income_share: np.ndarray
    pci_ratio: np.ndarray
    gate: np.ndarray  # int8[n]: index into KernelLayout.gate_codes, -1 none
    reasons: np.ndarray  # int8[3, n]: indices into KernelLayout.indicator_codes, -1 none


def allocate_outputs(n: int, layout: KernelLayout, levels_only: bool = False) -> KernelOutputs:
    """Output arrays for n families (tiny placeholders for what levels_only does not write)."""
    full = 0 if levels_only else n
    k = len(layout.indicator_codes)
    return KernelOutputs(
        level=np.empty(n, np.int8),
        score=np.empty(full, np.int32),
        dims=np.empty((4, full), np.int32),
        points=np.empty((k, full), np.int32),
        hidden_income=np.empty(full, np.float64),
        hidden_income_share=np.empty(full, np.float64),
        pci_ratio=np.empty(full, np.float64),
        gate=np.empty(full, np.int8),
        reasons=np.empty((N_REASONS, full), np.int8),
    )


def _column_tuple(columns: dict, names: tuple[str, ...], dtype, n: int) -> tuple:
    """Same-typed read-only contiguous arrays (one Numba type for every call); a dummy if none."""
    if not names:
        return (np.zeros(1, dtype),)  # never read: the params say there are 0 columns of this kind
    arrays = []
    for name in names:
        array = np.ascontiguousarray(columns[name], dtype=dtype)  # no copy when already right
        if array.shape != (n,):
            raise ValueError(f"column {name} has shape {array.shape}, expected ({n},)")
        view = array.view()
        view.flags.writeable = False
        arrays.append(view)
    return tuple(arrays)


def run_kernel(
    layout: KernelLayout,
    params: KernelParams,
    columns: dict[str, np.ndarray],
    pm: float,
    levels_only: bool = False,
    out: KernelOutputs | None = None,
) -> KernelOutputs:
    """Score validated feature columns (a dict of 1-d arrays) with PM `pm`; returns the outputs."""
    n = len(columns[layout.features[0]])
    ints = _column_tuple(columns, layout.int_features, np.int32, n)
    floats = _column_tuple(columns, layout.float_features, np.float64, n)
    bools = _column_tuple(columns, layout.bool_features, np.bool_, n)
    out = out if out is not None else allocate_outputs(n, layout, levels_only)
    if n >= PARALLEL_FROM:
        n_chunks = min((n + BLOCK - 1) // BLOCK, 16 * numba.get_num_threads())
        score_kernel(ints, floats, bools, float(pm), params, out, levels_only, n_chunks)
    elif n:
        score_kernel_serial(ints, floats, bools, float(pm), params, out, levels_only, 1)
    return out
