"""Array helpers of the simulator for IIN-shaped text: digits to Arrow strings and back.

The check digit itself is a domain fact: `kz_domain.iin`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def ascii_rows_to_arrow(chars: np.ndarray) -> pa.StringArray:
    """Turn an (n, width) uint8 array of ASCII codes into an Arrow string array (one row, one string)."""
    n, width = chars.shape
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def digits_to_arrow(digits: np.ndarray) -> pa.StringArray:
    """Turn an (n, width) array of digit values into an Arrow string array without Python loops."""
    return ascii_rows_to_arrow(digits.astype(np.uint8) + 48)


def int_to_digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers, shape (n, width)."""
    values = np.array(values, dtype=np.int64)  # a copy: it is consumed digit by digit
    digits = np.empty((len(values), width), np.uint8)
    for position in range(width - 1, -1, -1):  # one vector divmod per digit beats an (n, width) broadcast
        values, digits[:, position] = np.divmod(values, 10)
    return digits


def strings_to_digits(values: pa.Array | list[str]) -> np.ndarray:
    """Inverse of :func:`digits_to_arrow` for 12-digit strings (used by tests and defect checks)."""
    joined = "".join(values.to_pylist() if isinstance(values, pa.Array) else values)
    return (np.frombuffer(joined.encode(), dtype=np.uint8) - 48).reshape(-1, 12)
