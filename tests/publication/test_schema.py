"""The list schema: IIN validation and the errors a non-conforming list gets (never with an IIN)."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kz_domain.iin import iin_valid_mask
from orchestration.publication.references import ReferenceKey
from orchestration.publication.schema import (
    ELIGIBILITY_SCHEMA,
    SchemaViolation,
    conform_service_list,
)
from tests.publication.conftest import (
    METHODOLOGY,
    PERIOD,
    REFERENCE_KEY,
    REGION,
    RULES,
    iin_check_digit,
    service_list,
)

OTHER_KEY = ReferenceKey(bytes(32))

CONTEXT = {
    "period": PERIOD,
    "region": REGION,
    "methodology_version": METHODOLOGY,
    "rule_version": RULES,
    "reference_key": REFERENCE_KEY,
}
LONG_DIGIT_RUN = re.compile(r"[0-9]{10,}")


def conform(table, service="home_schooling"):
    return conform_service_list(table, service=service, **CONTEXT)


def violation_of(table, service="home_schooling") -> str:
    with pytest.raises(SchemaViolation) as caught:
        conform(table, service)
    message = str(caught.value)
    # No IIN, nor any long run of digits that could be one, in the message.
    assert not LONG_DIGIT_RUN.search(message), "the error message contains a long digit run"
    return message


def replaced(table: pa.Table, name: str, values, type_=None) -> pa.Table:
    index = table.schema.get_field_index(name)
    return table.set_column(index, name, pa.array(values, type_ or table.schema.field(name).type))


def test_iin_checksum_follows_the_domain_rule():
    # 061211600012: weights 1..11 give 87 % 11 = 10, weights 3..11,1,2 give 112 % 11 = 2 = last digit.
    both_ten = next(f"{s:011d}" for s in range(10**10, 10**11) if iin_check_digit(f"{s:011d}") is None)
    iins = pa.array(
        ["061211600012", "061211600013", "06121160001", "0612116000123", "06121160001x", None, both_ten + "0"]
    )
    assert iin_valid_mask(iins).tolist() == [True, False, False, False, False, False, False]


def test_iin_mask_works_on_sliced_and_chunked_arrays():
    iins = pa.chunked_array([["061211600013", "061211600012"], ["061211600012"]])
    assert iin_valid_mask(iins).tolist() == [False, True, True]
    assert iin_valid_mask(pa.array(["x", "061211600012", "061211600013"]).slice(1)).tolist() == [True, False]
    assert iin_valid_mask(pa.array([], pa.string())).tolist() == []


def test_conformed_list_has_the_schema_and_sorted_rows():
    table = service_list("pupil_student_aid", 4)
    # Family 2 has two beneficiaries plus a family-level row; shuffle the input.
    table = pa.concat_tables([table, replaced(table.slice(1, 1), "beneficiary_iin", [None])])
    shuffled = table.take([3, 4, 1, 0, 2])
    conformed = conform(shuffled, "pupil_student_aid")
    assert conformed.schema.equals(ELIGIBILITY_SCHEMA)
    assert conformed.column("family_id").to_pylist() == [1, 2, 2, 3, 4]
    assert conformed.column("beneficiary_iin").is_null().to_pylist() == [False, True, False, False, False]


def test_pandas_input_with_loose_types_is_cast():
    frame = service_list("asp", 3, with_beneficiary=False).to_pandas()
    frame["level"] = frame["level"].astype("int64")
    frame["amount_kzt"] = [100, 200, 300]  # integers are accepted as amounts
    frame["reason_codes"] = [[], [], []]  # all empty: pandas gives Arrow no item type
    conformed = conform(frame, "asp")
    assert conformed.schema.equals(ELIGIBILITY_SCHEMA)
    assert conformed.column("amount_kzt").to_pylist() == [
        Decimal("100.00"),
        Decimal("200.00"),
        Decimal("300.00"),
    ]
    assert conformed.column("beneficiary_iin").null_count == 3


def test_malformed_and_wrong_checksum_iins_are_counted_per_column():
    table = service_list("home_schooling", 5)
    recipients = table.column("recipient_iin").to_pylist()
    recipients[0] = recipients[0][:11]  # 11 digits
    recipients[3] = recipients[3][:11] + str((int(recipients[3][11]) + 1) % 10)  # wrong check digit
    beneficiaries = table.column("beneficiary_iin").to_pylist()
    beneficiaries[2] = "12345678901A"
    table = replaced(replaced(table, "recipient_iin", recipients), "beneficiary_iin", beneficiaries)
    message = violation_of(table)
    assert "column recipient_iin: 2 rows are not valid IINs" in message
    assert "column beneficiary_iin: 1 rows are not valid IINs" in message


def test_iin_stored_as_numbers_is_refused_not_cast():
    table = replaced(
        service_list("home_schooling", 2), "recipient_iin", [61211600012, 61211600012], pa.int64()
    )
    assert "column recipient_iin: expected strings, got int64" in violation_of(table)


def test_missing_and_unexpected_columns_are_named():
    table = (
        service_list("home_schooling", 2)
        .drop_columns(["level"])
        .append_column("beneficiary_key", pa.array(["a", "b"]))
    )
    message = violation_of(table)
    assert "missing columns level" in message
    assert "unexpected columns beneficiary_key" in message


def test_value_rules_count_bad_rows():
    table = service_list("rent_subsidy", 6)
    table = replaced(table, "level", [1, 7, 0, 2, 3, 4], pa.int64())
    assert "column level: 2 rows outside 1..6" in violation_of(table, "rent_subsidy")

    table = replaced(service_list("rent_subsidy", 6), "amount_kzt", [0.0, -5.0, 3.5, 0.01, 1.0, 2.0])
    assert "column amount_kzt: 2 rows are not amounts > 0" in violation_of(table, "rent_subsidy")
    # A binary float is taken only when it is a whole number of tiyn: never silently truncated.
    table = replaced(
        service_list("rent_subsidy", 6), "amount_kzt", [1.005, np.nan, np.inf, 1.0, 2.25, 0.1 + 0.2]
    )
    assert "column amount_kzt: 3 rows are not a whole number of tiyn" in violation_of(table, "rent_subsidy")

    table = replaced(service_list("rent_subsidy", 3), "period", ["2026-03", "2026-02", "2026-03"])
    table = replaced(table, "methodology_version", ["2026.1", "2026.1", "2025.9"])
    message = violation_of(table, "rent_subsidy")
    assert "column period: 1 rows differ from the snapshot's period" in message
    assert "column methodology_version: 1 rows differ" in message
    assert "service home_schooling" not in message
    # A list handed in under another service's name.
    assert "column service: 3 rows differ" in violation_of(service_list("rent_subsidy", 3), "asp")


def test_nulls_in_required_columns_are_counted():
    recipients = service_list("asp", 3).column("recipient_iin").to_pylist()
    table = replaced(service_list("asp", 3), "recipient_iin", [None, recipients[1], None])
    assert "column recipient_iin: 2 rows are null" in violation_of(table, "asp")


def test_duplicate_keys_are_refused():
    table = service_list("asp", 3, with_beneficiary=False)
    table = pa.concat_tables([table, table.slice(2, 1)])
    assert "1 rows repeat a (family_id, beneficiary_iin) key" in violation_of(table, "asp")


def test_unconvertible_pandas_column_is_reported_without_values():
    frame = service_list("asp", 2).to_pandas()
    frame["recipient_iin"] = [frame["recipient_iin"][0], 5]
    message = violation_of(pd.DataFrame(frame), "asp")
    assert "mixes incompatible types" in message


def test_vectorised_iin_check_agrees_with_the_scalar_rule():
    # Seeded random candidates rather than hypothesis: its failure report would print them.
    rng = np.random.default_rng(11)
    candidates = ["".join(map(str, digits)) for digits in rng.integers(0, 10, size=(5000, 12))]
    expected = [iin_check_digit(iin[:11]) == int(iin[11]) for iin in candidates]
    assert 300 < sum(expected) < 600  # about 1 in 11 random candidates is valid
    agrees = iin_valid_mask(pa.array(candidates)).tolist() == expected
    assert agrees, "vectorised and scalar IIN checks disagree"


def test_family_ids_that_do_not_fit_int64_are_refused_without_the_value():
    table = replaced(service_list("asp", 2), "family_id", [1, 2**64 - 1], pa.uint64())
    assert "column family_id: values of type uint64 cannot be cast to int64" in violation_of(table, "asp")


def test_amounts_are_exact_decimals_of_two_places_whatever_the_input_type():
    table = service_list("asp", 3, with_beneficiary=False)
    decimals = replaced(
        table, "amount_kzt", [Decimal("0.10"), Decimal("0.20"), Decimal("12345678.99")], pa.decimal128(20, 2)
    )
    floats = replaced(table, "amount_kzt", [0.1, 0.2, 12345678.99])
    for given in (decimals, floats):
        amounts = conform(given, "asp").column("amount_kzt")
        assert amounts.type == pa.decimal128(18, 2)
        assert amounts.to_pylist() == [Decimal("0.10"), Decimal("0.20"), Decimal("12345678.99")]
    too_fine = replaced(
        table, "amount_kzt", [Decimal("0.105"), Decimal("1"), Decimal("2")], pa.decimal128(10, 3)
    )
    assert (
        "column amount_kzt: values of type decimal128(10, 3) do not fit decimal128(18, 2) exactly"
        in violation_of(too_fine, "asp")
    )


def test_every_row_gets_the_reference_of_its_period_service_family_and_beneficiary():
    table = service_list("pupil_student_aid", 3)
    references = conform(table, "pupil_student_aid").column("reference_id").to_pylist()
    assert all(re.fullmatch(r"R[0-9A-F]{24}", reference) for reference in references)
    assert len(set(references)) == 3
    # The same key gives the same references, whatever else the row says (level, amount, order).
    other = replaced(replaced(table, "level", [6, 6, 6]), "amount_kzt", [1.0, 2.0, 3.0]).take([2, 0, 1])
    assert conform(other, "pupil_student_aid").column("reference_id").to_pylist() == references
    # Another beneficiary, family, service or period: another reference.
    moved = replaced(table, "beneficiary_iin", [None, None, None])
    assert set(conform(moved, "pupil_student_aid").column("reference_id").to_pylist()).isdisjoint(references)
    as_asp = replaced(table, "service", ["asp"] * 3)
    assert set(conform(as_asp, "asp").column("reference_id").to_pylist()).isdisjoint(references)
    # Another key: other references (a reference reveals nothing without the deployment's key).
    rekeyed = conform_service_list(
        table, service="pupil_student_aid", **(CONTEXT | {"reference_key": OTHER_KEY})
    )
    assert set(rekeyed.column("reference_id").to_pylist()).isdisjoint(references)


def test_a_given_reference_that_is_not_the_rows_own_is_refused():
    table = service_list("asp", 2, with_beneficiary=False)
    conformed = conform(table, "asp")
    assert conform(conformed, "asp").equals(conformed)  # a published list conforms again unchanged
    swapped = replaced(conformed, "reference_id", conformed.column("reference_id").to_pylist()[::-1])
    assert "column reference_id: 2 rows are not the reference of their key" in violation_of(swapped, "asp")
