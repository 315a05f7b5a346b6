"""Score every variant (one representative family per pattern, or every family for a variant that
changes what is compared) and aggregate levels, transitions and service budgets."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from scoring_core.config import Methodology, MethodologyError
from scoring_core.kernel import run_kernel
from scoring_core.whatif.patterns import _same_structure, build_patterns
from scoring_core.whatif.variants import BASELINE, Variant, compile_variants


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
