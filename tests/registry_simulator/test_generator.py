"""End-to-end behaviour of a tiny generated month: layout, manifest, schemas, semantics, determinism."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import duckdb
import pyarrow.parquet as pq
import pytest

from kz_domain.iin import valid_mask
from kz_domain.landing_contract import REGISTRIES, REGISTRY_NAMES
from registry_simulator import DefectRates, generate_month
from registry_simulator.cli import main
from registry_simulator.geography import REGIONS, all_kato_codes
from registry_simulator.iin import strings_to_digits

from .conftest import MONTH, NO_DEFECTS, run


def _files(summary):
    return {name: summary.month_dir / f"{name}.parquet" for name in REGISTRY_NAMES}


def _sql(summary, query: str):
    con = duckdb.connect()
    for name, path in _files(summary).items():
        if path.exists():
            con.execute(f"create view {name} as select * from read_parquet('{path}')")
    con.execute(f"create view truth as select * from read_parquet('{summary.truth_path}')")
    return con.execute(query).fetchall()


def test_population_figures_match_the_statistics():
    assert sum(r.population for r in REGIONS) == 20_495_975
    by_prefix = {r.prefix: r.population for r in REGIONS}
    assert by_prefix[79] == 1_293_648 and by_prefix[35] == 1_131_287
    urban = sum(r.population * r.urban_share for r in REGIONS)
    assert 12.8e6 < urban < 13.3e6


def test_every_registry_is_written_with_the_contract_schema(clean_month):
    for name, path in _files(clean_month).items():
        schema = pq.read_schema(path)
        assert schema.equals(REGISTRIES[name], check_metadata=False), name
        assert [f.metadata for f in schema] == [f.metadata for f in REGISTRIES[name]], name


def test_manifest_matches_the_files(clean_month):
    manifest = json.loads(clean_month.manifest_path.read_text())
    assert manifest["period"] == MONTH and manifest["reference_date"] == "2026-10-01"
    assert manifest["extract_as_of"] == "2026-09-30" and manifest["complete"] is True
    assert manifest["income_window"] == {"first_month": "2025-10-01", "last_month": "2026-09-01"}
    assert [r["name"] for r in manifest["registries"]] == list(REGISTRY_NAMES)
    for entry in manifest["registries"]:
        path = clean_month.month_dir / entry["file"]
        assert entry["status"] == "delivered"
        assert entry["rows"] == pq.ParquetFile(path).metadata.num_rows
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["bytes"] == path.stat().st_size
    assert manifest["defects"] == []
    assert not list(clean_month.month_dir.glob(".*"))  # no temp files left behind
    # The manifest is the last file written.
    assert clean_month.manifest_path.stat().st_mtime_ns >= max(
        p.stat().st_mtime_ns for p in _files(clean_month).values()
    )


def test_truth_is_written_outside_the_landing_area(clean_month, tmp_path):
    landing = clean_month.month_dir.parent
    assert not clean_month.truth_path.resolve().is_relative_to(landing.resolve())
    assert not list(landing.rglob("*truth*"))
    with pytest.raises(ValueError, match="truth_out"):
        generate_month(
            MONTH,
            scale=0.0003,
            regions="79",
            out=tmp_path / "landing",
            truth_out=tmp_path / "landing" / "truth",
            defects=NO_DEFECTS,
        )


def test_clean_month_is_clean(clean_month):
    for name, path in _files(clean_month).items():
        table = pq.read_table(path)
        for column in ("iin", "payer_iin"):
            if column in table.column_names:
                values = table.column(column)
                assert values.null_count == 0, (name, column)
                assert valid_mask(strings_to_digits(values.combine_chunks())).all(), (name, column)
    ((n_people, n_unique),) = _sql(clean_month, "select count(*), count(distinct iin) from population")
    assert n_people == n_unique
    known = {code for code, _, _ in all_kato_codes()}
    katos = {k for (k,) in _sql(clean_month, "select distinct address_kato from population")}
    assert katos <= known
    # Every family has exactly one head, every link is a living person, nobody is in two families.
    assert _sql(
        clean_month,
        """
        select count(*) from families f where (select count(*) from family_links l
            where l.family_id = f.family_id and l.role = 'head') <> 1""",
    ) == [(0,)]
    assert _sql(
        clean_month,
        """select count(*) from family_links l left join population p using (iin)
        where p.iin is null or p.death_date is not null""",
    ) == [(0,)]
    assert _sql(clean_month, "select count(*) - count(distinct iin) from family_links") == [(0,)]
    assert (
        _sql(clean_month, "select count(*), count(distinct family_id) from families")[0][0]
        == clean_month.families
    )


def test_family_lives_at_one_dwelling_and_tenure_shows_in_the_registries(clean_month):
    # Members share the head's dwelling.
    assert _sql(
        clean_month,
        """
        select count(*) from family_links l join population p using (iin)
        join (select l2.family_id, p2.dwelling_id from family_links l2 join population p2 using (iin)
              where l2.role = 'head') h using (family_id)
        where p.dwelling_id <> h.dwelling_id""",
    ) == [(0,)]
    # Owners' dwelling is in the cadastre; private and state renters have a contract on their dwelling.
    rows = _sql(
        clean_month,
        """
        select t.tenure,
               count(*) filter (where exists (select 1 from real_estate r where r.object_id = h.dwelling_id)),
               count(*) filter (where exists (select 1 from rent_contracts c
                                              where c.dwelling_id = h.dwelling_id and c.iin = h.iin)),
               count(*)
        from truth t join (select l.family_id, p.dwelling_id, p.iin from family_links l join population p using (iin)
                           where l.role = 'head') h using (family_id)
        group by 1 order by 1""",
    )
    by_tenure = {tenure: (in_cadastre, rented, total) for tenure, in_cadastre, rented, total in rows}
    assert by_tenure["own"][0] == by_tenure["own"][2] and by_tenure["own"][1] == 0
    for tenure in ("rent_private", "rent_state"):
        if tenure in by_tenure:
            assert by_tenure[tenure][0] == 0 and by_tenure[tenure][1] == by_tenure[tenure][2]


def test_income_window_and_extract_dates(clean_month):
    months = [m for (m,) in _sql(clean_month, "select distinct month from pension_contributions order by 1")]
    assert len(months) == 12 and months[0] == dt.date(2025, 10, 1) and months[-1] == dt.date(2026, 9, 1)
    assert _sql(
        clean_month, "select max(n) <= 12 from (select count(*) n from pension_contributions group by iin)"
    ) == [(True,)]
    assert _sql(clean_month, "select distinct billing_month from housing_costs") == [(dt.date(2026, 9, 1),)]
    # Half-year declarations overlap the window and were filed before the reference date.
    periods = _sql(
        clean_month, "select distinct period_start, period_end from entrepreneur_income order by 1"
    )
    assert periods == [
        (dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ]
    for name in REGISTRY_NAMES:
        assert _sql(clean_month, f"select distinct extract_as_of from {name}") in (
            [(dt.date(2026, 9, 30),)],
            [],
        )


def test_contribution_is_ten_percent_of_a_plausible_wage(clean_month):
    ((low, median),) = _sql(
        clean_month, "select min(contribution_kzt), median(contribution_kzt) from pension_contributions"
    )
    assert low >= 0.10 * 85_000 * 0.7  # minimum wage, with month-to-month noise
    assert 15_000 < median < 60_000


def test_truth_per_capita_ratio_uses_the_2026_subsistence_minimum(clean_month):
    rows = _sql(
        clean_month,
        """select true_income_kzt, n_members, true_per_capita_income_kzt, true_pci_ratio
                                 from truth limit 50""",
    )
    for income, members, pci, ratio in rows:
        assert pci == pytest.approx(income / members, abs=0.02)
        assert ratio == pytest.approx(pci / 50_851, rel=1e-5)  # ПМ 2026 from the money seed
    ((families,),) = _sql(clean_month, "select count(*) from truth")
    assert families == clean_month.families


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, clean_month):
    again = run(tmp_path / "again")
    first = {n: r.sha256 for n, r in clean_month.registries.items()}
    assert {n: r.sha256 for n, r in again.registries.items()} == first
    assert again.truth_path.read_bytes() == clean_month.truth_path.read_bytes()
    # The defect_rate_scale shortcut of the API gives the same clean month.
    scaled_off = generate_month(
        MONTH,
        scale=0.0005,
        regions="79",
        seed=7,
        out=tmp_path / "off" / "landing",
        truth_out=tmp_path / "off" / "truth",
        defect_rate_scale=0,
    )
    assert {n: r.sha256 for n, r in scaled_off.registries.items()} == first
    other = run(tmp_path / "other", seed=8)
    assert other.registries["population"].sha256 != first["population"]


def test_a_region_does_not_depend_on_the_other_regions_selected(tmp_path, clean_month):
    both = run(tmp_path / "both", regions="35,79")
    assert both.manifest["regions"] == [35, 79]
    query = "select * from families where family_id // 10000000000 = 79 order by family_id"
    assert _sql(both, query) == _sql(clean_month, query)


def test_late_and_stale_extracts(tmp_path):
    first = run(tmp_path)
    assert (first.month_dir / "credit_bureau.parquet").exists()
    summary = run(tmp_path, late=("credit_bureau",), stale=("pension_contributions", "housing_costs"))
    manifest = json.loads(summary.manifest_path.read_text())
    entries = {r["name"]: r for r in manifest["registries"]}
    assert entries["credit_bureau"] == {
        "name": "credit_bureau",
        "status": "late",
        "file": None,
        "rows": None,
        "extract_as_of": None,
        "sha256": None,
        "bytes": None,
    }
    assert not (summary.month_dir / "credit_bureau.parquet").exists()  # the previous run's file is gone
    assert manifest["complete"] is False
    assert entries["pension_contributions"]["extract_as_of"] == "2026-08-31"
    assert _sql(summary, "select distinct extract_as_of from pension_contributions") == [
        (dt.date(2026, 8, 31),)
    ]
    assert _sql(summary, "select max(month) from pension_contributions") == [(dt.date(2026, 8, 1),)]
    assert _sql(summary, "select distinct billing_month from housing_costs") == [(dt.date(2026, 8, 1),)]
    assert entries["population"]["extract_as_of"] == "2026-09-30"
    with pytest.raises(ValueError, match="unknown registry"):
        run(tmp_path, late=("nope",))


def test_cli_generates_a_month(tmp_path, capsys):
    code = main(
        [
            "generate",
            "--month",
            MONTH,
            "--scale",
            "0.0003",
            "--regions",
            "79",
            "--seed",
            "3",
            "--out",
            str(tmp_path / "l"),
            "--truth-out",
            str(tmp_path / "t"),
            "--defect-rate-scale",
            "0",
            "--invalid-iin-rate",
            "0.01",
            "--late",
            "health",
            "--no-progress",
        ]
    )
    assert code == 0
    manifest = json.loads((tmp_path / "l" / MONTH / "manifest.json").read_text())
    assert manifest["defect_rates"]["invalid_iin"] == 0.01 and manifest["defect_rates"]["duplicate_row"] == 0
    assert {r["name"]: r["status"] for r in manifest["registries"]}["health"] == "late"
    assert main(["generate", "--month", MONTH, "--regions", "99", "--no-progress"]) == 2
    assert "unknown region" in capsys.readouterr().err


def test_defect_rates_scale_and_override():
    rates = DefectRates().scaled(2).with_overrides({"unknown_kato": 0.5})
    assert rates.invalid_iin == pytest.approx(0.002) and rates.unknown_kato == 0.5
    assert not DefectRates().scaled(0).any
    with pytest.raises(ValueError, match="unknown defect"):
        DefectRates().with_overrides({"typo": 1.0})


def test_settlement_types_are_1_for_shymkent_and_mixed_for_karaganda(tmp_path):
    summary = run(tmp_path, regions="35", scale=0.002)
    types = dict(_sql(summary, "select settlement_type, count(*) from population group by 1"))
    assert set(types) <= {2, 3, 4, 5} and types.get(2, 0) > types.get(5, 0)
    assert set(dict(_sql(summary, "select distinct left(address_kato, 2), 1 from population"))) == {"35"}


def test_the_same_people_come_back_next_month(tmp_path, clean_month):
    """Same seed, next month: the same IINs and families (ages advance), so months can be compared."""
    nxt = generate_month(
        "2026-11",
        scale=0.0005,
        regions="79",
        seed=7,
        out=tmp_path / "l",
        truth_out=tmp_path / "t",
        defect_rate_scale=0,
    )
    query = """select l.family_id, l.iin, l.role, p.birth_date from family_links l join population p using (iin)
               order by l.family_id, l.iin"""
    # Compared through a digest: an assertion message must never show IINs.
    digest = lambda rows: hashlib.sha256(repr(rows).encode()).hexdigest()  # noqa: E731
    assert digest(_sql(nxt, query)) == digest(_sql(clean_month, query))
    assert _sql(nxt, "select max(month) from pension_contributions") == [(dt.date(2026, 10, 1),)]
    assert _sql(nxt, "select count(*) from families where registration_date >= date '2026-11-01'") == [(0,)]
