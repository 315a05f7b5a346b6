"""The IIN (and BIN) check digit: the scalar rule, its vectorised twin, and a mask over Arrow text.

An IIN is 12 digits: YYMMDD, a century/sex digit (1-6), 4 serial digits and a check digit.
Check digit = sum(d[i] * w[i] for the first 11 digits) mod 11 with weights 1..11; when that is
10, weights 3..11,1,2 are used instead; when it is 10 again the number is invalid. BINs (business
ids) use the same check digit. The dbt macro `iin_is_valid` (dbt_project/macros/iin.sql) is the
same rule in SQL, checked on worked examples by the dbt unit test of stg_population.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PRIMARY_WEIGHTS = np.arange(1, 12, dtype=np.int64)
FALLBACK_WEIGHTS = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], dtype=np.int64)
INVALID = -1


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


def iin_valid_mask(iins: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where an IIN is 12 ASCII digits with a correct check digit (nulls are False)."""
    iins = pc.cast(iins, pa.string())
    if isinstance(iins, pa.ChunkedArray):
        iins = iins.combine_chunks() if iins.num_chunks else pa.array([], pa.string())
    shape_ok = pc.fill_null(pc.match_substring_regex(iins, r"^[0-9]{12}$"), False)
    # Malformed values become a placeholder so that every value has exactly 12 bytes and the
    # digits can be read straight from the Arrow data buffer.
    padded = pc.if_else(shape_ok, iins, pa.scalar("0" * 12))
    if len(padded) == 0:
        return np.zeros(0, dtype=bool)
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int32)[
        padded.offset : padded.offset + len(padded) + 1
    ]
    data = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    digits = (data.reshape(-1, 12) - ord("0")).astype(np.int64)
    return shape_ok.to_numpy(zero_copy_only=False) & valid_mask(digits)
