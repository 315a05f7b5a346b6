"""Small vectorised builders of Arrow columns (ids, dates, categories) shared by the registries."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .iin import ascii_rows_to_arrow, int_to_digits


def coded_ids(
    tags: tuple[str, ...], kind: np.ndarray | int, numbers: np.ndarray, width: int
) -> pa.StringArray:
    """Ids like ``RE79000001234``: a tag chosen per row (all tags equally long) + zero-padded number."""
    tag_bytes = np.array([np.frombuffer(t.encode(), np.uint8) for t in tags])
    n = len(numbers)
    chars = np.empty((n, tag_bytes.shape[1] + width), np.uint8)
    chars[:, : tag_bytes.shape[1]] = tag_bytes[kind] if np.ndim(kind) else tag_bytes[kind][None, :]
    chars[:, tag_bytes.shape[1] :] = int_to_digits(numbers, width) + 48
    return ascii_rows_to_arrow(chars)


#: Day-number sentinel for a missing date (a real date can be before 1970, so -1 would not do).
NO_DATE = np.iinfo(np.int32).min


def dates(days: np.ndarray) -> pa.Array:
    """date32 column from day numbers; ``NO_DATE`` becomes null."""
    days = np.asarray(days, dtype=np.int32)
    mask = days == NO_DATE
    return pa.array(days, type=pa.date32(), mask=mask if mask.any() else None)


def categories(labels: tuple[str, ...] | list[str], codes: np.ndarray) -> pa.Array:
    """String column from integer codes into a small label list."""
    return pa.array(list(labels), pa.string()).take(pa.array(np.asarray(codes, dtype=np.int32)))


def money(values: np.ndarray) -> pa.Array:
    """KZT amounts rounded to whole tenge."""
    return pa.array(np.round(np.asarray(values, dtype=np.float64)), pa.float64())


def add_years(days: np.ndarray, years: np.ndarray | float) -> np.ndarray:
    """Day numbers shifted by a (fractional) number of years."""
    return (np.asarray(days, dtype=np.float64) + np.asarray(years) * 365.25).astype(np.int32)
