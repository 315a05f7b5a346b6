"""The examples of docs/publication.md run against a published fixture, so the doc cannot rot."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from orchestration.publication.postgres import load_snapshot_to_postgres
from orchestration.publication.snapshot import publish_snapshot
from tests.publication.conftest import PERIOD, REGION, publish_args, service_list

DOC = Path(__file__).resolve().parents[2] / "docs" / "publication.md"
TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


@pytest.fixture
def published(tmp_path, monkeypatch):
    """The doc's period and region, published with hand-countable lists."""
    assert (PERIOD, REGION) == ("2026-03", "79")  # the literals the examples use
    lists = {
        "asp": service_list("asp", 5, with_beneficiary=False),  # 10,000 + ... + 10,004 = 50,010
        "home_schooling": service_list("home_schooling", 3, amount=20_000.0),  # 60,003
    }
    february = {  # the basis of March's changes: family 5 of asp is new in March (10,004)
        "asp": service_list("asp", 4, with_beneficiary=False, period="2026-02"),
        "home_schooling": service_list("home_schooling", 3, amount=20_000.0, period="2026-02"),
    }
    monkeypatch.setenv("PUBLISH_ROOT", str(tmp_path))
    publish_snapshot(tmp_path, "2026-02", REGION, february, **publish_args())
    return publish_snapshot(tmp_path, PERIOD, REGION, lists, **publish_args())


def test_the_python_examples_run_and_print_no_iin(published, capsys):
    blocks = code_blocks("python")
    assert len(blocks) == 4
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert namespace["version"] == published.version
    assert namespace["rows_per_service"] == {"asp": 5, "home_schooling": 3}
    assert namespace["totals_per_service"] == [
        ("asp", 5, Decimal("50010.00")),
        ("home_schooling", 3, Decimal("60003.00")),
    ]
    printed = capsys.readouterr().out
    assert published.version in printed
    assert not TWELVE_DIGITS.search(printed), "an example printed something that looks like an IIN"


def test_a_tampered_file_stops_the_verification_example(published):
    target = published.path / "asp.parquet"
    published.path.chmod(0o755)
    target.chmod(0o644)
    target.write_bytes(target.read_bytes() + b"\0")
    with pytest.raises(RuntimeError, match="asp.parquet does not match the manifest"):
        exec(compile(code_blocks("python")[0], str(DOC), "exec"), {})


@pytest.mark.xdist_group("postgres")
def test_the_sql_examples_run_on_postgres(published, postgres_uri):
    load_snapshot_to_postgres(postgres_uri, published.path)
    blocks = code_blocks("sql")
    assert len(blocks) == 5
    results = []
    with psycopg.connect(postgres_uri, autocommit=True) as conn:
        for block in blocks:
            cursor = conn.execute(block)
            sets = []
            while True:
                sets.append(cursor.fetchall() if cursor.description else None)
                if not cursor.nextset():
                    break
            results.append(sets)
    current_list, current_version, totals, changes, pinned = results
    assert len(current_list[0]) == 8
    assert [row[:2] for row in current_list[0]] == [("asp", i) for i in range(1, 6)] + [
        ("home_schooling", i) for i in range(1, 4)
    ]
    assert current_version[0][0][0] == published.version
    assert current_version[0][0][3:] == (8, Decimal("110013.00"))  # numeric: exact
    assert totals[0] == [("asp", 5, Decimal("50010.00")), ("home_schooling", 3, Decimal("60003.00"))]
    assert changes[0] == [("asp", "added", 1, Decimal("10004.00"))]
    assert [published.version] in [[row[0] for row in rows] for rows in pinned if rows]
