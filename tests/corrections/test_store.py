"""The corrections log: what is accepted, what is refused (with a message that quotes no value),
and the history that is kept."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from orchestration.corrections.store import (
    CorrectionError,
    Evidence,
    corrections,
    decide,
    file_membership_change,
    file_registry_correction,
    read_events,
)
from tests.dbt.landing_fixture import make_iin

OWNER = make_iin("850101", 1)
OTHER = make_iin("900202", 7)
SALE = Evidence("sale_contract", "notary 12/345", "2026-03-10")


def file_sold_car(root, **changes):
    arguments = dict(
        subject_iin=OWNER,
        registry="vehicles",
        column="iin",
        record_key="VIN0001",
        registry_value=OWNER,
        corrected_value=None,
        evidence=SALE,
        requested_by="a.caseworker",
        effective_from="2026-03-10",
        known_iins=frozenset({OWNER, OTHER}),
    )
    return file_registry_correction(root, **(arguments | changes))


def test_a_filed_correction_is_approved_by_someone_else_and_its_history_kept(tmp_path):
    cid = file_sold_car(tmp_path)
    correction = decide(tmp_path, cid, "approved", "a.supervisor")
    assert (cid, correction.state, correction.decided_by) == ("C-000001", "approved", "a.supervisor")
    assert [h["event"] for h in correction.history] == ["filed", "approved"]
    assert correction.in_force_on(dt.date(2026, 4, 1)) and not correction.in_force_on(dt.date(2026, 3, 1))
    # append-only: the filing line is still there, unchanged, before the decision
    events = read_events(tmp_path)
    assert [e["event"] for e in events] == ["filed", "approved"]
    assert events[0]["registry_value"] == OWNER and events[0]["corrected_value"] is None


def test_the_requester_cannot_approve_their_own_correction(tmp_path):
    cid = file_sold_car(tmp_path)
    with pytest.raises(CorrectionError, match="the requester cannot decide their own correction"):
        decide(tmp_path, cid, "approved", "a.caseworker")
    assert corrections(tmp_path)[cid].state == "filed"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject_iin": make_iin("770707", 3)}, "subject_iin: no such person in the population extract"),
        ({"subject_iin": OWNER[:-1] + str((int(OWNER[-1]) + 1) % 10)}, "subject_iin: not a valid IIN"),
        ({"column": "colour"}, "column: vehicles has no correctable column of that name"),
        ({"registry": "cars"}, "registry: not a registry of the landing contract"),
        (
            {
                "registry": "disability",
                "column": "disability_group",
                "registry_value": "III",
                "corrected_value": "II",
            },
            "record_key: disability has no record key",
        ),
        (
            {"column": "registration_date", "registry_value": "2020-01-01", "corrected_value": "March"},
            "corrected_value: not a value of type date32",
        ),
        (
            {"column": "is_commercial", "registry_value": True, "corrected_value": "maybe"},
            "corrected_value: not a value of type bool",
        ),
        (
            {"effective_from": "2026-03-10", "valid_until": "2026-01-01"},
            "valid_until: must come after effective_from",
        ),
        ({"corrected_value": OWNER}, "corrected_value: equal to the registry's value"),
        (
            {
                "registry": "family_links",
                "column": "role",
                "record_key": None,
                "registry_value": "spouse",
                "corrected_value": "other",
            },
            "registry: who belongs to a family is corrected by a membership change",
        ),  # fmt: skip
        (
            {
                "registry": "livestock",
                "column": "head_count",
                "record_key": None,
                "registry_value": 3,
                "corrected_value": "inf",
            },
            "corrected_value: not a value of type int32",
        ),
    ],
)
def test_bad_input_is_refused_by_field_without_quoting_a_value(tmp_path, changes, message):
    with pytest.raises(CorrectionError) as refused:
        file_sold_car(tmp_path, **changes)
    assert message in str(refused.value)
    assert OWNER not in str(refused.value) and "March" not in str(refused.value)
    assert read_events(tmp_path) == []


def test_a_decided_correction_is_not_decided_again_and_a_rejection_needs_a_reason(tmp_path):
    cid = file_sold_car(tmp_path)
    with pytest.raises(CorrectionError, match="a rejection needs a reason"):
        decide(tmp_path, cid, "rejected", "a.supervisor")
    decide(tmp_path, cid, "rejected", "a.supervisor", "the contract is not notarised")
    with pytest.raises(CorrectionError, match="already rejected"):
        decide(tmp_path, cid, "approved", "another.supervisor")


def test_an_approved_correction_can_be_withdrawn_and_is_then_no_longer_in_force(tmp_path):
    cid = file_sold_car(tmp_path)
    decide(tmp_path, cid, "approved", "a.supervisor")
    with pytest.raises(CorrectionError, match="a withdrawal needs a reason"):
        decide(tmp_path, cid, "withdrawn", "a.caseworker")
    withdrawn = decide(tmp_path, cid, "withdrawn", "a.caseworker", "the sale was annulled")
    assert withdrawn.state == "withdrawn" and not withdrawn.in_force_on(dt.date(2026, 4, 1))


def test_a_family_split_is_a_membership_change_of_the_person_who_leaves(tmp_path):
    cid = file_membership_change(
        tmp_path,
        subject_iin=OTHER,
        family_id=790000000001,
        change="leaves_family",
        evidence=Evidence("divorce_certificate", "AB-1234", "2026-02-01"),
        requested_by="a.caseworker",
        effective_from="2026-02-01",
        known_iins=frozenset({OWNER, OTHER}),
    )
    (line,) = read_events(tmp_path)
    assert (cid, line["kind"], line["change"], line["family_id"]) == (
        "C-000001",
        "membership",
        "leaves_family",
        790000000001,
    )
    assert json.loads(json.dumps(line)) == line  # one JSON object per line, nothing else


def test_the_command_line_files_approves_and_lists_with_masked_iins(tmp_path, monkeypatch, capsys):
    from orchestration.corrections.cli import main
    from tests.dbt.landing_fixture import write_landing_month

    monkeypatch.setenv("DATA_ROOT", str(tmp_path))
    for key in ("LANDING_ROOT", "CORRECTIONS_ROOT"):
        monkeypatch.delenv(key, raising=False)
    population = [
        dict(iin=OWNER, birth_date=dt.date(1985, 1, 1), sex="M", address_kato="791110000", settlement_type=1)
    ]
    write_landing_month(tmp_path / "landing", "2026-11", {"population": population}, dt.date(2026, 10, 31))
    filed = [
        "file", "--period", "2026-11", "--subject-iin", OWNER, "--registry", "vehicles", "--column", "iin",
        "--record-key", "VIN0001", "--registry-value", OWNER, "--corrected-value", "",
        "--evidence-type", "sale_contract", "--evidence-ref", "notary 12/345", "--evidence-date", "2026-03-10",
        "--effective-from", "2026-03-10", "--by", "a.caseworker",
    ]  # fmt: skip
    assert main(filed) == 0
    assert main(["approve", "C-000001", "--by", "a.caseworker"]) == 2
    assert main(["approve", "C-000001", "--by", "a.supervisor"]) == 0
    assert main(["list"]) == 0
    assert main(["show", "C-000001"]) == 0
    assert main([*filed[:4], OTHER, *filed[5:]]) == 2  # nobody of that IIN in the population
    out, err = capsys.readouterr()
    assert "C-000001  approved" in out and OWNER[-4:] in out
    assert "the requester cannot decide their own correction" in err
    assert OWNER not in out + err and OTHER not in out + err


def test_the_log_is_private_and_survives_an_append_cut_short(tmp_path):
    import os
    import stat

    first = file_sold_car(tmp_path)
    path = tmp_path / "corrections.jsonl"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with path.open("ab") as log:
        log.write(b'{"event": "approved", "correction_id": "C-0000')  # a crash mid-append
    assert [e["event"] for e in read_events(tmp_path)] == ["filed"]
    decide(tmp_path, first, "approved", "a.supervisor")
    assert [e["event"] for e in read_events(tmp_path)] == ["filed", "approved"]


def test_the_requester_is_recognised_whatever_the_case(tmp_path):
    cid = file_sold_car(tmp_path)
    with pytest.raises(CorrectionError, match="the requester cannot decide"):
        decide(tmp_path, cid, "approved", "A.Caseworker ")
