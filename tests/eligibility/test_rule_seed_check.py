"""The seed test elig_rules_valid (dbt_project/macros/eligibility_tests.sql), on hand-made rules.

It is the one check of every service-rule seed, so each problem it must catch has a row here.
"""

import re
from pathlib import Path

import duckdb
import jinja2
import pytest

TESTS_MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "eligibility_tests.sql"

# (rule_version, region, valid_from, funding, allowed_levels) -> the problem the test must report
RULES = [
    ("ok/79/1", "79", "2025-01-01", "local", "1,2,3,4,5", None),
    ("ok/35/1", "35", "2025-01-01", "national", "1,2,3,4,5,6", None),
    ("missing/79/1", None, "2025-01-01", "local", "1,2", "missing region, rule_version, valid_from or allowed_levels"),
    ("missing/79/2", "79", None, "local", "1,2", "missing region, rule_version, valid_from or allowed_levels"),
    ("region/7/1", "7", "2025-01-01", "local", "1,2", "region is not a 2-digit KATO prefix"),
    ("funding/79/1", "79", "2025-02-01", "regional", "1,2", "funding is not local or national"),
    ("funding/79/2", "79", "2025-03-01", None, "1,2", "funding is not local or national"),
    ("levels/79/1", "79", "2025-04-01", "national", "0,1", "allowed_levels outside 1..6"),
    ("levels/79/2", "79", "2025-05-01", "national", "1,x", "allowed_levels outside 1..6"),
    ("level6/79/1", "79", "2025-06-01", "local", "5,6", "a locally funded rule allows level 6"),
    ("twice/79/1", "79", "2025-07-01", "national", "1", "two versions for one region and start date"),
    ("twice/79/2", "79", "2025-07-01", "national", "2", "two versions for one region and start date"),
    ("same/79/1", "79", "2025-08-01", "national", "1", "rule_version used twice"),
    ("same/79/1", "79", "2025-09-01", "national", "1", "rule_version used twice"),
]  # fmt: skip


def rules_valid_sql(model: str) -> str:
    """The SQL of the generic test for `model` (its body uses plain Jinja only)."""
    text = TESTS_MACROS.read_text()
    body = re.search(r"\{% test elig_rules_valid\(model\) %\}(.*?)\{% endtest %\}", text, re.S).group(1)
    return jinja2.Template(body).render(model=model)


@pytest.fixture
def found() -> list[tuple]:
    con = duckdb.connect()
    con.execute(
        "create table rules (rule_version varchar, region varchar, valid_from date, funding varchar,"
        " allowed_levels varchar)"
    )
    con.executemany("insert into rules values (?, ?, ?, ?, ?)", [r[:5] for r in RULES])
    rows = con.execute(f"select rule_version, problem from ({rules_valid_sql('rules')})").fetchall()
    con.close()
    return rows


def test_valid_rules_pass(found):
    assert not {version for version, _ in found} & {"ok/79/1", "ok/35/1"}


def test_every_faulty_rule_is_reported_with_its_problem(found):
    expected = sorted((version, problem) for version, *_, problem in RULES if problem)
    assert sorted(found) == expected
