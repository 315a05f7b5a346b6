"""The eligibility list schema, defined once, and the check that a list conforms to it.

The publisher, the PostgreSQL loader, the reader and the reader contract (docs/publication.md)
all use `ELIGIBILITY_SCHEMA`. `conform_service_list` turns whatever the eligibility step produced
(an Arrow table or a pandas DataFrame) into exactly this schema, in a deterministic row order, or
raises `SchemaViolation` naming the columns and counting the bad rows: never quoting a value,
because the values include IINs.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kz_domain.iin import iin_valid_mask
from kz_domain.period import parse_period
from kz_domain.regions import parse_region
from orchestration.publication.references import ReferenceKey, reference_ids
from scoring_core.config import all_levels

# Bump when a column is added, removed or changes meaning; readers check it in the manifest.
# 2: reference_id, exact amounts (decimal, scale 2), payment_flags.
SCHEMA_VERSION = "eligibility_list/2"

SERVICES = ("home_schooling", "pupil_student_aid", "rent_subsidy", "housing_assistance", "asp")

#: Money: exact decimals in tenge with two places (tiyn), never binary floating point. 18 digits
#: hold any amount (and any snapshot's total) the programmes could pay.
AMOUNT_TYPE = pa.decimal128(18, 2)
AMOUNT_SCALE = 2

_CODES = pa.list_(pa.field("item", pa.string(), nullable=False))

ELIGIBILITY_SCHEMA = pa.schema(
    [
        pa.field("period", pa.string(), nullable=False),
        pa.field("region", pa.string(), nullable=False),
        pa.field("service", pa.string(), nullable=False),
        pa.field("reference_id", pa.string(), nullable=False),
        pa.field("family_id", pa.int64(), nullable=False),
        pa.field("recipient_iin", pa.string(), nullable=False),
        pa.field("beneficiary_iin", pa.string(), nullable=True),
        pa.field("level", pa.int8(), nullable=False),
        pa.field("amount_kzt", AMOUNT_TYPE, nullable=False),
        pa.field("rule_version", pa.string(), nullable=False),
        pa.field("methodology_version", pa.string(), nullable=False),
        pa.field("reason_codes", _CODES, nullable=False),
        pa.field("payment_flags", _CODES, nullable=False),
    ]
)
COLUMNS = tuple(ELIGIBILITY_SCHEMA.names)
#: Columns the publisher derives itself (references.py): an input that has them must agree.
DERIVED_COLUMNS = ("reference_id",)
#: Columns an input may leave out: empty lists (no payment flag) when absent.
OPTIONAL_COLUMNS = ("payment_flags",)

# Row order inside one service file: family, then beneficiary (a family-level row first).
# (family_id, beneficiary_iin) is unique per service, so this order is total.
ROW_ORDER = [("family_id", "ascending", "at_start"), ("beneficiary_iin", "ascending", "at_start")]


class SchemaViolation(ValueError):
    """An eligibility list does not conform to the schema.

    `issues` lists one sentence per problem, naming the service, the column and the number of bad
    rows. Values are never quoted: they may be IINs.
    """

    def __init__(self, issues: Iterable[str]):
        self.issues = list(issues)
        super().__init__("eligibility list violates the schema: " + "; ".join(self.issues))


def validate_period(period: str) -> str:
    """`period` if it is exactly a 'YYYY-MM' month, else ValueError (kz_domain.period)."""
    return parse_period(period)


def validate_region(region: str) -> str:
    """`region` if it is exactly a pilot region's KATO prefix, else ValueError (kz_domain.regions)."""
    return parse_region(region)


def conform_service_list(
    data: pa.Table | pd.DataFrame,
    *,
    period: str,
    region: str,
    service: str,
    methodology_version: str,
    rule_version: str,
    reference_key: ReferenceKey,
) -> pa.Table:
    """Return `data` as a table of exactly `ELIGIBILITY_SCHEMA`, sorted in `ROW_ORDER`, with
    every row's `reference_id` derived with `reference_key`.

    Raises SchemaViolation listing every problem found (missing or extra columns, wrong types,
    nulls, malformed or invalid IINs, rows of another period/region/service or of other
    methodology/rule versions than declared, levels outside 1..6, amounts not > 0 or not whole
    tiyn, duplicate (family_id, beneficiary_iin) keys, a given reference_id that is not the
    row's).
    """
    table = _to_arrow(data)
    prefix = f"service {service}"
    given_references = table.column("reference_id") if "reference_id" in table.column_names else None
    if given_references is not None:
        table = table.drop_columns(["reference_id"])
    if "payment_flags" not in table.column_names:
        table = table.append_column("payment_flags", pa.array([[]] * table.num_rows, _CODES))
    table = table.append_column("reference_id", pa.nulls(table.num_rows, pa.string()))  # filled below
    missing = [name for name in COLUMNS if name not in table.column_names]
    extra = [name for name in table.column_names if name not in COLUMNS]
    issues = []
    if missing:
        issues.append(f"{prefix}: missing columns {', '.join(missing)}")
    if extra:
        issues.append(f"{prefix}: unexpected columns {', '.join(extra)}")
    if issues:
        raise SchemaViolation(issues)

    columns = {}
    for field in ELIGIBILITY_SCHEMA:
        column, problem = _cast_column(table.column(field.name), field)
        if problem or column is None:
            issues.append(f"{prefix}: column {field.name}: {problem}")
            continue
        nulls = column.null_count
        if nulls and not field.nullable and field.name not in DERIVED_COLUMNS:
            issues.append(f"{prefix}: column {field.name}: {nulls} rows are null")
        columns[field.name] = column
    if issues:
        raise SchemaViolation(issues)

    expected = {
        "period": period,
        "region": region,
        "service": service,
        "methodology_version": methodology_version,
        "rule_version": rule_version,
    }
    issues += _row_issues(columns, expected, prefix=prefix)
    if issues:
        raise SchemaViolation(issues)
    columns["reference_id"] = pa.chunked_array([reference_ids(reference_key, pa.table(columns))])
    if given_references is not None:
        differ = pc.sum(
            pc.invert(pc.equal(given_references, columns["reference_id"]).fill_null(False))
        ).as_py()
        if differ:
            raise SchemaViolation(
                [f"{prefix}: column reference_id: {differ} rows are not the reference of their key"]
            )
    conformed = pa.Table.from_arrays([columns[name] for name in COLUMNS], schema=ELIGIBILITY_SCHEMA)
    duplicates = (
        conformed.num_rows - conformed.group_by(["family_id", "beneficiary_iin"]).aggregate([]).num_rows
    )
    if duplicates:
        raise SchemaViolation([f"{prefix}: {duplicates} rows repeat a (family_id, beneficiary_iin) key"])
    if pc.count_distinct(conformed.column("reference_id")).as_py() != conformed.num_rows:
        raise SchemaViolation([f"{prefix}: two keys share a reference_id (change the reference key)"])
    order = pc.sort_indices(conformed, sort_keys=ROW_ORDER)
    return conformed.take(order).combine_chunks()


def _to_arrow(data: pa.Table | pd.DataFrame) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pd.DataFrame):
        try:
            return pa.Table.from_pandas(data, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            # Arrow's message may quote a cell value (an IIN): report only the type of failure.
            raise SchemaViolation([f"a column mixes incompatible types ({type(error).__name__})"]) from None
    raise TypeError("an eligibility list must be a pyarrow.Table or a pandas.DataFrame")


def _cast_column(column: pa.ChunkedArray, field: pa.Field) -> tuple[pa.ChunkedArray | None, str | None]:
    """Cast one column to its schema type, refusing lossy or meaning-changing casts."""
    source, target = column.type, field.type
    if pa.types.is_null(source):  # an all-null column from pandas has no type of its own
        return pa.chunked_array([pa.nulls(len(column), target)]), None
    if field.name == "reference_id":
        return column.cast(target), None  # derived after the checks (references.py)
    if pa.types.is_decimal(target):
        return _exact_amounts(column, target)
    if pa.types.is_string(target):
        # Numbers are refused rather than cast: an IIN held as a number has lost its leading zeros.
        if not (pa.types.is_string(source) or pa.types.is_large_string(source)):
            return None, f"expected strings, got {source}"
    elif pa.types.is_integer(target):
        if not pa.types.is_integer(source):
            return None, f"expected integers, got {source}"
        if target == pa.int8() and len(column) and column.null_count < len(column):
            low, high = pc.min_max(column).values()
            first, last = all_levels()[0], all_levels()[-1]
            if low.as_py() < first or high.as_py() > last:
                outside = pc.sum(pc.or_(pc.less(column, first), pc.greater(column, last))).as_py()
                return None, f"{outside} rows outside {first}..{last}"
    elif pa.types.is_list(target):
        if not (pa.types.is_list(source) or pa.types.is_large_list(source)):
            return None, f"expected lists of strings, got {source}"
        values = pc.list_flatten(column)
        if not (
            pa.types.is_null(values.type)
            or pa.types.is_string(values.type)
            or pa.types.is_large_string(values.type)
        ):
            return None, f"expected lists of strings, got {source}"
        if values.null_count:
            return None, f"{values.null_count} list items are null"
    try:
        return column.cast(target), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Arrow's message quotes the offending value: report only the column and type.
        return None, f"values of type {source} cannot be cast to {target}"


def _row_issues(columns: dict, expected: dict[str, str], *, prefix: str) -> list[str]:
    issues = []
    for name, value in expected.items():
        other = pc.sum(pc.not_equal(columns[name], value)).as_py() or 0
        if other:
            issues.append(f"{prefix}: column {name}: {other} rows differ from the snapshot's {name}")
    for name in ("recipient_iin", "beneficiary_iin"):
        column = columns[name]
        present = pc.is_valid(column).to_numpy(zero_copy_only=False)
        bad = int((present & ~iin_valid_mask(column)).sum())
        if bad:
            issues.append(
                f"{prefix}: column {name}: {bad} rows are not valid IINs (12 digits with a correct check digit)"
            )
    amount = columns["amount_kzt"]
    not_positive = pc.sum(pc.invert(pc.greater(amount, pa.scalar(Decimal(0), AMOUNT_TYPE)))).as_py() or 0
    if not_positive:
        issues.append(f"{prefix}: column amount_kzt: {not_positive} rows are not amounts > 0")
    return issues


def _exact_amounts(column: pa.ChunkedArray, target: pa.DataType) -> tuple[pa.ChunkedArray | None, str | None]:
    """Amounts as exact decimals of scale 2: decimals and integers exactly, binary floats only
    when each is a whole number of tiyn (then rounded to it), never by silent truncation."""
    source = column.type
    if pa.types.is_decimal(source) or pa.types.is_integer(source):
        try:
            widened = column.cast(
                pa.decimal128(38, source.scale if pa.types.is_decimal(source) else AMOUNT_SCALE)
            )
            return widened.cast(target), None
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None, f"values of type {source} do not fit {target} exactly"
    if not pa.types.is_floating(source):
        return None, f"expected exact amounts (decimal), got {source}"
    values = column.to_numpy(zero_copy_only=False).astype(float)
    with np.errstate(invalid="ignore"):  # nan and inf are counted below
        tiyn = np.round(values * 10**AMOUNT_SCALE)
        inexact = (
            ~np.isfinite(values) | (np.abs(values * 10**AMOUNT_SCALE - tiyn) > 1e-6) | (np.abs(tiyn) >= 1e17)
        )
    if inexact.any():
        return None, f"{int(inexact.sum())} rows are not a whole number of tiyn"
    exact = [Decimal(int(t)).scaleb(-AMOUNT_SCALE) for t in tiyn]
    return pa.chunked_array([pa.array(exact, target)]), None


def amount_total(amounts: pa.ChunkedArray | pa.Array) -> Decimal:
    """The exact sum of decimal amounts (0.00 for none)."""
    total = pc.sum(amounts).as_py()
    return (total if total is not None else Decimal(0)).quantize(Decimal(1).scaleb(-AMOUNT_SCALE))
