"""The pure part of the dbt profile replay: CPU seconds per operator type from a DuckDB JSON profile."""

from __future__ import annotations

from benchmarks.profile_dbt import operator_seconds


def operator(kind: str, seconds: float, *children: dict) -> dict:
    """One node of DuckDB's JSON profile tree."""
    return {"type": kind, "timing": seconds, "children": list(children)}


def test_operator_seconds_add_up_every_node_of_the_tree_by_type():
    profile = {
        "query": {"cpu_time": 4.0},
        "operator": [
            operator(
                "RESULT_COLLECTOR",
                0.0,
                operator(
                    "CREATE_TABLE_AS",
                    1.5,
                    operator(
                        "HASH_JOIN",
                        0.5,
                        operator("TABLE_SCAN", 0.25),
                        operator("HASH_GROUP_BY", 1.0, operator("TABLE_SCAN", 0.75)),
                    ),
                ),
            )
        ],
    }

    seconds = operator_seconds(profile)

    assert seconds == {
        "RESULT_COLLECTOR": 0.0,
        "CREATE_TABLE_AS": 1.5,
        "HASH_JOIN": 0.5,
        "HASH_GROUP_BY": 1.0,
        "TABLE_SCAN": 1.0,
    }
    assert sum(seconds.values()) == profile["query"]["cpu_time"]
