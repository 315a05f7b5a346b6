"""Fixtures for the publication tests: hand-built eligibility lists (PostgreSQL: tests/conftest.py).

IINs in these fixtures pass the checksum (061211600012 is the domain's worked example) and are
never printed: tests compare tables through booleans computed before the assert, so pytest's
assertion messages cannot show rows.
"""

from __future__ import annotations

import itertools

import pyarrow as pa

from orchestration.publication.references import ReferenceKey

PERIOD = "2026-03"
REGION = "79"
METHODOLOGY = "2026.1"
RULES = "rules-2026.03"
LANDING = {"family_card": "a" * 64, "income": "b" * 64}
#: A fixed key, so that the tests' references are the same in every run (never a deployment's).
REFERENCE_KEY = ReferenceKey(bytes(range(32)))


def iin_check_digit(first11: str) -> int | None:
    """Check digit of an IIN (scalar, independent of the vectorised one under test)."""
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=True)) % 11
    return None if check == 10 else check


def valid_iins(count: int, *, birth: str = "061211", century_sex: str = "6") -> list[str]:
    """`count` distinct valid IINs (serials 0001, 0002, ... skipping those without a check digit)."""
    result: list[str] = []
    for serial in itertools.count(1):
        if len(result) == count:
            return result
        first11 = f"{birth}{century_sex}{serial:04d}"
        check = iin_check_digit(first11)
        if check is not None:
            result.append(f"{first11}{check}")
    raise AssertionError("unreachable")


def service_list(
    service: str,
    families: int,
    *,
    amount: float = 10_000.0,
    period: str = PERIOD,
    region: str = REGION,
    with_beneficiary: bool = True,
    first_family: int = 1,
) -> pa.Table:
    """A valid list: one row per family, amounts amount, amount+1, ... (easy to total by hand)."""
    recipients = valid_iins(families, birth="850101", century_sex="3")
    children = valid_iins(families, birth="150505", century_sex="5")
    return pa.table(
        {
            "period": [period] * families,
            "region": [region] * families,
            "service": [service] * families,
            "family_id": list(range(first_family, first_family + families)),
            "recipient_iin": recipients,
            "beneficiary_iin": children if with_beneficiary else [None] * families,
            "level": [1 + i % 5 for i in range(families)],
            "amount_kzt": [amount + i for i in range(families)],
            "rule_version": [RULES] * families,
            "methodology_version": [METHODOLOGY] * families,
            "reason_codes": [["INCOME_BELOW_PM"] if i % 2 else [] for i in range(families)],
        }
    )


def publish_args(**overrides) -> dict:
    """Keyword arguments of publish_snapshot besides the lists."""
    return {
        "methodology_version": METHODOLOGY,
        "rule_version": RULES,
        "landing_checksums": LANDING,
        "run_id": "run-1",
        "reference_key": REFERENCE_KEY,
        "code_version": "test",
        **overrides,
    }
