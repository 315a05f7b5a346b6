"""File snapshots: determinism, new versions, immutability, verification, leftovers."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import stat
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.publication.schema import SchemaViolation
from orchestration.publication.snapshot import (
    MANIFEST_NAME,
    NoCurrentSnapshot,
    SnapshotIntegrityError,
    VersionAlreadyExists,
    _write_version_dir,
    current_version,
    list_versions,
    publish_snapshot,
    read_current,
    verify_snapshot,
)
from tests.publication.conftest import LANDING, PERIOD, REFERENCE_KEY, REGION, publish_args, service_list


def lists_a() -> dict[str, pa.Table]:
    return {
        "asp": service_list("asp", 5, with_beneficiary=False),
        "home_schooling": service_list("home_schooling", 3, amount=20_000.0),
    }


def lists_b() -> dict[str, pa.Table]:
    return {**lists_a(), "home_schooling": service_list("home_schooling", 4, amount=20_000.0)}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_file_hashes(snapshot_dir: Path) -> dict[str, str]:
    """The lists' files (the changes files depend on what was published before)."""
    return {p.name: sha256_of(p) for p in sorted(snapshot_dir.glob("*.parquet")) if ".changes-" not in p.name}


def test_manifest_records_counts_totals_checksums_and_inputs(tmp_path):
    result = publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args(run_id="run-7"))
    assert result.status == "published" and result.current_switched
    assert re.fullmatch(r"v1-[0-9a-f]{12}", result.version)
    assert result.path == tmp_path / PERIOD / REGION / result.version
    manifest = json.loads((result.path / MANIFEST_NAME).read_text())
    # Hand-worked: asp 10000+10001+...+10004, home schooling 20000+20001+20002.
    assert manifest["services"]["asp"]["rows"] == 5
    assert manifest["services"]["asp"]["amount_total_kzt"] == "50010.00"  # money as exact decimal text
    assert manifest["services"]["home_schooling"]["amount_total_kzt"] == "60003.00"
    assert manifest["services"]["home_schooling"]["families"] == 3
    assert manifest["totals"] == {"rows": 8, "amount_total_kzt": "110013.00"}
    assert result.total_rows == 8 and result.total_amount_kzt == 110_013.0
    for service, entry in manifest["services"].items():
        assert entry["file"] == f"{service}.parquet"
        assert entry["sha256"] == sha256_of(result.path / entry["file"])
        assert entry["bytes"] == (result.path / entry["file"]).stat().st_size
    assert manifest["landing_checksums"] == LANDING
    assert (manifest["run_id"], manifest["code_version"]) == ("run-7", "test")
    assert (manifest["methodology_version"], manifest["rule_version"]) == ("2026.1", "rules-2026.03")
    assert manifest["schema_version"] == "eligibility_list/2"
    assert manifest["reference_key_id"] == REFERENCE_KEY.key_id
    assert manifest["content_hash"].startswith(result.version.split("-")[1])
    assert (tmp_path / PERIOD / REGION / "CURRENT").read_text() == f"{result.version}\n"
    assert sorted(p.name for p in result.path.iterdir()) == [
        "asp.parquet",
        "home_schooling.parquet",
        "manifest.json",
    ]


def test_rerun_with_same_inputs_is_byte_identical_and_a_noop(tmp_path):
    first = publish_snapshot(tmp_path / "one", PERIOD, REGION, lists_a(), **publish_args(run_id="run-1"))
    # Another root, another run id, the rows in another order and handed in as pandas.
    shuffled = {
        service: table.take(list(reversed(range(table.num_rows)))).to_pandas()
        for service, table in lists_a().items()
    }
    second = publish_snapshot(tmp_path / "two", PERIOD, REGION, shuffled, **publish_args(run_id="run-2"))
    assert first.version == second.version
    assert data_file_hashes(first.path) == data_file_hashes(second.path)

    manifest_before = (first.path / MANIFEST_NAME).read_bytes()
    again = publish_snapshot(tmp_path / "one", PERIOD, REGION, lists_a(), **publish_args(run_id="run-3"))
    assert again.status == "already_published" and not again.current_switched
    assert again.version == first.version
    assert list_versions(tmp_path / "one", PERIOD, REGION) == [first.version]
    assert (first.path / MANIFEST_NAME).read_bytes() == manifest_before  # still names run-1


def test_different_inputs_make_a_new_version_beside_the_old(tmp_path):
    old = publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args())
    old_hashes = data_file_hashes(old.path)
    new = publish_snapshot(tmp_path, PERIOD, REGION, lists_b(), **publish_args(run_id="run-2"))
    assert new.status == "published" and new.version.startswith("v2-")
    assert list_versions(tmp_path, PERIOD, REGION) == [old.version, new.version]
    assert current_version(tmp_path, PERIOD, REGION) == new.version
    assert data_file_hashes(old.path) == old_hashes
    manifest, tables = read_current(tmp_path, PERIOD, REGION)
    assert manifest["version"] == new.version
    assert tables["home_schooling"].num_rows == 4

    # Same rows, other landing extracts: other inputs, so another version.
    other_landing = publish_snapshot(
        tmp_path, PERIOD, REGION, lists_b(), **publish_args(landing_checksums={"family_card": "c" * 64})
    )
    assert other_landing.version.startswith("v3-")
    assert data_file_hashes(other_landing.path) == data_file_hashes(new.path)

    # Back to the first inputs: the first version is reused and made current again.
    back = publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args(run_id="run-4"))
    assert (back.status, back.version, back.current_switched) == ("already_published", old.version, True)
    assert current_version(tmp_path, PERIOD, REGION) == old.version
    assert len(list_versions(tmp_path, PERIOD, REGION)) == 3


def test_published_files_are_read_only_and_never_rewritten(tmp_path):
    result = publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args())
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o555
    for path in result.path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
    if os.geteuid() != 0:  # root ignores permission bits
        with pytest.raises(PermissionError):
            (result.path / "asp.parquet").write_bytes(b"x")
        with pytest.raises(PermissionError):
            (result.path / "extra.parquet").write_bytes(b"x")
    before = data_file_hashes(result.path)
    with pytest.raises(VersionAlreadyExists):
        _write_version_dir(
            result.path.parent, result.version, {"asp.parquet": b"other"}, {"version": result.version}
        )
    assert data_file_hashes(result.path) == before


def tamper(path: Path, change) -> None:
    path.parent.chmod(0o755)
    path.chmod(0o644)
    change(path)


def test_reader_catches_a_tampered_file(tmp_path):
    result = publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args())
    read_current(tmp_path, PERIOD, REGION)  # intact: reads
    parquet = result.path / "asp.parquet"
    original = parquet.read_bytes()
    tamper(parquet, lambda p: p.write_bytes(original[:-9] + bytes([original[-9] ^ 1]) + original[-8:]))
    with pytest.raises(SnapshotIntegrityError, match="sha256 of asp.parquet does not match"):
        read_current(tmp_path, PERIOD, REGION)
    # Publishing the same content again refuses to vouch for the damaged version.
    with pytest.raises(SnapshotIntegrityError):
        publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args())

    parquet.write_bytes(original)
    read_current(tmp_path, PERIOD, REGION)
    parquet.unlink()
    with pytest.raises(SnapshotIntegrityError, match="asp.parquet is missing"):
        read_current(tmp_path, PERIOD, REGION)


def test_reader_catches_a_manifest_edited_to_match_a_changed_file(tmp_path):
    result = publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args())
    other = publish_snapshot(tmp_path / "other", PERIOD, REGION, lists_b(), **publish_args())
    manifest_path = result.path / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    # Swap in another list's file and its sha256: the content hash no longer matches the name.
    tamper(
        result.path / "home_schooling.parquet",
        lambda p: p.write_bytes((other.path / "home_schooling.parquet").read_bytes()),
    )
    manifest["services"]["home_schooling"]["sha256"] = sha256_of(other.path / "home_schooling.parquet")
    tamper(manifest_path, lambda p: p.write_text(json.dumps(manifest)))
    with pytest.raises(SnapshotIntegrityError, match="content hash"):
        read_current(tmp_path, PERIOD, REGION)


def test_leftovers_of_killed_runs_are_ignored_then_removed(tmp_path):
    region_dir = tmp_path / PERIOD / REGION
    stale = region_dir / ".tmp-v1-0123456789ab-4242"
    stale.mkdir(parents=True)
    (stale / "asp.parquet").write_bytes(b"half")
    stale.chmod(0o555)
    (region_dir / "CURRENT.tmp-4242").write_text("v9-0123456789ab\n")
    assert list_versions(tmp_path, PERIOD, REGION) == []
    with pytest.raises(NoCurrentSnapshot):
        read_current(tmp_path, PERIOD, REGION)

    result = publish_snapshot(tmp_path, PERIOD, REGION, lists_a(), **publish_args())
    assert result.version.startswith("v1-")
    assert sorted(p.name for p in region_dir.iterdir()) == [
        ".lock",
        "CURRENT",
        "publication_log.jsonl",
        result.version,
    ]


def test_an_empty_service_list_is_published_as_zero_rows(tmp_path):
    empty = service_list("rent_subsidy", 0)
    result = publish_snapshot(
        tmp_path, PERIOD, REGION, {**lists_a(), "rent_subsidy": empty}, **publish_args()
    )
    assert result.rows["rent_subsidy"] == 0 and result.amount_totals_kzt["rent_subsidy"] == 0.0
    _, tables = read_current(tmp_path, PERIOD, REGION)
    assert tables["rent_subsidy"].num_rows == 0


def test_schema_violations_in_several_services_are_reported_together_and_nothing_is_written(tmp_path):
    bad_asp = service_list("asp", 2).drop_columns(["level"])
    bad_home = service_list("home_schooling", 2, region="35")
    with pytest.raises(SchemaViolation) as caught:
        publish_snapshot(
            tmp_path, PERIOD, REGION, {"asp": bad_asp, "home_schooling": bad_home}, **publish_args()
        )
    assert len(caught.value.issues) == 2
    assert "service asp: missing columns level" in str(caught.value)
    assert "service home_schooling: column region: 2 rows differ" in str(caught.value)
    assert not (tmp_path / PERIOD).exists()


@pytest.mark.parametrize(
    ("period", "region", "services", "overrides", "message"),
    [
        ("2026-13", REGION, ["asp"], {}, "period"),
        (PERIOD, "75", ["asp"], {}, "region"),
        (PERIOD, REGION, ["pension"], {}, "tables_by_service"),
        (PERIOD, REGION, ["asp"], {"landing_checksums": {}}, "landing_checksums"),
        (PERIOD, REGION, ["asp"], {"landing_checksums": {"income": "ABC"}}, "landing_checksums"),
        (PERIOD, REGION, ["asp"], {"run_id": ""}, "run_id"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, period, region, services, overrides, message):
    lists = {service: service_list("asp", 1) for service in services}
    with pytest.raises(ValueError, match=message):
        publish_snapshot(tmp_path, period, region, lists, **publish_args(**overrides))


def _publish_in_child(root: str, amount: float) -> None:
    lists = {"asp": service_list("asp", 4, amount=amount, with_beneficiary=False)}
    publish_snapshot(root, PERIOD, REGION, lists, **publish_args())


def test_concurrent_publishers_take_turns(tmp_path):
    context = multiprocessing.get_context("fork")
    publishers = [
        context.Process(target=_publish_in_child, args=(str(tmp_path), 1_000.0 * i)) for i in range(1, 5)
    ]
    for process in publishers:
        process.start()
    for process in publishers:
        process.join(30)
    assert [process.exitcode for process in publishers] == [0, 0, 0, 0]
    versions = list_versions(tmp_path, PERIOD, REGION)
    assert [name.split("-")[0] for name in versions] == ["v1", "v2", "v3", "v4"]
    totals = sorted(
        Decimal(verify_snapshot(tmp_path / PERIOD / REGION / name)[0]["totals"]["amount_total_kzt"])
        for name in versions
    )
    assert totals == [
        Decimal("4006.00"),
        Decimal("8006.00"),
        Decimal("12006.00"),
        Decimal("16006.00"),
    ]  # 4 families: 4 x amount + 0+1+2+3
    assert current_version(tmp_path, PERIOD, REGION) in versions


def test_the_corrections_pin_is_part_of_a_version_and_an_older_manifest_without_it_still_verifies(tmp_path):
    from orchestration.publication.snapshot import verify_snapshot

    pin = {"through_seq": 2, "sha256": "a" * 64, "in_force": ["C-000001"]}
    with_pin = publish_snapshot(
        tmp_path / "pinned", PERIOD, REGION, lists_a(), **publish_args(corrections=pin)
    )
    without = publish_snapshot(tmp_path / "older", PERIOD, REGION, lists_a(), **publish_args())
    assert verify_snapshot(with_pin.path)[0]["corrections"] == pin
    # a version published before corrections were recorded has no such field, and verifies
    assert "corrections" not in verify_snapshot(without.path)[0]
    # the same lists with another pin are another version
    assert with_pin.version.split("-")[1] != without.version.split("-")[1]
