"""Payment outcomes reconciled by dbt, on hand-built files checked by hand.

Shymkent (79), asp, families 1-4 at 10,000.00 .. 10,003.00, published for February and March.
February's outcomes: family 2 rejected, the others paid. March's file (line 1 is the header):

    line 2  family 1   paid                  } the same reference twice: both DUPLICATE_REFERENCE,
    line 3  family 2   rejected AC04            family 1 is then unanswered (missing)
    line 4  family 3   recipient_deceased
    line 5  family 1   paid                  }
    line 6  a reference never published      UNKNOWN_REFERENCE
    line 7  two fields                       MALFORMED_LINE
            family 4   no line               missing

and a file naming a version never published (UNKNOWN_VERSION). April's list then flags family
3's recipient (recipient_deceased) and family 2's payment (rejected in February and March:
repeated_rejection).
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.payments.assets import reconciliation_tables
from orchestration.payments.outcomes import (
    OutcomeFileError,
    outcome_path,
    parse_outcome_file,
    receive_outcomes,
)
from orchestration.publication.snapshot import publish_snapshot, read_snapshot
from orchestration.warehouse.cli_args import run_environment
from tests.publication.conftest import REGION, publish_args, service_list

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
HEADER = "reference_id,outcome,reason_code,amount_kzt,reported_at\n"
AT = "2026-04-02T09:00:00+05:00"
UNKNOWN_REFERENCE = "R" + "0" * 24


def dbt(root: Path, command: list[str], period: str) -> None:
    env = {
        **os.environ,
        **run_environment(period, REGION),
        "WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "DBT_REPO_ROOT": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    arguments = [
        str(DBT), *command, "--project-dir", str(REPO_ROOT / "dbt_project"), "--profiles-dir",
        str(REPO_ROOT / "dbt_project"), "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
    ]  # fmt: skip
    result = subprocess.run(arguments, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        summary = [line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        pytest.fail("dbt failed:\n" + "\n".join(summary[-30:]))


def outcome_line(reference: str, outcome: str, reason: str, amount: str) -> str:
    return f"{reference},{outcome},{reason},{amount},{AT}\n"


class Month:
    """One published month of the fixture: its version, references and recipients by family."""

    def __init__(self, root: Path, period: str):
        published = publish_snapshot(
            root / "published",
            period,
            REGION,
            {"asp": service_list("asp", 4, period=period, with_beneficiary=False)},
            **publish_args(),
        )
        _, tables = read_snapshot(published.path)
        rows = tables["asp"].to_pylist()
        self.period, self.version = period, published.version
        self.reference = {row["family_id"]: row["reference_id"] for row in rows}
        self.recipient = {row["family_id"]: row["recipient_iin"] for row in rows}

    def drop(self, root: Path, lines: str, version: str | None = None) -> None:
        path = outcome_path(root / "outcomes", self.period, REGION, version or self.version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + lines)


def receive(root: Path, period: str) -> None:
    with duckdb.connect(str(root / "warehouse.duckdb")) as connection:
        receive_outcomes(connection, root / "published", root / "outcomes", period, REGION)


def query(root: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory):
    root = tmp_path_factory.mktemp("reconciliation")
    february, march = Month(root, "2026-02"), Month(root, "2026-03")
    ref = march.reference
    february.drop(
        root,
        "".join(
            outcome_line(february.reference[f], *outcome, f"{10_000 + f - 1}.00")
            for f, outcome in (
                (1, ("paid", "")),
                (2, ("rejected", "AC04")),
                (3, ("paid", "")),
                (4, ("paid", "")),
            )
        ),
    )
    march.drop(
        root,
        outcome_line(ref[1], "paid", "", "10000.00")
        + outcome_line(ref[2], "rejected", "AC04", "10001.00")
        + outcome_line(ref[3], "recipient_deceased", "", "10002.00")
        + outcome_line(ref[1], "paid", "", "10000.00")
        + outcome_line(UNKNOWN_REFERENCE, "paid", "", "1.00")
        + "two,fields\n",
    )
    march.drop(root, outcome_line(ref[4], "paid", "", "10003.00"), version="v9-000000000000")
    receive(root, "2026-02")
    receive(root, "2026-03")
    dbt(root, ["build", "--select", "payment_outcomes", "path:models/payments"], "2026-03")
    return root, february, march


def test_every_line_is_kept_or_rejected_with_its_reason(reconciled):
    root, _, march = reconciled
    rejected = query(
        root,
        "select version, line_number, reject_reason from stg_payment_outcomes__rejected "
        "where period = '2026-03' order by version, line_number",
    )
    assert rejected == [
        (march.version, 2, "DUPLICATE_REFERENCE"),
        (march.version, 5, "DUPLICATE_REFERENCE"),
        (march.version, 6, "UNKNOWN_REFERENCE"),
        (march.version, 7, "MALFORMED_LINE"),
        ("v9-000000000000", 2, "UNKNOWN_VERSION"),
    ]
    kept = query(root, "select line_number from stg_payment_outcomes where period = '2026-03' order by 1")
    assert kept == [(3,), (4,)]
    # rows in = rows kept + rows rejected: 7 lines received, 2 kept, 5 rejected
    assert query(root, "select count(*) from payments.outcomes_received where period = '2026-03'") == [(7,)]


def test_every_published_reference_is_reconciled_once_and_the_unanswered_are_missing(reconciled):
    root, _, march = reconciled
    statuses = query(
        root,
        "select family_id, status, reason_code, amount_kzt from payment_reconciliation "
        "where period = '2026-03' order by family_id",
    )
    assert statuses == [
        (1, "missing", None, Decimal("10000.00")),
        (2, "rejected", "AC04", Decimal("10001.00")),
        (3, "recipient_deceased", None, Decimal("10002.00")),
        (4, "missing", None, Decimal("10003.00")),
    ]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        tables = reconciliation_tables(connection, "2026-03", REGION)
    by_outcome = tables["by_outcome"].to_dict("records")
    assert by_outcome == [
        {"region": "79", "service": "asp", "outcome": "missing", "references": 2, "amount_kzt": "20003.00"},
        {
            "region": "79",
            "service": "asp",
            "outcome": "recipient_deceased",
            "references": 1,
            "amount_kzt": "10002.00",
        },
        {"region": "79", "service": "asp", "outcome": "rejected", "references": 1, "amount_kzt": "10001.00"},
    ]
    lines = {
        row["version"]: (row["lines_in"], row["kept"], row["rejected"])
        for row in tables["lines"].to_dict("records")
    }
    assert lines == {march.version: (6, 2, 4), "v9-000000000000": (1, 0, 1)}
    shown = "".join(frame.to_markdown() for frame in tables.values())
    assert not any(iin in shown for iin in march.recipient.values())  # the report carries no IIN


def test_the_next_months_list_flags_the_deceased_recipient_and_the_repeated_rejection(reconciled):
    root, _, march = reconciled
    dbt(root, ["run", "--select", "elig_payment_flags"], "2026-04")
    flags = query(
        root,
        "select flag, service, family_id, beneficiary_key, recipient_iin from elig_payment_flags order by flag",
    )
    assert flags == [
        ("recipient_deceased", None, None, None, march.recipient[3]),
        ("repeated_rejection", "asp", 2, "", None),
    ]
    dbt(root, ["run", "--select", "elig_payment_flags"], "2026-03")  # March sees February only
    assert query(root, "select count(*) from elig_payment_flags") == [(0,)]


def test_a_redelivered_file_replaces_its_versions_lines(tmp_path):
    march = Month(tmp_path, "2026-03")
    march.drop(tmp_path, outcome_line(march.reference[1], "paid", "", "10000.00") * 2)
    receive(tmp_path, "2026-03")
    march.drop(
        tmp_path,
        "".join(outcome_line(march.reference[f], "paid", "", f"{10_000 + f - 1}.00") for f in (1, 2, 3, 4)),
    )
    receive(tmp_path, "2026-03")
    assert query(
        tmp_path, "select count(*), count(distinct file_sha256) from payments.outcomes_received"
    ) == [(4, 1)]
    assert query(tmp_path, "select count(*) from payments.published_references") == [(4,)]


def test_an_outcome_file_with_another_header_is_refused_naming_the_version_only():
    with pytest.raises(
        OutcomeFileError, match=r"^outcome file of v1-abc: the header must be exactly reference_id,"
    ):
        parse_outcome_file(b"reference,outcome\nR1,paid\n", "v1-abc")
