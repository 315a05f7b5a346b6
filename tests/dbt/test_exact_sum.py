"""The exact_sum macro (dbt_project/macros/money.sql): a money sum that row order cannot change.

DuckDB's parallel aggregates add rows in an order that varies between runs, and DOUBLE addition
is not associative, so a plain sum let two builds of one month disagree in the last digit of
family incomes. Here the order is forced (one thread, rows in insertion order) to show both.
"""

from pathlib import Path

import duckdb
import jinja2
import pytest

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "money.sql"

# 0.1 + 0.2 + 0.3 in DOUBLE: 0.6000000000000001 left to right, 0.6 right to left
AMOUNTS = [0.1, 0.2, 0.3]


def exact_sum_sql(expression: str) -> str:
    """The SQL the macro renders for `expression` (the macro uses plain Jinja only)."""
    template = MACROS.read_text() + "{{ exact_sum(expression) }}"
    return jinja2.Template(template).render(expression=expression).strip()


@pytest.fixture
def connection():
    con = duckdb.connect(config={"threads": 1})
    yield con
    con.close()


def summed_in_order(connection, aggregate: str, amounts: list[float]) -> float:
    connection.execute("create or replace table terms (amount double)")
    for amount in amounts:  # one by one: with one thread, the rows keep this order
        connection.execute("insert into terms values (?)", [amount])
    return connection.execute(f"select {aggregate} from terms").fetchone()[0]


def test_a_plain_double_sum_depends_on_the_order_of_the_rows(connection):
    forward = summed_in_order(connection, "sum(amount)", AMOUNTS)
    backward = summed_in_order(connection, "sum(amount)", AMOUNTS[::-1])
    assert forward != backward


def test_exact_sum_gives_the_same_double_in_any_order(connection):
    aggregate = exact_sum_sql("amount")
    forward = summed_in_order(connection, aggregate, AMOUNTS)
    backward = summed_in_order(connection, aggregate, AMOUNTS[::-1])
    assert forward == backward == 0.6


def test_exact_sum_of_no_rows_is_null_like_sum(connection):
    assert summed_in_order(connection, exact_sum_sql("amount"), []) is None
