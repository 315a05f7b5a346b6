"""Write a small landing month by hand: Parquet files with the exact contract schemas.

Tests list only the rows they care about; every registry they leave out lands as an empty file,
so the dbt sources always find all of them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kz_domain.iin import check_digit
from kz_domain.landing_contract import REGISTRIES


def make_iin(birth: str, serial: int, sex_digit: int = 3) -> str:
    """A valid IIN: YYMMDD from `birth` ('YYMMDD'), the century/sex digit, a 4-digit serial, check digit.

    Serials whose check digit does not exist (both weightings give 10) are skipped, so the serial
    used is the first valid one at or after `serial`.
    """
    for candidate in range(serial, 10_000):
        first_eleven = f"{birth}{sex_digit}{candidate:04d}"
        digit = check_digit(first_eleven)
        if digit >= 0:
            return first_eleven + str(digit)
    raise ValueError("no valid serial left")


def write_landing_month(
    landing_root: Path, period: str, rows: dict[str, list[dict]], as_of: dt.date | dict[str, dt.date]
) -> Path:
    """Write `<landing_root>/<period>/<registry>.parquet` for every registry, plus manifest.json."""
    month_dir = landing_root / period
    month_dir.mkdir(parents=True, exist_ok=True)
    unknown = set(rows) - set(REGISTRIES)
    if unknown:
        raise KeyError(f"not landing registries: {sorted(unknown)}")
    manifest = {"period": period, "registries": {}}
    for name, schema in REGISTRIES.items():
        registry_as_of = as_of[name] if isinstance(as_of, dict) else as_of
        records = [
            {**row, "extract_as_of": row.get("extract_as_of", registry_as_of)} for row in rows.get(name, [])
        ]
        table = pa.Table.from_pylist(records, schema=schema) if records else schema.empty_table()
        pq.write_table(table, month_dir / f"{name}.parquet")
        manifest["registries"][name] = {"rows": table.num_rows, "extract_as_of": registry_as_of.isoformat()}
    (month_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return month_dir
