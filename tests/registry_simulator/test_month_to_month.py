"""Two consecutive clean months with the same seed differ only by a month of plausible change.

Assertions are on shares and counts only, and the rows kept in memory carry IIN digests instead of
IINs, so a failure report (which shows fixture values) never shows an IIN.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

import pyarrow.parquet as pq
import pytest

from registry_simulator import generate_month

SEPTEMBER, OCTOBER = "2026-09", "2026-10"
DAYS_IN_SEPTEMBER = 30  # reference dates 2026-09-01 and 2026-10-01


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """{month: {registry: row tuples}} for Shymkent and Karaganda at scale 0.001 (~2,400 people), seed 7."""
    root = tmp_path_factory.mktemp("month_to_month")
    rows = {}
    for month in (SEPTEMBER, OCTOBER):
        summary = generate_month(
            month,
            scale=0.001,
            regions="79,35",
            seed=7,
            out=root / "landing",
            truth_out=root / "truth",
            defect_rate_scale=0,
        )
        rows[month] = {path.stem: _rows(path) for path in summary.month_dir.glob("*.parquet")}
    return rows


def _rows(path) -> list[tuple]:
    """Rows of an extract without extract_as_of, IIN columns replaced by a digest."""
    table = pq.read_table(path).drop(["extract_as_of"])
    digest = lambda iin: hashlib.blake2b(iin.encode(), digest_size=6).hexdigest()  # noqa: E731
    columns = [
        [digest(v) for v in table.column(name).to_pylist()]
        if "iin" in name
        else table.column(name).to_pylist()
        for name in table.column_names
    ]
    return list(zip(*columns, strict=True))


def _identical_share(before: list[tuple], after: list[tuple]) -> float:
    """Share of last month's rows found unchanged (as whole rows, with multiplicity) this month."""
    kept = sum((Counter(before) & Counter(after)).values())
    return kept / len(before)


def _same_by_id(before: list[tuple], after: list[tuple]) -> tuple[float, float]:
    """(share of last month's ids still present, share of ids in both months with identical rows)."""
    old, new = {r[0]: r for r in before}, {r[0]: r for r in after}
    both = old.keys() & new.keys()
    return len(both) / len(old), sum(old[i] == new[i] for i in both) / len(both)


@pytest.mark.parametrize("registry", ["vehicles", "real_estate", "land_plots"])
def test_assets_keep_their_ids_owners_and_attributes(months, registry):
    before, after = months[SEPTEMBER][registry], months[OCTOBER][registry]
    assert len(before) >= 40  # enough rows for the shares to mean something
    present, identical = _same_by_id(before, after)
    assert present >= 0.95
    assert identical >= 0.95


@pytest.mark.parametrize("registry", ["disability", "health", "education", "livestock", "business_registry"])
def test_person_records_are_the_same_rows(months, registry):
    before, after = months[SEPTEMBER][registry], months[OCTOBER][registry]
    assert len(before) >= 15
    assert _identical_share(before, after) >= 0.90
    assert abs(len(after) - len(before)) <= 0.05 * len(before) + 2


def test_the_income_window_shifts_by_one_month(months):
    before, after = months[SEPTEMBER]["pension_contributions"], months[OCTOBER]["pension_contributions"]
    month_col = 1  # iin, month, employer_bin, contribution_kzt
    assert {r[month_col] for r in before} == {dt.date(2025, m, 1) for m in range(9, 13)} | {
        dt.date(2026, m, 1) for m in range(1, 9)
    }
    assert max(r[month_col] for r in after) == dt.date(2026, 9, 1)
    assert min(r[month_col] for r in after) == dt.date(2025, 10, 1)
    # The eleven shared months are (almost) the same rows: only people ageing into or out of work differ.
    overlap = lambda rows: [r for r in rows if dt.date(2025, 10, 1) <= r[month_col] <= dt.date(2026, 8, 1)]  # noqa: E731
    shared_before, shared_after = overlap(before), overlap(after)
    assert _identical_share(shared_before, shared_after) >= 0.97
    # ... while the income window as a whole is not the same rows (a month left, a month came).
    assert _identical_share(before, after) <= 1 - 1 / 24


def test_time_moves_arrears_grow_by_the_month(months):
    before, after = months[SEPTEMBER]["credit_bureau"], months[OCTOBER]["credit_bureau"]
    days_col = 4  # contract_id, iin, loan_type, outstanding_kzt, arrears_days, ...
    old, new = {r[0]: r for r in before}, {r[0]: r for r in after}
    present = old.keys() & new.keys()
    assert len(present) / len(old) >= 0.97  # about 1% of loans are repaid in a month
    late_both = [c for c in present if old[c][days_col] > 0 and new[c][days_col] > 0]
    assert len(late_both) >= 10
    grew_a_month = sum(new[c][days_col] - old[c][days_col] == DAYS_IN_SEPTEMBER for c in late_both)
    assert grew_a_month == len(late_both)  # still late: a month more late
    # Some change happens: new loans, cured or new arrears, over a month of ~1,300 people.
    assert (
        len(new.keys() - old.keys()) + sum((old[c][days_col] > 0) != (new[c][days_col] > 0) for c in present)
        >= 1
    )


def test_vehicles_owned_a_year_apart_are_mostly_the_same(tmp_path):
    """Across a year the fleet changes more (resales, new cars) but most vehicles keep their owner."""
    kwargs = dict(scale=0.001, regions="79", seed=7, out=tmp_path / "l", truth_out=tmp_path / "t")
    rows = {}
    for month in ("2026-02", "2027-01"):
        summary = generate_month(month, defect_rate_scale=0, **kwargs)
        rows[month] = _rows(summary.month_dir / "vehicles.parquet")
    old = {r[0]: r[1] for r in rows["2026-02"]}
    new = {r[0]: r[1] for r in rows["2027-01"]}
    both = old.keys() & new.keys()
    same_owner = sum(old[v] == new[v] for v in both) / len(both)
    assert 0.85 <= same_owner < 1.0  # 11 months at 0.4% resales a month: ~4% sold
    assert len(new) > len(old)  # new registrations
