"""The list drift gate's arithmetic: each service's list against its baselines (pure functions).

Baselines are the region's published lists: the current version of the same month (the list a
republication would replace) and the current version of the previous month. A list that moved
beyond its tolerance (`tolerances.ListTolerance`), or fell to zero from a non-empty list, is
blocked until a data engineer approves it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from orchestration.quality.tolerances import Tolerances

#: Columns of the drift table shown in Dagster.
DRIFT_COLUMNS = [
    "baseline",
    "service",
    "rows",
    "rows_baseline",
    "amount_kzt",
    "amount_kzt_baseline",
    "rows_change",
    "amount_change",
    "beyond_tolerance",
]


def _relative(now: float, before: float) -> float:
    if before == 0:
        return 0.0 if now == 0 else 1.0
    return abs(now - before) / before


def list_drift(
    current: Mapping[str, tuple[int, float]],
    baselines: Mapping[str, Mapping[str, tuple[int, float]]],
    tolerances: Tolerances,
) -> pd.DataFrame:
    """One row per (baseline, service): rows and amounts now and then, and whether the move is
    beyond tolerance. `current` and each baseline map a service to (rows, total amount)."""
    records = []
    for baseline_name, baseline in baselines.items():
        for service in sorted(set(baseline) | set(current)):
            rows, amount = current.get(service, (0, 0.0))
            if service not in baseline:
                continue  # a service new this month has nothing to drift from
            rows_before, amount_before = baseline[service]
            tolerance = tolerances.for_service(service)
            rows_change, amount_change = _relative(rows, rows_before), _relative(amount, amount_before)
            fell_to_zero = rows == 0 and rows_before > 0
            beyond = (
                fell_to_zero
                or (
                    rows_change > tolerance.max_rows_change
                    and abs(rows - rows_before) >= tolerance.min_rows_change
                )
                or (
                    amount_change > tolerance.max_amount_change
                    and abs(amount - amount_before) >= tolerance.min_amount_change_kzt
                )
            )
            records.append(
                {
                    "baseline": baseline_name,
                    "service": service,
                    "rows": int(rows),
                    "rows_baseline": int(rows_before),
                    "amount_kzt": round(float(amount)),
                    "amount_kzt_baseline": round(float(amount_before)),
                    "rows_change": round(rows_change, 4),
                    "amount_change": round(amount_change, 4),
                    "beyond_tolerance": bool(beyond),
                }
            )
    return pd.DataFrame(records, columns=DRIFT_COLUMNS)
