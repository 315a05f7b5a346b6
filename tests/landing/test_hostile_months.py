"""A hostile month for every feed failure the simulator can make, through the month's real job.

* A defect of the feed as a whole (schema, encoding, volume, freshness, a truncated or missing
  file, a population unrelated to the previous month's) stops the month with a line naming the
  registry and the problem; the other registries are still verified (the finding names only the
  broken one), and nothing of the month can be published.
* A defect confined to a few records (a family of implausible size, a person in several
  families, conflicting records under one key) quarantines those records with a reason code,
  rows in = kept + rejected for every registry, and the month is published without them.
No message carries an IIN.
"""

from __future__ import annotations

import os
import re

import dagster as dg
import duckdb
import pytest

from kz_domain.iin import is_valid_iin
from kz_domain.landing_contract import REGISTRIES
from orchestration.partitions import month_region_key
from orchestration.settings import PlatformPaths
from registry_simulator import generate_month

pytestmark = pytest.mark.slow

REGION = "79"
SCALE = 0.001
PREVIOUS, MONTH = "2026-03", "2026-04"
IIN_SHAPED = re.compile(r"(?<![0-9A-Za-z.\-])\d{12}(?![0-9A-Za-z\-])")

#: failure -> the line the month's refusal must hold (registry, column, problem).
STOPPED_AT_LANDING = {
    "empty_registry": "real_estate: empty_extract (0 rows)",
    "missing_registry": "credit_bureau: missing",
    "stale_registry": "vehicles.extract_as_of: stale_extract (as of 2026-02-28, expected 2026-03-31)",
    "truncated_file": "vehicles: not_parquet (no valid Parquet footer",
    "renamed_column": "vehicles.vehicle_id_v2: extra_column",
    "extra_column": "vehicles.source_release: extra_column (not in the landing contract)",
    "wrong_type": "real_estate.registration_date: wrong_type (type string, contract date32[day])",
    "locale_numbers": "pensions_benefits.amount_kzt: wrong_type (type string, contract double)",
    "iin_as_integer": "disability.iin: iin_not_text (type int64, contract string)",
    "non_utf8": "vehicles.iin: not_utf8 (text that is not valid UTF-8",
    "halved_volume": "pension_contributions: volume_change (",
}


def iin_hits(text: str) -> int:
    return sum(1 for match in IIN_SHAPED.findall(text) if is_valid_iin(match))


@pytest.fixture
def platform(tmp_path, monkeypatch):
    """A fresh data root with one normal month on landing; returns a function that lands the
    next month with the given failures and gives (paths, definitions, instance)."""
    monkeypatch.setenv("DATA_ROOT", str(tmp_path))
    for key in ("LANDING_ROOT", "TRUTH_ROOT", "WAREHOUSE_PATH", "PUBLISH_ROOT", "PUBLISH_PG_DSN"):
        monkeypatch.delenv(key, raising=False)
    paths = PlatformPaths.from_env()

    def land(month: str, failures: list[str]) -> None:
        generate_month(
            month,
            scale=SCALE,
            regions=REGION,
            out=paths.landing_root,
            truth_out=paths.truth_root,
            failures=failures,
        )

    land(PREVIOUS, [])

    def with_month(failures: list[str], month: str = MONTH):
        from orchestration.definitions import build_definitions

        land(month, failures)
        return paths, build_definitions(paths), dg.DagsterInstance.ephemeral(), land

    yield with_month
    for key in ("LANDING_ROOT", "TRUTH_ROOT", "WAREHOUSE_PATH", "PUBLISH_ROOT", "DBT_TARGET_PATH"):
        os.environ.pop(key, None)


def run(defs, instance, job: str, partition_key: str, run_config: dict | None = None):
    return defs.resolve_job_def(job).execute_in_process(
        instance=instance, partition_key=partition_key, raise_on_error=False, run_config=run_config or {}
    )


def refusal(result) -> str:
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures, "the run did not fail"
    return "\n".join(f.event_specific_data.error.to_string() for f in failures)


def publication_alone(defs, instance, period: str):
    from orchestration.publication.assets import published_eligibility_lists

    return dg.materialize(
        [published_eligibility_lists],
        instance=instance,
        resources={k: v for k, v in defs.resources.items() if k in ("warehouse", "publication")},
        partition_key=month_region_key(period, REGION),
        raise_on_error=False,
    )


@pytest.mark.parametrize("failure", sorted(STOPPED_AT_LANDING))
def test_a_defect_of_the_whole_feed_stops_the_month_at_landing_by_name(platform, failure):
    paths, defs, instance, _ = platform([failure])
    result = run(defs, instance, "monthly_scoring_job", MONTH)
    assert not result.success
    text = refusal(result)
    assert STOPPED_AT_LANDING[failure] in text
    # every other registry was verified too, and only the broken one is named
    registry = STOPPED_AT_LANDING[failure].split(":")[0].split(".")[0]
    named = set(re.findall(r"^- ([a-z_]+)[.:]", text, flags=re.MULTILINE))
    assert named <= {registry}
    assert not publication_alone(defs, instance, MONTH).success
    assert not (paths.publish_root / MONTH).exists()
    # Nothing the run wrote quotes an IIN: not the refusal, not any event (DuckDB's error on text
    # that is not UTF-8 quotes the value: it never reaches the log).
    where = [
        (record.step_key, record.dagster_event_type)
        for run in instance.get_runs()
        for record in instance.all_logs(run.run_id)
        if iin_hits(repr(record))
    ]
    assert not where, f"IIN-shaped values in the event log at {where}"


def test_a_few_bad_records_are_quarantined_and_the_month_is_published_without_them(platform):
    paths, defs, instance, _ = platform(
        ["implausible_family", "person_in_several_families", "conflicting_duplicates"]
    )
    monthly = run(defs, instance, "monthly_scoring_job", MONTH)
    assert monthly.success
    regional = run(defs, instance, "regional_publication_job", month_region_key(MONTH, REGION))
    assert regional.success
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:

        def one(sql: str):
            return connection.execute(sql, [MONTH]).fetchall()

        # The family card with 40 extra members: quarantined with its reason and size.
        assert one(
            "select reason_code, n_members > 30 from intermediate.int_families__rejected "
            "where period = ? and reason_code = 'IMPLAUSIBLE_SIZE'"
        ) == [("IMPLAUSIBLE_SIZE", True)]
        # The person linked to three more families stays in one; the three links are rejected.
        claimed = one(
            "select count(*) from intermediate.int_family_links__rejected "
            "where period = ? and reason_code = 'CLAIMED_BY_ANOTHER_FAMILY'"
        )[0][0]
        assert claimed >= 3
        # Five persons exported twice with different birth dates: both versions rejected.
        assert one(
            "select count(*) from staging.stg_population__rejected "
            "where period = ? and reason_code = 'CONFLICTING_RECORD'"
        ) == [(10,)]
        # Nothing lost: every registry's rows in = kept + rejected.
        assert one(
            "select count(*) from landing_reconciliation where period = ? and rows_in <> rows_kept + rows_rejected"
        ) == [(0,)]
        quarantined = one(
            "select family_id from intermediate.int_families__rejected where period = ? and reason_code = 'IMPLAUSIBLE_SIZE'"
        )[0][0]
        assert one(f"select count(*) from family_scores where period = ? and family_id = {quarantined}") == [
            (0,)
        ]
    scoring = next(
        e for e in monthly.get_asset_materialization_events() if e.asset_key == dg.AssetKey(["family_scores"])
    ).materialization
    assert scoring.metadata["quarantined_families"].value >= 1
    assert "IMPLAUSIBLE_SIZE" in scoring.metadata["quarantine"].value
    assert (paths.publish_root / MONTH / REGION / "CURRENT").exists()


def test_a_population_unrelated_to_the_previous_month_is_blocked_by_continuity(platform):
    paths, defs, instance, land = platform([], month=PREVIOUS)
    assert run(defs, instance, "monthly_scoring_job", PREVIOUS).success
    land(MONTH, ["unrelated_population"])
    # Another population is also another size: at this scale the landing's volume gate may see it
    # first. Accepted there, the month still cannot pass the continuity gate.
    accepted = {
        "ops": {
            "landing_extracts": {
                "config": {"accept_volume": list(REGISTRIES), "approved_by": "a.engineer", "reason": "test"}
            }
        }
    }
    result = run(defs, instance, "monthly_scoring_job", MONTH, accepted)
    assert not result.success
    (continuity,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "month_continuity"]
    assert not continuity.passed
    table = continuity.metadata["continuity"].value
    assert "persons_carried_over" in table and iin_hits(table) == 0
    assert not publication_alone(defs, instance, MONTH).success
    assert not (paths.publish_root / MONTH).exists()
