"""Metadata that shows results in the Dagster UI itself, not as a file path to open elsewhere."""

from __future__ import annotations

import base64
from pathlib import Path

import dagster as dg
import pandas as pd

_BAR_WIDTH = 20  # characters for a share of 100 %


def inline_image(path: Path, alt: str) -> dg.MetadataValue:
    """A PNG shown in the asset's metadata (Markdown carries it as a data URI)."""
    encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{encoded})")


def share_bars(counts: pd.DataFrame, label: str, columns: list[str]) -> dg.MetadataValue:
    """Each row's counts in `columns` as shares with a bar, one row per `label` value (a chart a
    data engineer reads at a glance; counts stay in the table beside it)."""
    lines = [f"| {label} | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for _, row in counts.iterrows():
        total = sum(int(row[column]) for column in columns) or 1
        cells = []
        for column in columns:
            share = int(row[column]) / total
            cells.append(f"`{'█' * round(share * _BAR_WIDTH):<{_BAR_WIDTH}}` {share:.1%}")
        lines.append(f"| {row[label]} | " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))
