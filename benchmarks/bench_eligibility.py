"""Benchmark of the eligibility models at pilot scale: one month x region partition run.

Builds a throw-away warehouse with synthetic inputs of the pilot regions (default 740,000
families, about 2.4 M members, as Shymkent + Karaganda region; two periods, so the models must
pick one), then times `dbt build` of the eligibility selection for 2026-03 / 79 as Dagster runs it
(a subprocess, parse included), and prints the list's rows per service and dbt's own timings.

    python -m benchmarks.bench_eligibility                  # pilot scale
    python -m benchmarks.bench_eligibility --families 50000 # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
PROJECT_DIR = ROOT / "dbt_project"
SELECTION = "path:models/eligibility path:seeds/service_rules money_by_year regional_subsistence_minimum"
PERIODS = ("2026-02", "2026-03")


def _dbt(args: list[str], work: Path, warehouse: Path) -> float:
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "DUCKDB_TEMP_DIR": str(work / "duckdb_tmp")}
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args, "--quiet", "--project-dir", str(PROJECT_DIR),
         "--profiles-dir", str(PROJECT_DIR), "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        env=env, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def _schemas(work: Path) -> dict[str, str]:
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    found = {n["name"]: n["schema"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    found |= {s["name"]: s["schema"] for s in manifest["sources"].values()}
    return {name: found[name] for name in ("family_features", "family_members", "family_scores")}


def _fill(warehouse: Path, schemas: dict[str, str], families: int) -> None:
    """Synthetic inputs: pseudo-random but deterministic (hash of the family id)."""
    u = "((hash(family_id * 31 + {k}) % 1000000) / 1000000.0)"  # uniform [0, 1) per family and k
    with duckdb.connect(str(warehouse)) as con:
        for schema in set(schemas.values()):
            con.execute(f"create schema if not exists {schema}")
        con.execute(f"""
            create table {schemas["family_features"]}.family_features as
            with base as (
                select range::bigint as family_id, p.period, 1 + cast(floor({u.format(k=1)} * 5) as integer) as n_members
                from range({families}) cross join (select unnest({list(PERIODS)}) as period) p
            )
            select family_id, period,
                case when {u.format(k=2)} < 0.53 then '79' else '35' end as region_kato,
                case when {u.format(k=2)} < 0.53 then '791110000' else '351010000' end as kato,
                1 as settlement_type, n_members,
                greatest(n_members - 2, 1) as n_adults, n_members - greatest(n_members - 2, 1) as n_children,
                cast({u.format(k=3)} < 0.2 as integer) as n_children_1_6,
                1 as n_able_bodied, cast({u.format(k=4)} < 0.6 as integer) as n_working,
                cast({u.format(k=5)} < 0.03 as integer) as n_disabled_adults_g12, 0 as n_disabled_adults_g3,
                cast({u.format(k=6)} < 0.01 as integer) as n_disabled_children, 0 as n_chronic,
                0 as n_school_age_not_enrolled, false as has_adult_tertiary_or_vocational,
                round({u.format(k=7)} * 400000 * n_members / 3, 2) as income_wages,
                0.0::double as income_entrepreneur, round({u.format(k=8)} * 40000, 2) as income_pensions_benefits,
                {u.format(k=9)} < 0.4 as has_loans, {u.format(k=9)} < 0.25 as has_non_mortgage_loan,
                0 as n_adults_arrears_90,
                case when {u.format(k=10)} < 0.6 then 1 when {u.format(k=10)} < 0.7 then 2 else 0 end as n_dwellings,
                60.0::double as living_area_m2, 0 as n_commercial_property,
                {u.format(k=10)} >= 0.85 as rents_private,
                case when {u.format(k=10)} >= 0.7 then round(40000 + {u.format(k=11)} * 100000) else 0 end
                    as monthly_rent,
                {u.format(k=10)} >= 0.7 and {u.format(k=10)} < 0.85 as rents_state_housing,
                round(5000 + {u.format(k=12)} * 30000) as housing_costs,
                0 as n_cars, 0 as n_commercial_vehicles, 0 as n_agri_machinery_types, 0.0::double as livestock_value,
                false as has_land_plot, false as has_sole_trader, false as has_company_founder,
                0 as n_informal_signal_adults
            from base""")  # noqa: S608 - trusted, generated SQL
        con.execute(f"""
            create table {schemas["family_members"]}.family_members as
            select f.period, f.family_id,
                lpad(cast(f.family_id * 5 + m.i as varchar), 12, '0') as iin,
                case when m.i = 0 then 'head' else 'member' end as role, m.i = 0 as is_head, 'F' as sex,
                date '1990-01-01' as birth_date, case when m.i < f.n_adults then 40 else 5 + m.i * 3 end as age,
                m.i < f.n_adults as is_adult, m.i >= f.n_adults as is_child, true as is_able_bodied,
                false as is_working,
                case when m.i >= f.n_adults and f.n_disabled_children > 0 then 'CHILD' end as disability_group,
                m.i >= f.n_adults and f.n_disabled_children > 0 as is_home_schooled,
                m.i >= f.n_adults as is_enrolled,
                case when m.i >= f.n_adults then 'school' end as institution_type,
                case when m.i >= f.n_adults then
                    case when f.n_disabled_children > 0 then 'home_schooling' else 'full_time' end end as study_form,
                false as is_full_time_student, f.rents_private,
                case when f.rents_private then f.monthly_rent else 0 end as rent_monthly_private,
                (hash(f.family_id * 31 + 13) % 100) < 20 as is_on_housing_waiting_list,
                case when (hash(f.family_id * 31 + 13) % 100) < 20 then 'large_family' end
                    as housing_waiting_list_category
            from {schemas["family_features"]}.family_features f, unnest(range(f.n_members)) as m(i)""")  # noqa: S608
        con.execute(f"""
            create table {schemas["family_scores"]}.family_scores as
            select family_id, period, 'KZ-2026.1' as methodology_version, 0 as score, 0 as score_m, 0 as score_n,
                0 as score_d, 0 as score_s, 0.0::double as hidden_income, 0.0::double as hidden_income_share, 0.0::double as pci_ratio,
                cast(1 + hash(family_id * 31 + 14) % 6 as tinyint) as level, 'C' as legacy_letter,
                'none' as gate, 'M7_NO_HOUSING' as reason_1, null::varchar as reason_2,
                null::varchar as reason_3, region_kato
            from {schemas["family_features"]}.family_features""")  # noqa: S608


def main(argv: list[str] | None = None) -> None:
    """Time one partition run of the eligibility models on synthetic pilot-scale inputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=740_000, help="families per period (both regions)")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    (ROOT / "data").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "data", prefix="bench_eligibility_") as tmp:
        work = Path(tmp)
        warehouse = work / "warehouse.duckdb"
        parse_s = _dbt(["parse"], work, warehouse)
        started = time.perf_counter()
        schemas = _schemas(work)
        _fill(warehouse, schemas, args.families)
        fill_s = time.perf_counter() - started
        variables = json.dumps({"period": PERIODS[-1], "region": "79"})
        build_s = _dbt(["build", "--select", SELECTION, "--vars", variables], work, warehouse)
        rebuild_s = _dbt(
            ["build", "--select", "path:models/eligibility", "--vars", variables], work, warehouse
        )
        with duckdb.connect(str(warehouse), read_only=True) as con:
            members = con.execute(
                f"select count(*) from {schemas['family_members']}.family_members"
            ).fetchone()[0]
            per_service = con.execute(
                "select service, families, beneficiaries, total_amount_kzt from eligibility_summary order by service"
            ).fetchall()
        timings = json.loads((work / "target" / "run_results.json").read_text())["results"]
    print(
        f"inputs: {args.families:,} families x {len(PERIODS)} periods, {members:,} member rows (filled in {fill_s:.1f} s)"
    )
    print(f"dbt parse: {parse_s:.1f} s")
    print(f"dbt build 2026-03/79 (seeds, models, unit + data tests, parse included): {build_s:.1f} s")
    print(f"dbt build 2026-03/79 again (models and tests only; the partition is replaced): {rebuild_s:.1f} s")
    slowest = sorted(timings, key=lambda r: -r["execution_time"])[:5]
    print(
        "slowest nodes of the rebuild: "
        + ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.2f} s" for r in slowest)
    )
    for service, families, beneficiaries, amount in per_service:
        print(
            f"  {service:<20} families {families:>8,}  beneficiaries {beneficiaries:>8,}  KZT {amount:>16,.0f}"
        )


if __name__ == "__main__":
    main()
