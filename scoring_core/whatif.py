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

CLI: `python -m scoring_core.whatif --period 2026-10 --variants scoring_core/whatif_examples/grid.yaml`
(see `main`).
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import yaml
from numba import njit

from scoring_core import config as _config
from scoring_core.config import DERIVED_VARIABLES, Methodology, MethodologyError, parse_methodology
from scoring_core.kernel import KernelLayout, KernelParams, build_kernel_inputs, run_kernel

BASELINE = "baseline"
EXAMPLES_DIR = Path(__file__).parent / "whatif_examples"
_CHUNK = 1_000_000  # families per baseline kernel call (bounds the memory of full outputs)
_OPS = (np.less, np.less_equal, np.equal, np.greater_equal, np.greater, np.not_equal)


# ------------------------------------------------------------------------------------ variants
@dataclass(frozen=True)
class Variant:
    """A named set of dotted-key overrides of the baseline methodology."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)


def _variant_name(overrides: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in overrides.items()) or BASELINE


def expand_variants(spec: Any) -> list[Variant]:
    """Variants from a spec: a list of override dicts (or {name, overrides} items), or a mapping
    with `variants` (such a list) and/or `grid` (dotted key -> list of values: the cartesian
    product, in key order, the last key varying fastest)."""
    if isinstance(spec, Mapping) and not ({"variants", "grid"} & set(spec)):
        raise MethodologyError("variants: a mapping needs a `variants` list and/or a `grid` of key -> values")
    items = spec if isinstance(spec, list) else list(spec.get("variants") or [])
    variants = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise MethodologyError(f"variants.{i}: must be a mapping of dotted key -> value")
        if "overrides" in item:
            overrides = dict(item["overrides"] or {})
            variants.append(Variant(str(item.get("name") or _variant_name(overrides)), overrides))
        else:
            variants.append(Variant(_variant_name(item), dict(item)))
    grid = {} if isinstance(spec, list) else dict(spec.get("grid") or {})
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise MethodologyError(f"grid.{key}: must be a non-empty list of values")
    if grid:
        for combo in itertools.product(*grid.values()):
            overrides = dict(zip(grid, combo, strict=True))
            variants.append(Variant(_variant_name(overrides), overrides))
    names = [v.name for v in variants]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise MethodologyError(f"variants: duplicate names {duplicates[:3]}")
    return variants


def load_variants(path: str | Path) -> list[Variant]:
    """Variants from a YAML file (see expand_variants)."""
    with open(path, encoding="utf-8") as handle:
        return expand_variants(yaml.safe_load(handle))


def _check_pair(baseline: Methodology, name: str, key: str, value: Any) -> None:
    """The config loader's override and schema checks of one (key, value) on its own."""
    try:
        raw = _config._normalise_dates(_config.apply_overrides(baseline.raw, {key: value}))
    except MethodologyError as exc:
        raise MethodologyError(f"variant {name!r}: {exc}") from None
    error = next(iter(jsonschema.Draft202012Validator(_config._schema()).iter_errors(raw)), None)
    if error is not None:
        where = _config._describe_path(raw, error.absolute_path)
        raise MethodologyError(f"variant {name!r}: overrides: {key}: {where}: {error.message}")


def compile_variants(
    baseline: Methodology, variants: Sequence[Variant]
) -> list[tuple[KernelLayout, KernelParams]]:
    """Kernel inputs of every variant, validated by the config loader (a bad key or value raises
    MethodologyError naming the variant and the key)."""
    checked: set[tuple[str, str]] = set()
    compiled = []
    for variant in variants:
        if len(variant.overrides) <= 1:  # the loader's full checks
            compiled.append(build_kernel_inputs(_parse(baseline, variant.name, variant.overrides)))
            continue
        for key, value in variant.overrides.items():  # each distinct pair through the schema once
            pair = (key, json.dumps(value, sort_keys=True, default=str))
            if pair not in checked:
                _check_pair(baseline, variant.name, key, value)
                checked.add(pair)
        # Every value passed the schema on its own above; the checks across values still run.
        compiled.append(
            build_kernel_inputs(_parse(baseline, variant.name, variant.overrides, validate_schema=False))
        )
    return compiled


def _parse(baseline: Methodology, name: str, overrides: Mapping, validate_schema: bool = True) -> Methodology:
    try:
        if not overrides:
            return baseline
        return parse_methodology(
            baseline.raw, baseline.source, dict(overrides), validate_schema=validate_schema
        )
    except MethodologyError as exc:
        raise MethodologyError(f"variant {name!r}: {exc}") from None


# ------------------------------------------------------------------------------------ patterns
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


def _threshold_code(values: np.ndarray, thresholds: Iterable[float]) -> tuple[np.ndarray, int]:
    """Bin codes that tell, for every threshold, whether a value is below, equal or above it."""
    edges = np.unique(np.array(sorted(set(thresholds)), np.float64))
    edges = edges[np.isfinite(edges)]
    code = np.searchsorted(edges, values, "left") + np.searchsorted(edges, values, "right")
    return code.astype(np.int64), 2 * len(edges) + 1


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


# ------------------------------------------------------------------------------------ results
@dataclass
class Population:
    """What the aggregation weighs: units (patterns or families) with region, baseline level and
    count, and the candidate rows attached to them (unit, service, families, rows, amount)."""

    region: np.ndarray
    base_level: np.ndarray
    weight: np.ndarray
    cand_unit: np.ndarray
    cand_service: np.ndarray
    cand_families: np.ndarray
    cand_rows: np.ndarray
    cand_amount: np.ndarray


@dataclass
class WhatIfResult:
    """Long tables over variants; `variants` says how each was computed."""

    variants: pd.DataFrame  # variant, name, overrides (json), method
    transitions: pd.DataFrame  # variant, region, from_level, to_level, families
    services: pd.DataFrame  # variant, region, service, eligible_families, beneficiaries, monthly_budget_kzt
    stats: dict[str, Any]

    def level_shares(self) -> pd.DataFrame:
        """Families per variant and level (all regions), as shares of the families."""
        table = self.transitions.groupby(["variant", "to_level"]).families.sum().unstack(fill_value=0)
        return table.div(table.sum(axis=1), axis=0)

    def transition_matrix(self, variant: int, region: str | None = None) -> pd.DataFrame:
        """Baseline level (rows) x variant level (columns), families; all regions unless one is named."""
        rows = self.transitions[self.transitions.variant == variant]
        if region is not None:
            rows = rows[rows.region == region]
        levels = range(1, self.stats["n_levels"] + 1)
        matrix = rows.pivot_table(index="from_level", columns="to_level", values="families", aggfunc="sum")
        return matrix.reindex(index=levels, columns=levels, fill_value=0).fillna(0).astype(np.int64)


@njit(cache=True)
def _tally(level, region, base_level, weight, cand_unit, cand_service, cand_families, cand_rows,
           cand_amount, allowed, cells, families, rows, money):  # fmt: skip
    """One variant's transition cells [region, from-1, to-1] and service totals [service, region]
    from its unit levels (one pass over units, one over candidate rows)."""
    for u in range(level.shape[0]):
        cells[region[u], base_level[u] - 1, level[u] - 1] += weight[u]
    for i in range(cand_unit.shape[0]):
        u, s = cand_unit[i], cand_service[i]
        if allowed[s, region[u], level[u]]:
            families[s, region[u]] += cand_families[i]
            rows[s, region[u]] += cand_rows[i]
            money[s, region[u]] += cand_amount[i]


def _aggregate(v: int, level: np.ndarray, pop: Population, allowed: np.ndarray, n_levels: int,
               regions: Sequence[str], services: Sequence[str]) -> tuple[list, list]:  # fmt: skip
    """Transition cells and service totals of one variant from its unit levels."""
    cells = np.zeros((len(regions), n_levels, n_levels), np.int64)
    families = np.zeros((len(services), len(regions)), np.int64)
    rows = np.zeros_like(families)
    money = np.zeros((len(services), len(regions)), np.float64)
    _tally(level, pop.region, pop.base_level, pop.weight, pop.cand_unit, pop.cand_service, pop.cand_families,
           pop.cand_rows, pop.cand_amount, allowed, cells, families, rows, money)  # fmt: skip
    transitions = [
        (v, regions[r], a + 1, b + 1, int(cells[r, a, b])) for r, a, b in zip(*np.nonzero(cells), strict=True)
    ]
    totals = [
        (v, regions[r], services[s], int(families[s, r]), int(rows[s, r]), float(money[s, r]))
        for s in range(len(services)) for r in range(len(regions))
    ]  # fmt: skip
    return transitions, totals


def _candidates_by_unit(candidates: pd.DataFrame, family_index: pd.Index, unit_of: np.ndarray,
                        services: list[str], n_units: int) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Candidate rows summed per (unit, service): families, list rows, amount."""
    if candidates is None or not len(candidates):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty, np.zeros(0)
    position = family_index.get_indexer(candidates["family_id"])
    known = position >= 0
    per_family = (
        pd.DataFrame({
            "unit": unit_of[position[known]],
            "family": position[known],
            "service": pd.Categorical(candidates["service"].to_numpy()[known], categories=services).codes,
            "amount": candidates["amount_kzt"].to_numpy(np.float64)[known],
        })
        .groupby(["unit", "service", "family"], sort=False)
        .amount.agg(["size", "sum"])
        .reset_index()
    )  # fmt: skip
    per_unit = per_family.groupby(["unit", "service"], sort=True).agg(
        families=("family", "size"), rows=("size", "sum"), amount=("sum", "sum")
    ).reset_index()  # fmt: skip
    return (per_unit.unit.to_numpy(np.int64), per_unit.service.to_numpy(np.int64),
            per_unit.families.to_numpy(np.int64), per_unit.rows.to_numpy(np.int64),
            per_unit.amount.to_numpy(np.float64))  # fmt: skip


def allowed_levels_array(rules: Mapping[tuple[str, str], str | Iterable[int]], services: Sequence[str],
                         regions: Sequence[str], n_levels: int) -> np.ndarray:  # fmt: skip
    """bool[service, region, level + 1] from {(service, region): '1,2,3' or levels}; a missing rule
    allows no level."""
    allowed = np.zeros((len(services), len(regions), n_levels + 1), bool)
    for (service, region), levels in rules.items():
        if service in services and region in regions:
            if isinstance(levels, str):
                levels = [int(x) for x in levels.split(",") if x.strip()]
            for level in levels:
                allowed[services.index(service), list(regions).index(region), int(level)] = True
    return allowed


def simulate(
    features: pd.DataFrame | Mapping[str, np.ndarray] | Any,
    baseline: Methodology,
    variants: Sequence[Variant],
    pm: float,
    candidates: pd.DataFrame | None = None,
    allowed_levels: Mapping[tuple[str, str], str | Iterable[int]] | None = None,
    region_column: str = "region_kato",
    progress: bool = False,
    force_full: bool = False,
) -> WhatIfResult:
    """Simulate variants against the baseline on every family (exact, not sampled).

    features: family_features rows of one period (pandas, Arrow or dict of columns) with
    family_id and `region_column`. candidates: one row per (family, service, beneficiary) eligible
    but for the level filter: family_id, service, amount_kzt. allowed_levels: {(service, region):
    '1,2,3,4,5'}. The baseline (no overrides) is always variant 0. force_full scores every variant
    on every family (the slow path; tests compare both)."""
    started = time.perf_counter()
    if hasattr(features, "to_pydict") and not isinstance(features, pd.DataFrame):  # Arrow
        table: Any = features
        features = {name: table.column(name).to_numpy() for name in table.column_names}
    columns = {k: np.asarray(v) for k, v in dict(features.items()).items()}
    everything = [Variant(BASELINE, {}), *[v for v in variants if v.overrides or v.name != BASELINE]]
    compiled = compile_variants(baseline, everything)
    compiled_at = time.perf_counter()
    n_levels = len(baseline.levels)
    if any(len(p.level_cut) + p.level_base != n_levels for _, p in compiled):
        raise MethodologyError("every variant must keep the baseline's number of levels")
    region_index, regions = pd.factorize(pd.Series(columns[region_column]).astype(str), sort=True)
    regions = [str(r) for r in regions]
    region_index = region_index.astype(np.int64)
    family_index = pd.Index(columns["family_id"])
    services = sorted(set(candidates["service"])) if candidates is not None and len(candidates) else []
    allowed = allowed_levels_array(allowed_levels or {}, services, regions, n_levels)

    shared = [i for i, c in enumerate(compiled) if not force_full and _same_structure(compiled[0], c)]
    full = [i for i in range(len(compiled)) if i not in set(shared)]
    patterns, base_level = build_patterns(columns, region_index, pm, [compiled[i] for i in shared or [0]])
    level_of = {}
    if shared:
        reps = {f: np.asarray(columns[f])[patterns.representative] for f in compiled[0][0].features}
        pop = Population(region_index[patterns.representative], base_level[patterns.representative].astype(np.int64),
                         patterns.count.astype(np.int64),
                         *_candidates_by_unit(candidates, family_index, patterns.pattern_of, services,
                                              len(patterns.count)))  # fmt: skip
    family_pop = None
    transitions, totals, methods = [], [], {}
    evaluated_at = time.perf_counter()
    order = _progress(range(len(compiled)), progress)
    for v in order:
        layout, params = compiled[v]
        if v in set(shared):
            level = run_kernel(layout, params, reps, pm, levels_only=True).level
            units = pop
            methods[v] = "patterns"
        else:
            level = run_kernel(
                layout, params, {f: columns[f] for f in layout.features}, pm, levels_only=True
            ).level
            if family_pop is None:
                family_pop = Population(region_index, base_level.astype(np.int64), np.ones(len(base_level), np.int64),
                                        *_candidates_by_unit(candidates, family_index,
                                                             np.arange(len(base_level)), services,
                                                             len(base_level)))  # fmt: skip
            units = family_pop
            methods[v] = "full"
        level_of[v] = level
        t, s = _aggregate(v, level.astype(np.int64), units, allowed, n_levels, regions, services)
        transitions += t
        totals += s
    finished = time.perf_counter()
    table = pd.DataFrame({
        "variant": range(len(everything)),
        "name": [v.name for v in everything],
        "overrides": [json.dumps(v.overrides, sort_keys=True, default=str) for v in everything],
        "method": [methods[i] for i in range(len(everything))],
    })  # fmt: skip
    stats = {
        "n_families": len(base_level),
        "n_variants": len(everything),
        "n_patterns": len(patterns.count) if shared else 0,
        "n_full_variants": len(full),
        "n_levels": n_levels,
        "regions": regions,
        "services": services,
        "seconds_compile": compiled_at - started,
        "seconds_patterns": patterns.seconds,
        "seconds_evaluate": finished - evaluated_at,
        "seconds_total": finished - started,
    }
    return WhatIfResult(
        table,
        pd.DataFrame(transitions, columns=["variant", "region", "from_level", "to_level", "families"]),
        pd.DataFrame(
            totals,
            columns=[
                "variant",
                "region",
                "service",
                "eligible_families",
                "beneficiaries",
                "monthly_budget_kzt",
            ],
        ),  # fmt: skip
        stats,
    )


def _progress(items, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="variants", unit="variant", file=sys.stderr)
