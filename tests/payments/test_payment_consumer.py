"""The example payment system (docs/examples/payment_consumer.py) run on the hand-built months of
test_changes: March v2 (asp: families 2, 3, 4, 5; home_schooling: family 7's two children)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from tests.payments.consumer import load_consumer
from tests.publication.conftest import REGION
from tests.publication.test_changes import months  # noqa: F401  (the fixture)


def refuse_family_4(service: str, reference: str, amount: Decimal) -> tuple[str, str]:
    return ("rejected", "AC04") if amount == Decimal("9500.00") else ("paid", "")


def test_the_consumer_pays_each_batch_with_its_declared_count_and_control_sum(months, tmp_path, capsys):  # noqa: F811
    _, _, mar2 = months
    publish_root, outcomes_root = mar2.path.parents[2], tmp_path / "outcomes"
    batches = load_consumer().pay_current(
        publish_root, outcomes_root, "2026-03", REGION, refuse_family_4, set()
    )
    summary = {b.service: (b.number_of_transactions, b.control_sum, len(b.skipped)) for b in batches}
    # by hand: 10,001 + 12,000.50 + 9,500 + 5,000 and 2 x 17,300
    assert summary == {"asp": (4, Decimal("36501.50"), 0), "home_schooling": (2, Decimal("34600.00"), 0)}
    with (outcomes_root / "2026-03" / REGION / f"{mar2.version}.csv").open() as file:
        lines = list(csv.DictReader(file))
    assert len(lines) == 6 and len({line["reference_id"] for line in lines}) == 6
    assert sorted((line["outcome"], line["reason_code"], line["amount_kzt"]) for line in lines)[-1] == (
        "rejected",
        "AC04",
        "9500.00",
    )
    assert "IIN" not in capsys.readouterr().out.upper()


def test_a_second_run_pays_only_what_was_not_paid_and_still_answers_every_reference(months, tmp_path):  # noqa: F811
    _, _, mar2 = months
    publish_root, outcomes_root, paid = mar2.path.parents[2], tmp_path / "outcomes", set()
    example = load_consumer()
    example.pay_current(publish_root, outcomes_root, "2026-03", REGION, refuse_family_4, paid)
    again = example.pay_current(publish_root, outcomes_root, "2026-03", REGION, lambda *_: ("paid", ""), paid)
    summary = {b.service: (b.number_of_transactions, b.control_sum, len(b.skipped)) for b in again}
    assert summary == {"asp": (1, Decimal("9500.00"), 3), "home_schooling": (0, Decimal("0.00"), 2)}
    with (outcomes_root / "2026-03" / REGION / f"{mar2.version}.csv").open() as file:
        assert sorted(line["outcome"] for line in csv.DictReader(file)) == ["paid"] * 6


def test_the_consumer_refuses_a_manifest_whose_control_totals_do_not_match_the_list(months):  # noqa: F811
    _, _, mar2 = months
    example = load_consumer()
    manifest, contents = example.read_verified(mar2.path)
    example.check_control_totals(manifest, contents)  # as published: every total adds up
    wrong_total = json.loads(json.dumps(manifest))
    wrong_total["services"]["asp"]["amount_total_kzt"] = "36501.49"
    with pytest.raises(RuntimeError, match="asp: the list does not match its control totals"):
        example.check_control_totals(wrong_total, contents)
    wrong_change = json.loads(json.dumps(manifest))
    wrong_change["changes"]["bases"]["previous_month"]["services"]["asp"]["basis_amount_total_kzt"] = (
        "40006.01"
    )
    with pytest.raises(RuntimeError, match="asp: the changes against previous_month do not add up"):
        example.check_control_totals(wrong_change, contents)


def test_the_consumer_refuses_a_changes_file_that_does_not_match_its_checksum(months):  # noqa: F811
    _, _, mar2 = months
    entry = mar2.changes["bases"]["previous_version"]["services"]["asp"]
    changed = mar2.path / entry["file"]
    changed.chmod(0o644)
    changed.write_bytes(changed.read_bytes() + b"\0")
    with pytest.raises(RuntimeError, match="does not match the manifest"):
        load_consumer().read_verified(mar2.path)
