"""A thin runner for Great Expectations (GX Core 1.x) suites stored as JSON in `expectations/`.

Why our own: `dagster-ge` targets GX < 1.0, and GX's SQL datasource cannot read DuckDB. So the
pipeline reads a frame from DuckDB and validates it here with an ephemeral context.

GX is imported lazily (it costs seconds) and its progress bars are turned off. Results are
reduced to counts and observed aggregates: GX's `partial_unexpected_list` can hold personal
data (IINs), so it never leaves this module.

Speed on a month (730 k families): GX's pandas metrics take a vectorised path only for int64 /
float64 columns (an int32 column is compared row by row in Python), test nulls of object
columns row by row, and copy the whole frame for every expectation's domain. So `validate`
hands GX the same values as int64 / float64 / categorical columns and runs it under pandas'
copy-on-write, where those copies are free. The values, and so every outcome, are unchanged.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"

#: GX severities mapped to what they do to the pipeline: critical blocks, the rest warns.
BLOCKING_SEVERITY = "critical"


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation, stripped of row values."""

    check_name: str
    description: str
    expectation_type: str
    column: str | None
    blocking: bool
    passed: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: Any
    error: str | None

    def metadata(self) -> dict[str, Any]:
        """Metadata safe to show in Dagster (aggregates only, never row values)."""
        meta: dict[str, Any] = {"expectation": self.expectation_type, "description": self.description}
        if self.column:
            meta["column"] = self.column
        for key in ("element_count", "unexpected_count"):
            value = getattr(self, key)
            if value is not None:
                meta[key] = int(value)
        if self.unexpected_percent is not None:
            meta["unexpected_percent"] = round(float(self.unexpected_percent), 4)
        if isinstance(self.observed_value, bool | str):
            meta["observed_value"] = self.observed_value
        elif isinstance(self.observed_value, int | float):  # numpy scalars too
            meta["observed_value"] = float(self.observed_value)
        if self.error:
            meta["error"] = self.error
        return meta


def suite_path(suite_name: str) -> Path:
    """Where a suite lives: `expectations/<suite_name>.json`."""
    return EXPECTATIONS_DIR / f"{suite_name}.json"


def load_suite(suite_name: str) -> dict[str, Any]:
    """Read a suite's JSON and check that every expectation names its Dagster check."""
    path = suite_path(suite_name)
    suite = json.loads(path.read_text(encoding="utf-8"))
    names = [e.get("meta", {}).get("check_name") for e in suite["expectations"]]
    if any(not n for n in names):
        raise ValueError(f"{path}: every expectation needs meta.check_name")
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: meta.check_name values must be unique")
    return suite


def check_names(suite_name: str) -> list[tuple[str, str, bool]]:
    """(check_name, description, blocking) per expectation, without importing GX."""
    return [
        (
            e["meta"]["check_name"],
            e["meta"].get("description", e["type"]),
            e.get("severity", BLOCKING_SEVERITY) == BLOCKING_SEVERITY,
        )
        for e in load_suite(suite_name)["expectations"]
    ]


_import_started = threading.Event()


def import_gx_in_background() -> None:
    """Start importing GX in a daemon thread, once per process.

    The import costs ~4 s of CPU. A run that will validate starts it when its resources are set
    up (`GxRunnerResource`), so that it overlaps the dbt build instead of delaying the first gate.
    `validate` still imports GX itself: should the thread not be done, Python's import lock makes
    `validate` wait for that same import, so nothing is imported twice or half.
    """
    if _import_started.is_set():
        return
    _import_started.set()
    # GX imports SQLAlchemy's ORM; so does Dagster's run storage when a step claims a concurrency
    # pool. Two threads importing the same package at once can see it half-initialised
    # ("partially initialized module 'sqlalchemy.orm.exc'"): import it here, before the thread.
    importlib.import_module("sqlalchemy.orm")
    threading.Thread(target=_import_gx, name="gx-import", daemon=True).start()


def _import_gx() -> None:
    # a warm-up only: should it fail, `validate` imports GX again and reports the error there
    with contextlib.suppress(Exception):
        importlib.import_module("great_expectations")


def validate(frame: pd.DataFrame, suite_name: str) -> list[ExpectationOutcome]:
    """Validate a pandas frame against a stored suite and return one outcome per expectation."""
    import great_expectations as gx  # lazy: importing GX takes seconds
    from great_expectations.data_context.types.base import ProgressBarsConfig

    suite_json = load_suite(suite_name)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = context.suites.add(gx.ExpectationSuite(**suite_json))
    batch = (
        context.data_sources.add_pandas("frames")
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("whole_frame")
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite_name}_validation", data=batch, suite=suite)
    )
    with pd.option_context("mode.copy_on_write", True):
        result = definition.run(batch_parameters={"dataframe": fast_dtypes(frame)}, result_format="SUMMARY")

    outcomes = []
    for item in result.results:
        config = item.expectation_config
        if config is None:  # GX reports every result with its configuration
            raise RuntimeError(f"GX suite {suite_name}: a result without its expectation")
        meta = config.meta or {}
        details = item.result or {}
        raised = (item.exception_info or {}).get("raised_exception", False)
        severity = getattr(config.severity, "value", config.severity) or BLOCKING_SEVERITY
        outcomes.append(
            ExpectationOutcome(
                check_name=meta["check_name"],
                description=meta.get("description", config.type),
                expectation_type=config.type,
                column=config.kwargs.get("column"),
                blocking=str(severity).lower() == BLOCKING_SEVERITY,
                passed=bool(item.success) and not raised,
                element_count=details.get("element_count"),
                unexpected_count=details.get("unexpected_count"),
                unexpected_percent=details.get("unexpected_percent"),
                observed_value=details.get("observed_value"),
                # The exception text can quote values; keep only its type.
                error=_exception_kind(item.exception_info) if raised else None,
            )
        )
    return outcomes


def fast_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's values in the dtypes GX computes fastest: integers as int64, floats as float64,
    strings as categoricals (null tests and equality on codes, the values stay the same)."""
    casts: dict[str, Any] = {}  # column name -> the same values in the fast dtype
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            continue
        if pd.api.types.is_integer_dtype(dtype) and dtype != "int64" and not frame[name].hasnans:
            casts[name] = frame[name].astype("int64")
        elif pd.api.types.is_float_dtype(dtype) and dtype != "float64":
            casts[name] = frame[name].astype("float64")
        elif pd.api.types.is_object_dtype(dtype) and _all_strings_or_nulls(frame[name]):
            casts[name] = _categorical(frame[name])
    return frame.assign(**casts) if casts else frame


def _all_strings_or_nulls(column: pd.Series) -> bool:
    return pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")


def _categorical(column: pd.Series) -> pd.Categorical:
    # Categories in order of appearance: sorting 300 k distinct IINs would cost more than it saves.
    codes, categories = pd.factorize(column)
    return pd.Categorical.from_codes(codes, categories=categories)


# GX formats the message as "<ExceptionType>: <text>"; only an identifier before the colon is kept.
_EXCEPTION_TYPE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*):")


def _exception_kind(info: dict[str, Any] | None) -> str:
    """A fixed sentence naming only the exception's type: GX's message and traceback can quote
    the values that failed (IINs), so neither leaves this module."""
    match = _EXCEPTION_TYPE.match((info or {}).get("exception_message") or "")
    kind = match.group(1).rsplit(".", 1)[-1] if match else "an exception"
    return f"the expectation raised {kind}; its message is withheld (it may quote row values)"
