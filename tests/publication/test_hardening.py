"""Hardening of the publication: modes whatever the umask, plain file names in manifests, strict
periods and regions at every entry point, the DSN kept out of the UI, GX errors without values."""

from __future__ import annotations

import json
import os
import stat

import pytest

from kz_domain.period import parse_period
from kz_domain.regions import parse_region, parse_regions
from orchestration.publication.snapshot import (
    MANIFEST_NAME,
    SnapshotIntegrityError,
    publish_snapshot,
    read_current,
    verify_snapshot,
)
from tests.publication.conftest import PERIOD, REGION, publish_args, service_list


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_published_files_are_readable_by_every_user_under_umask_077(tmp_path):
    previous = os.umask(0o077)
    try:
        result = publish_snapshot(tmp_path, PERIOD, REGION, {"asp": service_list("asp", 3)}, **publish_args())
    finally:
        os.umask(previous)
    region_dir = tmp_path / PERIOD / REGION
    assert mode(tmp_path / PERIOD) == 0o755
    assert mode(region_dir) == 0o755
    assert mode(region_dir / "CURRENT") == 0o644
    assert mode(result.path) == 0o555
    assert mode(result.path / "asp.parquet") == 0o444
    assert mode(result.path / MANIFEST_NAME) == 0o444


@pytest.mark.parametrize(
    "name", ["../x.parquet", "sub/asp.parquet", ".hidden.parquet", "asp.csv", "/etc/passwd"]
)
def test_a_reader_refuses_a_manifest_naming_a_file_outside_its_version_directory(tmp_path, name):
    result = publish_snapshot(tmp_path, PERIOD, REGION, {"asp": service_list("asp", 3)}, **publish_args())
    manifest_path = result.path / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest["services"]["asp"]["file"] = name
    result.path.chmod(0o755)
    manifest_path.chmod(0o644)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(SnapshotIntegrityError, match="not a plain '<service>.parquet' name"):
        verify_snapshot(result.path)
    with pytest.raises(SnapshotIntegrityError):
        read_current(tmp_path, PERIOD, REGION)


@pytest.mark.parametrize(
    "text", ["2026-03\n", " 2026-03", "2026-3", "2026-13", "2026-00", "202603", "", None, 202603]
)
def test_a_period_is_exactly_yyyy_mm(text):
    with pytest.raises(ValueError, match="exactly 'YYYY-MM'"):
        parse_period(text)


def test_a_good_period_and_region_are_returned_unchanged():
    assert parse_period("2026-03") == "2026-03"
    assert parse_region("79") == "79"
    assert parse_regions("79,35") == ["79", "35"]


@pytest.mark.parametrize("text", ["79\n", " 79", "7", "11", "", None, 79])
def test_a_region_is_exactly_a_pilot_prefix(text):
    with pytest.raises(ValueError, match="pilot KATO prefixes"):
        parse_region(text)


def test_readers_and_the_publisher_refuse_a_period_with_a_trailing_newline(tmp_path):
    with pytest.raises(ValueError):
        read_current(tmp_path, "2026-03\n", REGION)
    with pytest.raises(ValueError):
        publish_snapshot(tmp_path, "2026-03\n", REGION, {"asp": service_list("asp", 1)}, **publish_args())
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    "module, argv",
    [
        ("orchestration.reproduce", ["--period", "2026-03\n"]),
        ("orchestration.analytics.audit", ["--period", "2026-03\n"]),
        ("orchestration.analytics.whatif", ["--period", "2026-03\n"]),
        ("orchestration.reproduce", ["--period", "2026-03", "--region", "79\n"]),
    ],
)
def test_the_command_lines_refuse_a_period_or_region_that_is_not_exact(module, argv):
    import importlib

    main = importlib.import_module(module).main
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_the_postgres_dsn_reaches_dagster_as_an_environment_variable_not_a_value(monkeypatch):
    import dagster as dg

    from orchestration.resources import default_resources

    secret = "postgresql://payments:s3cret-pass@db.example:5432/lists"
    monkeypatch.setenv("PUBLISH_PG_DSN", secret)
    publication = default_resources()["publication"]
    assert publication.postgres_conninfo == dg.EnvVar("PUBLISH_PG_DSN")
    assert "s3cret" not in repr(publication)
    monkeypatch.delenv("PUBLISH_PG_DSN")
    assert default_resources()["publication"].postgres_conninfo == ""


def test_a_gx_exception_is_reduced_to_its_type_and_a_fixed_message():
    from orchestration.quality.gx_runner import _exception_kind

    info = {
        "raised_exception": True,
        "exception_message": "ValueError: could not convert 061211600012 to float",
        "exception_traceback": "Traceback...\nValueError: could not convert 061211600012 to float",
    }
    text = _exception_kind(info)
    assert "061211600012" not in text
    assert text == "the expectation raised ValueError; its message is withheld (it may quote row values)"
    assert "0612" not in _exception_kind({"exception_message": "061211600012 is bad: yes"})
