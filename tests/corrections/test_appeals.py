"""Appeals: filed for a family's month, linked to the corrections filed for it, decided once and
never by whoever filed them; an upheld appeal rests on an approved correction."""

from __future__ import annotations

import pytest

from orchestration.corrections.appeals import Appeal, appeals, decide_appeal, file_appeal, link_correction
from orchestration.corrections.store import CorrectionError, Evidence, decide, file_membership_change
from tests.dbt.landing_fixture import make_iin

SPOUSE = make_iin("810202", 32, 4)


@pytest.fixture
def root(tmp_path):
    return tmp_path / "corrections"


def a_correction(root, approved: bool) -> str:
    cid = file_membership_change(
        root, subject_iin=SPOUSE, family_id=13, change="leaves_family",
        evidence=Evidence("divorce_certificate", "AB-1", "2026-02-01"), requested_by="a.caseworker",
        effective_from="2026-02-01",
    )  # fmt: skip
    if approved:
        decide(root, cid, "approved", "a.supervisor")
    return cid


def an_appeal(root) -> str:
    return file_appeal(
        root, family_id=13, period="2026-10", disputed_level=3, grounds="divorced", by="a.caseworker"
    )


def test_an_appeal_links_its_correction_and_is_upheld_by_someone_else(root):
    aid = an_appeal(root)
    link_correction(root, aid, a_correction(root, approved=True), "a.caseworker")
    appeal = decide_appeal(root, aid, "upheld", "a.supervisor")
    assert (appeal.state, appeal.corrections, appeal.decided_by) == ("upheld", ["C-000001"], "a.supervisor")
    assert [event["event"] for event in appeal.history] == ["filed", "linked", "upheld"]


def test_whoever_filed_an_appeal_cannot_decide_it(root):
    aid = an_appeal(root)
    with pytest.raises(CorrectionError, match="cannot decide it"):
        decide_appeal(root, aid, "dismissed", "A.Caseworker ", "no grounds")


def test_an_appeal_is_upheld_only_on_an_approved_correction(root):
    aid = an_appeal(root)
    with pytest.raises(CorrectionError, match="needs an approved correction"):
        decide_appeal(root, aid, "upheld", "a.supervisor")
    link_correction(root, aid, a_correction(root, approved=False), "a.caseworker")
    with pytest.raises(CorrectionError, match="needs an approved correction"):
        decide_appeal(root, aid, "upheld", "a.supervisor")


def test_a_dismissal_needs_a_reason_and_a_decided_appeal_stays_decided(root):
    aid = an_appeal(root)
    with pytest.raises(CorrectionError, match="needs a reason"):
        decide_appeal(root, aid, "dismissed", "a.supervisor")
    decide_appeal(root, aid, "dismissed", "a.supervisor", "the registry was right")
    with pytest.raises(CorrectionError, match="already dismissed"):
        decide_appeal(root, aid, "upheld", "a.supervisor")
    assert appeals(root)[aid].state == "dismissed"


def test_an_appeal_of_no_family_or_of_no_level_is_refused(root):
    with pytest.raises(CorrectionError, match="family_id"):
        file_appeal(root, family_id=0, period="2026-10", disputed_level=3, grounds="x", by="a")
    with pytest.raises(CorrectionError, match="disputed_level"):
        file_appeal(root, family_id=1, period="2026-10", disputed_level=7, grounds="x", by="a")
    with pytest.raises(CorrectionError, match="no such correction"):
        link_correction(root, an_appeal(root), "C-000009", "a")


def test_an_appeal_links_no_membership_change_of_another_family(root):
    other = file_appeal(
        root, family_id=14, period="2026-10", disputed_level=3, grounds="x", by="a.caseworker"
    )
    with pytest.raises(CorrectionError, match="changes another family's card"):
        link_correction(root, other, a_correction(root, approved=True), "a.caseworker")


def test_days_to_decide_count_whole_days_from_filing():
    appeal = Appeal("A-000001", 1, "2026-10", 3, "g", "a", "2026-11-01T10:00:00+00:00")
    assert appeal.days_to_decide is None
    appeal.decided_at = "2026-11-04T09:00:00+00:00"
    assert appeal.days_to_decide == 2
