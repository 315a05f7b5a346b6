"""What-if variants: expand a grid or a list of overrides into named variants, and validate
each through the methodology config before it is compiled to kernel inputs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scoring_core.config import Methodology, MethodologyError, check_override, parse_methodology
from scoring_core.kernel import KernelLayout, KernelParams, build_kernel_inputs

BASELINE = "baseline"
EXAMPLES_DIR = Path(__file__).parents[1] / "whatif_examples"


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
        check_override(baseline, key, value)
    except MethodologyError as exc:
        raise MethodologyError(f"variant {name!r}: {exc}") from None


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
