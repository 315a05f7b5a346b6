"""Landing verification on hand-built extracts: each real feed failure gives one finding that names
the registry, the column and the problem, and never a value."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kz_domain.landing_contract import REGISTRIES
from orchestration.landing.verify import gate_outcomes, verify_extract

IIN = "061211600012"  # the domain's worked example: a valid IIN


def disability_rows(rows: int = 2) -> pa.Table:
    schema = REGISTRIES["disability"]
    columns = {}
    for field in schema:
        if field.name == "iin":
            columns[field.name] = pa.array([IIN] * rows, field.type)
        else:
            columns[field.name] = pa.nulls(rows, field.type)
    return pa.table(columns, schema=schema)


def write(tmp_path, table: pa.Table):
    path = tmp_path / "disability.parquet"
    pq.write_table(table, path)
    return path


def test_a_file_that_matches_its_manifest_and_the_contract_has_no_finding(tmp_path):
    path = write(tmp_path, disability_rows(2))
    findings = verify_extract(path, "disability", 2)
    assert findings == []
    assert all(gate_outcomes(findings).values())


def test_a_file_cut_short_in_transfer_is_not_parquet(tmp_path):
    path = write(tmp_path, disability_rows(2))
    path.write_bytes(path.read_bytes()[:-20])
    (finding,) = verify_extract(path, "disability", 2)
    assert (finding.registry, finding.column, finding.kind) == ("disability", "", "not_parquet")
    assert gate_outcomes([finding])["landing_files_are_parquet"] is False


def test_a_row_count_that_differs_from_the_manifest_is_named(tmp_path):
    path = write(tmp_path, disability_rows(2))
    (finding,) = verify_extract(path, "disability", 3)
    assert str(finding) == "disability: row_count_mismatch (file has 2 rows, manifest 3)"


def test_an_empty_extract_is_a_finding(tmp_path):
    path = write(tmp_path, disability_rows(0))
    (finding,) = verify_extract(path, "disability", 0)
    assert finding.kind == "empty_extract"
    assert gate_outcomes([finding]) == {
        "landing_files_are_parquet": True,
        "landing_row_counts_match_manifest": True,
        "landing_schemas_match_contract": True,
        "landing_extracts_not_empty": False,
        "landing_text_is_utf8": True,
        "landing_extracts_fresh": True,
        "landing_volumes_within_tolerance": True,
    }


def test_a_renamed_column_is_one_missing_and_one_extra_column(tmp_path):
    table = disability_rows(2).rename_columns(
        ["disability_grp" if n == "disability_group" else n for n in disability_rows(2).column_names]
    )
    findings = verify_extract(write(tmp_path, table), "disability", 2)
    assert [(f.column, f.kind) for f in findings] == [
        ("disability_group", "missing_column"),
        ("disability_grp", "extra_column"),
    ]


def test_an_iin_column_that_arrived_as_a_number_is_named_without_its_values(tmp_path):
    table = disability_rows(2)
    table = table.set_column(table.schema.get_field_index("iin"), "iin", pa.array([int(IIN)] * 2, pa.int64()))
    (finding,) = verify_extract(write(tmp_path, table), "disability", 2)
    assert (finding.column, finding.kind) == ("iin", "iin_not_text")
    assert IIN not in str(finding) and str(int(IIN)) not in str(finding)


@pytest.mark.parametrize(
    "column, values",
    [("assigned_date", pa.array(["01.02.2026", "03.04.2026"])), ("disability_group", pa.array([1, 2]))],
)
def test_a_column_of_another_type_is_wrong_type(tmp_path, column, values):
    table = disability_rows(2)
    table = table.set_column(table.schema.get_field_index(column), column, values)
    (finding,) = verify_extract(write(tmp_path, table), "disability", 2)
    assert (finding.column, finding.kind) == (column, "wrong_type")


def test_an_extract_whose_as_of_date_did_not_move_is_stale():
    from orchestration.landing.verify import expected_as_of, freshness_finding

    assert expected_as_of("2026-10").isoformat() == "2026-09-30"
    assert expected_as_of("2026-01").isoformat() == "2025-12-31"
    assert freshness_finding("vehicles", "2026-09-30", "2026-10") is None
    assert str(freshness_finding("vehicles", "2026-08-31", "2026-10")) == (
        "vehicles.extract_as_of: stale_extract (as of 2026-08-31, expected 2026-09-30)"
    )
    assert freshness_finding("vehicles", None, "2026-10").detail == "as of no valid date, expected 2026-09-30"


def test_a_stale_extract_accepted_by_a_data_engineer_is_no_finding(tmp_path):
    from orchestration.landing.drop import DropStatus, ExtractStatus
    from orchestration.landing.verify import verify_drop

    write(tmp_path, disability_rows(2))
    drop = DropStatus(
        "2026-10", True, [ExtractStatus("disability", "delivered", rows=2, extract_as_of="2026-08-31")]
    )
    assert [f.kind for f in verify_drop(tmp_path, drop)] == ["stale_extract"]
    assert verify_drop(tmp_path, drop, accept_stale=frozenset({"disability"})) == []


def test_text_that_is_not_utf8_is_named_by_column_and_never_quoted(tmp_path):
    from orchestration.landing.verify import utf8_findings

    table = disability_rows(2)
    latin1 = pa.array([IIN.encode() + b"\xa0", IIN.encode()], pa.binary())
    text = pa.Array.from_buffers(pa.string(), 2, latin1.buffers(), 0)
    path = write(tmp_path, table.set_column(table.schema.get_field_index("iin"), "iin", text))
    (finding,) = utf8_findings(path, "disability")
    assert str(finding) == "disability.iin: not_utf8 (text that is not valid UTF-8 (another encoding?))"
    assert gate_outcomes([finding])["landing_text_is_utf8"] is False
    assert utf8_findings(write(tmp_path, disability_rows(2)), "disability") == []


def test_a_halved_extract_is_a_volume_change_and_normal_churn_is_not():
    from orchestration.landing.feeds import FeedExpectation
    from orchestration.landing.verify import volume_finding

    tolerance = FeedExpectation("monthly", 0, max_rows_change=0.10, min_rows_change=200)
    halved = volume_finding("pension_contributions", 5_000, 10_000, "2026-09", tolerance)
    assert str(halved) == (
        "pension_contributions: volume_change (5000 rows against 10000 in 2026-09 (-50.0%; "
        "tolerance 10% and 200 rows))"
    )
    assert volume_finding("pension_contributions", 10_900, 10_000, "2026-09", tolerance) is None
    assert volume_finding("vehicles", 300, 150, "2026-09", tolerance) is None  # under the floor
    assert volume_finding("vehicles", 20_000, None, "", tolerance) is None  # first delivery


def test_a_monthly_extract_whose_as_of_equals_the_previous_delivery_is_stale():
    from orchestration.landing.feeds import FeedExpectation
    from orchestration.landing.verify import freshness_finding

    monthly = FeedExpectation("monthly", max_as_of_lag_days=31, max_rows_change=0.1, min_rows_change=0)
    assert freshness_finding("land_plots", "2026-08-31", "2026-10", "2026-07-31", monthly) is None
    assert str(freshness_finding("land_plots", "2026-08-31", "2026-10", "2026-08-31", monthly)) == (
        "land_plots.extract_as_of: stale_extract (as of 2026-08-31, the same as the previous delivery)"
    )
    assert freshness_finding("land_plots", "2026-10-01", "2026-10", None, monthly).kind == "stale_extract"


def test_every_registry_of_the_contract_has_a_feed_expectation(tmp_path):
    from orchestration.landing.feeds import feeds

    assert set(feeds().registries) == set(REGISTRIES)
    assert feeds()["border_crossings"].max_rows_change > feeds()["vehicles"].max_rows_change
    bad = tmp_path / "feeds.yaml"
    bad.write_text(
        "version: x\ndefault: {cadence: monthly, max_as_of_lag_days: 0, max_rows_change: 0.1, "
        "min_rows_change: 1}\nregistries: {cars: {max_rows_change: 0.2}}\n"
    )
    with pytest.raises(ValueError, match="registries not in the landing contract: \\['cars'\\]"):
        feeds(bad)
