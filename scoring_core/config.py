"""Load, validate and select scoring methodologies (versioned, effective-dated YAML files).

A methodology file holds every number of the scoring rules; nothing of it is hard-coded in code.
`load_methodology` validates a file against `methodology.schema.json` and then checks what a schema
cannot (names that must exist, bands that must not overlap, a consistent level ladder). Every
error names the file, the key and what is wrong.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from kz_domain.period import reference_date

METHODOLOGY_DIR = Path(__file__).parent / "methodologies"
SCHEMA_PATH = Path(__file__).parent / "methodology.schema.json"

# Quantities of Step 1 that indicators and gates may use besides the features.
DERIVED_VARIABLES = ("hidden_income", "income", "pci_ratio")
# The Step 1 hidden-income formula names these features (its parameters come from the file).
HIDDEN_INCOME_FEATURES = (
    "n_dwellings",
    "n_commercial_property",
    "livestock_value",
    "n_informal_signal_adults",
)
DIMENSIONS = ("M", "N", "D", "S")
OPERATORS = ("<", "<=", "==", ">=", ">", "!=")
_CONDITION_RE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class MethodologyError(ValueError):
    """A methodology file (or an override of it) is invalid; the message names file and key."""


@dataclass(frozen=True)
class Condition:
    """`variable op threshold`, e.g. pci_ratio < 0.55 (a named parameter is already resolved)."""

    variable: str
    op: str
    threshold: float
    text: str

    def holds(self, values):
        """Evaluate on a scalar or a numpy/pandas array (used by the reference implementation)."""
        ops = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            "==": lambda a, b: a == b,
            ">=": lambda a, b: a >= b,
            ">": lambda a, b: a > b,
            "!=": lambda a, b: a != b,
        }
        return ops[self.op](values, self.threshold)


@dataclass(frozen=True)
class Band:
    """An interval of an indicator's value and its points; an open side is +-inf."""

    lower: float
    lower_inclusive: bool
    upper: float
    upper_inclusive: bool
    points: int

    def describe(self, whole_numbers: bool) -> str:
        """Human text of the interval, e.g. '2..3', '>= 4', '[0.25, 1)', '= 0'."""
        lo, hi = self.lower, self.upper
        if lo == hi:
            return f"= {_num(lo)}"
        if whole_numbers and lo != -float("inf") and hi != float("inf"):
            first = lo if self.lower_inclusive else lo + 1
            last = hi if self.upper_inclusive else hi - 1
            return f"{_num(first)}..{_num(last)}" if first != last else f"= {_num(first)}"
        if hi == float("inf"):
            return f"{'>=' if self.lower_inclusive else '>'} {_num(lo)}"
        if lo == -float("inf"):
            return f"{'<=' if self.upper_inclusive else '<'} {_num(hi)}"
        return f"{'[' if self.lower_inclusive else '('}{_num(lo)}, {_num(hi)}{']' if self.upper_inclusive else ')'}"


@dataclass(frozen=True)
class Indicator:
    """One indicator of Step 2: banded on a value, or points per unit of some variables."""

    code: str
    dimension: str
    numerator: dict[str, float]  # the value is sum(coef * variable) ...
    denominator: dict[str, float] | None  # ... divided by max(sum(coef * variable), denominator_floor)
    denominator_floor: float
    when: tuple[Condition, ...]
    bands: tuple[Band, ...]
    per_unit: dict[str, int]
    name: dict[str, str]
    reason: dict[str, str]
    note: str | None

    @property
    def is_per_unit(self) -> bool:
        return bool(self.per_unit)


@dataclass(frozen=True)
class Gate:
    """A gate of Step 4: when every condition holds, the level is clipped to [level_min, level_max]."""

    code: str
    when: tuple[Condition, ...]
    level_min: int
    level_max: int
    name: dict[str, str]
    reason: dict[str, str]


@dataclass(frozen=True)
class Level:
    level: int
    min_score: int | None
    legacy_letter: str | None
    name: dict[str, str]


@dataclass(frozen=True)
class Methodology:
    """A validated methodology. `raw` is the parsed YAML (with overrides applied)."""

    version: str
    effective_from: dt.date
    source: str
    raw: dict = field(repr=False)
    features: dict[str, dict] = field(repr=False)
    hidden_income: dict[str, float] = field(repr=False)
    declared_income: tuple[str, ...] = field(repr=False)
    parameters: dict[str, float] = field(repr=False)
    indicators: tuple[Indicator, ...] = field(repr=False)
    levels: tuple[Level, ...] = field(repr=False)
    gates: tuple[Gate, ...] = field(repr=False)

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def gate(self, code: str) -> Gate:
        return next(g for g in self.gates if g.code == code)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @property
    def base_level(self) -> int:
        """The level every score below the lowest min_score gets."""
        return max(lv.level for lv in self.levels if lv.min_score is None)

    @property
    def score_ladder(self) -> tuple[tuple[int, int], ...]:
        """(level, min_score) for the levels above the base level, ascending."""
        return tuple(sorted((lv.level, lv.min_score) for lv in self.levels if lv.min_score is not None))

    def legacy_letter(self, level: int) -> str | None:
        return next((lv.legacy_letter for lv in self.levels if lv.level == level), None)

    @property
    def level_numbers(self) -> tuple[int, ...]:
        """Every level of the methodology, ascending."""
        return tuple(sorted(lv.level for lv in self.levels))

    def feature_type(self, name: str) -> str:
        return self.features[name]["type"]

    def is_whole_number(self, variable: str) -> bool:
        return variable in self.features and self.features[variable]["type"] in ("count", "flag", "category")


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def parse_period(period: str) -> dt.date:
    """'YYYY-MM' -> the first day of that month (the reference date; kz_domain.period)."""
    return reference_date(period)


def _condition_parts(text: str) -> tuple[str, str, str]:
    """(variable, operator, right-hand side) of a condition the schema has already checked."""
    match = _CONDITION_RE.match(text)
    if match is None:
        raise MethodologyError(f"not a condition: {text!r}")
    variable, op, rhs = match.groups()
    return variable, op, rhs


def _key(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _err(source: str, key: str, message: str) -> MethodologyError:
    return MethodologyError(f"{source}: {key}: {message}")


def apply_overrides(raw: Mapping, overrides: Mapping[str, Any] | None) -> dict:
    """Copy of `raw` with dotted-key overrides applied.

    A segment is a mapping key; in a list it is an index, or the `code`/`level` of an item; in a
    `when` list it is the variable of a condition, whose threshold is replaced. Examples:
    `levels.6.min_score`, `indicators.M1_INCOME.bands.2.points`, `parameters.food_ratio.value`,
    `hidden_income.commercial_rent`, `gates.G3_WEALTH.when.n_cars`.
    """
    result = copy.deepcopy(dict(raw))
    for dotted, value in (overrides or {}).items():
        parts = dotted.split(".")
        node: Any = result
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = ".".join(parts[: depth + 1])
            if isinstance(node, dict):
                if part not in node:
                    raise _err("overrides", dotted, f"no key {where!r} in the methodology")
                if last:
                    node[part] = value
                else:
                    node = node[part]
            elif isinstance(node, list):
                index = _list_index(node, part)
                if index is None:
                    raise _err("overrides", dotted, f"no item {where!r} in the methodology")
                if last:
                    if isinstance(node[index], str):  # a condition: replace its threshold
                        variable, op, _ = _condition_parts(node[index])
                        node[index] = f"{variable} {op} {value}"
                    else:
                        node[index] = value
                else:
                    node = node[index]
            else:
                raise _err("overrides", dotted, f"{where!r} is a value, not a section")
    return result


def check_override(methodology: Methodology, key: str, value: Any) -> dict:
    """The methodology's raw config with one override applied and checked against the schema;
    MethodologyError naming the key and what is wrong otherwise (the checks across values run
    when the whole methodology is parsed)."""
    raw = _normalise_dates(apply_overrides(methodology.raw, {key: value}))
    error = next(iter(jsonschema.Draft202012Validator(_schema()).iter_errors(raw)), None)
    if error is not None:
        where = _describe_path(raw, error.absolute_path)
        raise MethodologyError(f"overrides: {key}: {where}: {error.message}")
    return raw


def _list_index(items: list, part: str) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, dict) and part in (str(item.get("code")), str(item.get("level"))):
            return i
        if isinstance(item, str):
            match = _CONDITION_RE.match(item)
            if match and match.group(1) == part:
                return i
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _normalise_dates(raw: Any) -> Any:
    """YAML turns 2026-01-01 into a date; the schema checks strings."""
    if isinstance(raw, dict):
        return {k: _normalise_dates(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_normalise_dates(v) for v in raw]
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return raw


def _band(spec: dict) -> Band:
    inf = float("inf")
    if "equals" in spec:
        v = float(spec["equals"])
        return Band(v, True, v, True, int(spec["points"]))
    if "from" in spec:
        lower, lower_inclusive = float(spec["from"]), True
    elif "above" in spec:
        lower, lower_inclusive = float(spec["above"]), False
    else:
        lower, lower_inclusive = -inf, False
    if "to" in spec:
        upper, upper_inclusive = float(spec["to"]), False
    elif "through" in spec:
        upper, upper_inclusive = float(spec["through"]), True
    else:
        upper, upper_inclusive = inf, False
    return Band(lower, lower_inclusive, upper, upper_inclusive, int(spec["points"]))


def _bands_overlap(a: Band, b: Band) -> bool:
    if a.lower > b.lower or (a.lower == b.lower and not a.lower_inclusive and b.lower_inclusive):
        a, b = b, a  # a starts first
    if b.lower < a.upper:
        return True
    return b.lower == a.upper and a.upper_inclusive and b.lower_inclusive


def parse_methodology(
    raw: Mapping,
    source: str = "<methodology>",
    overrides: Mapping | None = None,
    validate_schema: bool = True,
) -> Methodology:
    """Validate a parsed methodology mapping (plus dotted-key overrides) and build a Methodology.

    `validate_schema=False` skips only the JSON-schema pass (most of the parse time), for callers
    that already checked every value against it; the checks across values always run.
    """
    if not isinstance(raw, Mapping):
        raise _err(source, "(top level)", "the file must hold a mapping of keys")
    if overrides:
        raw = apply_overrides(raw, overrides)
        source = f"{source} (with overrides {sorted(overrides)})"
    raw = _normalise_dates(dict(raw))
    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(raw) if validate_schema else [],
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise _err(source, _describe_path(raw, first.absolute_path), first.message + more)

    features = raw["features"]
    parameters = {name: float(p["value"]) for name, p in raw["parameters"].items()}
    variables = set(features) | set(DERIVED_VARIABLES)

    def check_variable(name: str, key: str, allow_derived: bool = True) -> None:
        allowed = variables if allow_derived else set(features)
        if name not in allowed:
            raise _err(source, key, f"unknown variable {name!r} (not a feature of this methodology)")

    def condition(text: str, key: str) -> Condition:
        variable, op, rhs = _condition_parts(text)
        check_variable(variable, key)
        try:
            threshold = float(rhs)
        except ValueError:
            if rhs not in parameters:
                raise _err(source, key, f"unknown parameter {rhs!r} in condition {text!r}") from None
            threshold = parameters[rhs]
        return Condition(variable, op, threshold, text)

    for name, spec in features.items():
        if (spec["type"] == "category") != ("values" in spec):
            raise _err(
                source,
                f"features.{name}",
                "a category feature needs `values`, other types must not have them",
            )
    for name in HIDDEN_INCOME_FEATURES:
        check_variable(name, "hidden_income", allow_derived=False)
    for i, name in enumerate(raw["declared_income"]):
        check_variable(name, f"declared_income.{i}", allow_derived=False)

    indicators: list[Indicator] = []
    for spec in raw["indicators"]:
        key = f"indicators.{spec['code']}"
        if spec["code"] in {ind.code for ind in indicators}:
            raise _err(source, key, "duplicate indicator code")
        numerator, denominator, floor = {}, None, -float("inf")
        if "value" in spec:
            value = spec["value"]
            if isinstance(value, str):
                numerator = {value: 1.0}
            else:
                numerator = {k: float(v) for k, v in value["sum"].items()}
                if "divided_by" in value:
                    denominator = {k: float(v) for k, v in value["divided_by"]["sum"].items()}
                    floor = float(value["divided_by"].get("at_least", -float("inf")))
            for name in [*numerator, *(denominator or {})]:
                check_variable(name, f"{key}.value")
        per_unit = {k: int(v) for k, v in spec.get("per_unit", {}).items()}
        for name in per_unit:
            check_variable(name, f"{key}.per_unit", allow_derived=False)
            if features[name]["type"] not in ("count", "flag"):
                raise _err(source, f"{key}.per_unit.{name}", "points per unit need a count or flag feature")
        bands = tuple(_band(b) for b in spec.get("bands", []))
        for j, band in enumerate(bands):
            if band.lower > band.upper or (
                band.lower == band.upper and not (band.lower_inclusive and band.upper_inclusive)
            ):
                raise _err(source, f"{key}.bands.{j}", "the band is empty")
            for k in range(j):
                if _bands_overlap(bands[k], band):
                    raise _err(source, f"{key}.bands.{j}", f"the band overlaps band {k}")
        when = tuple(condition(t, f"{key}.when.{j}") for j, t in enumerate(spec.get("when", [])))
        indicators.append(
            Indicator(
                code=spec["code"],
                dimension=spec["dimension"],
                numerator=numerator,
                denominator=denominator,
                denominator_floor=floor,
                when=when,
                bands=bands,
                per_unit=per_unit,
                name=spec["name"],
                reason=spec["reason"],
                note=spec.get("note"),
            )
        )

    levels = tuple(
        Level(lv["level"], lv.get("min_score"), lv.get("legacy_letter"), lv["name"]) for lv in raw["levels"]
    )
    numbers = sorted(lv.level for lv in levels)
    if numbers != list(range(1, len(levels) + 1)):
        raise _err(source, "levels", f"levels must be 1..{len(levels)} each once, got {numbers}")
    ladder = sorted((lv.level, lv.min_score) for lv in levels if lv.min_score is not None)
    if not ladder:
        raise _err(source, "levels", "at least one level needs min_score")
    base = ladder[0][0] - 1
    if base < 1 or [lv for lv, _ in ladder] != list(range(base + 1, len(levels) + 1)):
        raise _err(source, "levels", "min_score must be set for a contiguous run of levels up to the highest")
    for (lv_a, s_a), (lv_b, s_b) in zip(ladder, ladder[1:], strict=False):
        if s_b <= s_a:
            raise _err(
                source, f"levels.{lv_b}.min_score", f"must be above the min_score of level {lv_a} ({s_a})"
            )
    letters = [lv.legacy_letter for lv in levels if lv.legacy_letter]
    if len(letters) != len(set(letters)):
        raise _err(source, "levels", "legacy letters must be unique")

    gates = []
    for spec in raw["gates"]:
        key = f"gates.{spec['code']}"
        if "level" in spec:
            lo = hi = spec["level"]
        else:
            lo, hi = spec.get("level_at_least", 1), spec.get("level_at_most", len(levels))
        if not (1 <= lo <= hi <= len(levels)):
            raise _err(source, key, f"the gate's level must be within 1..{len(levels)}")
        when = tuple(condition(t, f"{key}.when.{j}") for j, t in enumerate(spec["when"]))
        gates.append(Gate(spec["code"], when, lo, hi, spec["name"], spec["reason"]))
    if len({g.code for g in gates}) != len(gates):
        raise _err(source, "gates", "duplicate gate code")

    return Methodology(
        version=raw["version"],
        effective_from=dt.date.fromisoformat(raw["effective_from"]),
        source=source,
        raw=dict(raw),
        features=dict(features),
        hidden_income={k: float(v) for k, v in raw["hidden_income"].items()},
        declared_income=tuple(raw["declared_income"]),
        parameters=parameters,
        indicators=tuple(indicators),
        levels=levels,
        gates=tuple(gates),
    )


def _describe_path(raw: Mapping, path) -> str:
    """Dotted key of a schema error, naming list items by their code or level when they have one."""
    parts, node = [], raw
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            parts.append(str(part))
            continue
        if isinstance(part, int) and isinstance(node, dict) and ("code" in node or "level" in node):
            parts.append(str(node.get("code", node.get("level"))))
        else:
            parts.append(str(part))
    return _key(parts)


def load_methodology(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Methodology:
    """Read and validate a methodology YAML file; `overrides` maps dotted keys to new values."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        raise MethodologyError(f"{path}: cannot read the file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(unknown line)"
        raise MethodologyError(f"{path}: {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_methodology(raw, str(path), overrides)


def available_methodologies(directory: str | Path | None = None) -> list[Methodology]:
    """Every methodology in the directory (default: scoring_core/methodologies), oldest first."""
    directory = Path(directory) if directory else METHODOLOGY_DIR
    found = [load_methodology(p) for p in sorted(directory.glob("*.yaml"))]
    return sorted(found, key=lambda m: m.effective_from)


@cache
def all_levels() -> tuple[int, ...]:
    """Every level any methodology defines, ascending: the levels of lists, tables and checks."""
    return tuple(sorted({level for m in available_methodologies() for level in m.level_numbers}))


def methodology_for_period(period: str, directory: str | Path | None = None) -> Methodology:
    """The methodology in force for 'YYYY-MM': the latest effective_from on or before its first day."""
    start = parse_period(period)
    in_force = [m for m in available_methodologies(directory) if m.effective_from <= start]
    if not in_force:
        raise LookupError(f"no methodology in force for period {period} in {directory or METHODOLOGY_DIR}")
    latest = max(m.effective_from for m in in_force)
    chosen = [m for m in in_force if m.effective_from == latest]
    if len(chosen) > 1:
        raise LookupError(f"two methodologies take effect on {latest}: {[m.source for m in chosen]}")
    return chosen[0]
