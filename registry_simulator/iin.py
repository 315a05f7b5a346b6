"""IIN (and BIN) check digits: the scalar validity rule and its vectorised twin.

An IIN is 12 digits: YYMMDD, a century/sex digit (1-6), 4 serial digits and a check digit.
Check digit = sum(d[i] * w[i] for the first 11 digits) mod 11 with weights 1..11; when that
is 10, weights 3..11,1,2 are used instead; when it is 10 again the number is invalid.
BINs (business ids) use the same check digit, so the helpers serve both.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

PRIMARY_WEIGHTS = np.arange(1, 12, dtype=np.int64)
FALLBACK_WEIGHTS = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], dtype=np.int64)
INVALID = -1


def check_digit(first_eleven: str) -> int:
    """Check digit for 11 leading digits, or ``INVALID`` (-1) when both weightings give 10."""
    if len(first_eleven) != 11 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("expected exactly 11 ASCII digits")
    return int(check_digits(np.frombuffer(first_eleven.encode(), dtype=np.uint8)[None, :] - 48)[0])


def is_valid_iin(value: object) -> bool:
    """True when ``value`` is a 12-digit string whose last digit is its check digit."""
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    expected = check_digit(value[:11])
    return expected != INVALID and expected == int(value[11])


def check_digits(digits: np.ndarray) -> np.ndarray:
    """Vectorised check digits for an (n, 11) array of digit values; -1 where no digit exists."""
    digits = digits.astype(np.int64, copy=False)
    primary = (digits @ PRIMARY_WEIGHTS) % 11
    fallback = (digits @ FALLBACK_WEIGHTS) % 11
    result = np.where(primary == 10, fallback, primary)
    return np.where(result == 10, INVALID, result)


def valid_mask(digits: np.ndarray) -> np.ndarray:
    """Boolean mask of rows of an (n, 12) digit array that carry a correct check digit."""
    expected = check_digits(digits[:, :11])
    return (expected != INVALID) & (expected == digits[:, 11])


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
