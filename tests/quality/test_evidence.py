"""The evidence chain on a hand-built warehouse: lineage, gate outcomes and the clearance verdict."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.quality import evidence, gate_log
from orchestration.quality.evidence import Gate

PERIOD, REGION = "2026-03", "79"
GATES = {
    evidence.LANDING: (Gate("landing", "landing_verified"),),
    evidence.MARTS: (Gate("family_features", "not_null_family_id"),),
    evidence.SCORES: (Gate("family_scores", "gx_scores_not_empty"),),
    evidence.ELIGIBILITY_LIST: (Gate("eligibility_list", "list_drift"),),
}


@pytest.fixture
def warehouse():
    connection = duckdb.connect()
    connection.execute(
        "create table family_features as select '2026-03' as period, range as family_id from range(5)"
    )
    connection.execute(
        "create table family_members as select '2026-03' as period, range as family_id from range(9)"
    )
    connection.execute(
        "create table family_scores as select '2026-03' as period, range as family_id, 3 as level from range(5)"
    )
    connection.execute(
        "create table eligibility_list as select '2026-03' as period, '79' as region, range as family_id from range(2)"
    )
    yield connection
    connection.close()


def passed(asset: str, check: str, ok: bool = True) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(asset_key=dg.AssetKey(asset.split("/")), check_name=check, passed=ok)


def build_chain(connection, *, run_id="run-1", gates_pass=True) -> dict[str, evidence.Lineage]:
    """Record the chain as the steps do, and every gate outcome on its dataset."""
    landing = evidence.record_lineage(
        connection,
        evidence.LANDING,
        PERIOD,
        "",
        run_id=run_id,
        upstream_fingerprint="",
        versions={"checksums": {"population": "a" * 64}, "identities": {}},
        digest=(evidence.landing_digest({"population": "a" * 64}), 10),
    )
    marts = evidence.record_lineage(
        connection, evidence.MARTS, PERIOD, "", run_id=run_id, upstream_fingerprint=landing.fingerprint
    )
    scores = evidence.record_lineage(
        connection,
        evidence.SCORES,
        PERIOD,
        "",
        run_id=run_id,
        upstream_fingerprint=marts.fingerprint,
        versions={"methodology_version": "2026.1"},
    )
    lists = evidence.record_lineage(
        connection,
        evidence.ELIGIBILITY_LIST,
        PERIOD,
        REGION,
        run_id=run_id,
        upstream_fingerprint=scores.fingerprint,
        versions={"rule_version": {"asp": "r1"}},
    )
    chain = {
        evidence.LANDING: landing,
        evidence.MARTS: marts,
        evidence.SCORES: scores,
        evidence.ELIGIBILITY_LIST: lists,
    }
    for dataset, lineage in chain.items():
        region = REGION if dataset == evidence.ELIGIBILITY_LIST else ""
        results = [passed(g.asset, g.check_name, gates_pass) for g in GATES[dataset]]
        gate_log.record(
            connection, PERIOD, region, run_id, results, dataset=dataset, fingerprint=lineage.fingerprint
        )
    return chain


def test_a_chain_whose_gates_all_passed_on_its_data_is_cleared(warehouse):
    build_chain(warehouse)
    verdict = evidence.clearance(warehouse, PERIOD, REGION, GATES)
    assert verdict.problems == []
    assert verdict.landing_checksums == {"population": "a" * 64}


def test_nothing_recorded_names_every_dataset_and_no_gate_is_taken_for_granted(warehouse):
    verdict = evidence.clearance(warehouse, PERIOD, REGION, GATES)
    assert not verdict.cleared
    assert verdict.problems == [
        "eligibility_list: no recorded build for this period (run the step that writes it)",
        "scores: no recorded build for this period (run the step that writes it)",
        "marts: no recorded build for this period (run the step that writes it)",
        "landing: no recorded build for this period (run the step that writes it)",
    ]


def test_a_failed_gate_on_this_data_is_named_as_failed(warehouse):
    chain = build_chain(warehouse)
    gate_log.record(
        warehouse,
        PERIOD,
        "",
        "run-2",
        [passed("family_scores", "gx_scores_not_empty", ok=False)],
        dataset=evidence.SCORES,
        fingerprint=chain[evidence.SCORES].fingerprint,
    )
    verdict = evidence.clearance(warehouse, PERIOD, REGION, GATES)
    assert verdict.problems == ["failed: family_scores:gx_scores_not_empty failed on this build (run run-2)"]


def test_a_gate_that_passed_on_other_data_is_stale(warehouse):
    build_chain(warehouse)
    # The scores are rewritten and recorded by a new run whose gate has not run yet.
    warehouse.execute("update family_scores set level = 2 where family_id = 0")
    marts = evidence.latest_lineage(warehouse, evidence.MARTS, PERIOD)
    evidence.record_lineage(
        warehouse,
        evidence.SCORES,
        PERIOD,
        "",
        run_id="run-3",
        upstream_fingerprint=marts.fingerprint,
        versions={"methodology_version": "2026.1"},
    )
    problems = evidence.clearance(warehouse, PERIOD, REGION, GATES).problems
    assert (
        "stale: family_scores:gx_scores_not_empty last ran on other data (run run-1), not on this build"
        in problems
    )
    # ... and the list was built from the older scores.
    assert any(p.startswith("eligibility_list: built by run run-1 from an older scores") for p in problems)


def test_a_write_that_records_no_lineage_is_caught_by_the_content_digest(warehouse):
    build_chain(warehouse)
    warehouse.execute(
        "insert into family_scores select * from family_scores where family_id = 1"
    )  # a duplicate
    problems = evidence.clearance(warehouse, PERIOD, REGION, GATES).problems
    assert problems == [
        "scores: changed after run run-1 recorded it, by a write that no gate has checked "
        "(rebuild it through its Dagster step)"
    ]
    # The early check before a regional build reads records only and does not see it.
    assert evidence.clearance(warehouse, PERIOD, "", GATES, top=evidence.SCORES, verify_content=False).cleared


def test_the_content_digest_ignores_row_order_and_counts_duplicates(warehouse):
    digest, rows = evidence.content_digest(warehouse, evidence.SCORES, PERIOD)
    warehouse.execute(
        "create or replace table family_scores as select * from family_scores order by family_id desc"
    )
    assert evidence.content_digest(warehouse, evidence.SCORES, PERIOD) == (digest, rows) and rows == 5
    warehouse.execute("insert into family_scores select * from family_scores where family_id = 4")
    assert evidence.content_digest(warehouse, evidence.SCORES, PERIOD)[0] != digest


def test_an_approval_after_a_failure_on_the_same_data_clears_the_gate(warehouse):
    chain = build_chain(warehouse, gates_pass=False)
    fingerprint = chain[evidence.ELIGIBILITY_LIST].fingerprint
    assert "failed: eligibility_list:list_drift failed on this build (run run-1)" in (
        evidence.clearance(warehouse, PERIOD, REGION, GATES).problems
    )
    gate_log.record(
        warehouse,
        PERIOD,
        REGION,
        "run-2",
        [passed("eligibility_list", "list_drift")],
        note="list drift approved by someone: reason",
        dataset=evidence.ELIGIBILITY_LIST,
        fingerprint=fingerprint,
    )
    problems = evidence.clearance(warehouse, PERIOD, REGION, GATES).problems
    assert not any("list_drift" in p for p in problems)


def test_a_gate_log_of_an_older_platform_version_gains_the_evidence_columns():
    connection = duckdb.connect()
    connection.execute(
        "create table quality_gate_log (period varchar, region varchar, asset varchar, check_name varchar, "
        "blocking boolean, passed boolean, run_id varchar, evaluated_at timestamp, note varchar)"
    )
    gate_log.ensure_gate_log(connection)
    columns = [row[0] for row in connection.execute("describe quality_gate_log").fetchall()]
    assert columns[-2:] == ["dataset", "fingerprint"]
