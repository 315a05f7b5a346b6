"""`make demo`: one month for the pilot regions, end to end, in process, then a summary.

Steps: generate the month's synthetic landing drop (if it is not there yet), run the monthly
job (landing verification, dbt features, scoring, gates), then the regional job of each pilot
region (eligibility lists, gates, publication). The runs go to the local Dagster instance, so
`make ui` shows them afterwards. Last, an example correction is filed, approved, rescored on
demand (the family's before and after) and withdrawn.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import pandas as pd

from kz_domain.period import parse_period
from kz_domain.regions import PILOT_REGIONS
from orchestration.instance import local_instance
from orchestration.process import exit_without_teardown
from orchestration.runner import run_month
from orchestration.settings import PlatformPaths
from registry_simulator.generator import DEFAULT_SEED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--month",
        required=True,
        type=parse_period,
        help="period YYYY-MM (default in make: the last complete month)",
    )
    parser.add_argument("--regions", default=",".join(PILOT_REGIONS), help="pilot regions, KATO prefixes")
    parser.add_argument("--scale", type=float, default=1.0, help="population scale of the generated month")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the simulator's default seed")
    parser.add_argument(
        "--failure",
        action="append",
        default=[],
        metavar="KIND[:REGISTRY]",
        help="generate the month with a feed failure (registry_simulator.failures; repeatable)",
    )
    return parser


def ensure_landing(
    paths: PlatformPaths,
    month: str,
    regions: str,
    scale: float,
    seed: int,
    failures: tuple[str, ...] | list[str] = (),
) -> None:
    """Generate the month's landing drop unless a complete one is already there (always, with failures)."""
    from orchestration.landing.drop import inspect_drop
    from registry_simulator import generate_month

    if not failures and inspect_drop(paths.landing_root / month, verify_checksums=False).complete:
        print(f"landing drop {month} already present: {paths.landing_root / month}")
        return
    started = time.perf_counter()
    generate_month(
        month=month,
        scale=scale,
        regions=regions,
        seed=seed,
        out=paths.landing_root,
        truth_out=paths.truth_root,
        progress=True,
        failures=failures,
    )
    print(f"generated landing drop {month} for regions {regions} in {time.perf_counter() - started:.1f} s")


def print_summary(paths: PlatformPaths, month: str) -> None:
    """What the month produced, read from the warehouse and the published snapshots."""
    from orchestration.publication.snapshot import read_current

    pd.set_option("display.width", 160)
    if not paths.warehouse_path.exists():
        print("\nno warehouse yet: the monthly job did not reach dbt")
        return
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:

        def show(title: str, sql: str) -> None:
            try:
                frame = connection.execute(sql, [month]).df()
            except duckdb.Error as error:  # a table the month did not reach
                print(f"\n{title}: not available ({type(error).__name__})")
                return
            print(f"\n{title}\n{frame.to_string(index=False)}")

        show(
            "Landing reconciliation (rows in = kept + rejected)",
            "select registry, rows_in, rows_kept, rows_rejected from landing_reconciliation where period = ? order by registry",
        )
        show(
            "Families per level and region",
            "select region_kato, level, count(*) as families from family_scores where period = ? "
            "group by all order by all",
        )
        show(
            "Eligibility per region and service",
            "select region, service, count(*) as rows, count(distinct family_id) as families, "
            "round(sum(amount_kzt)) as amount_kzt from eligibility_list where period = ? group by all order by all",
        )
    print("\nPublished snapshots")
    for region in PILOT_REGIONS:
        try:
            manifest, _ = read_current(paths.publish_root, month, region)
            print(
                f"  {month}/{region}: {manifest['version']} rows={manifest['totals']['rows']} "
                f"amount={manifest['totals']['amount_total_kzt']:,.0f} KZT"
            )
        except FileNotFoundError:
            print(f"  {month}/{region}: nothing published (see the run's checks)")


def show_a_correction(paths: PlatformPaths, month: str) -> None:
    """File and approve an example correction (a level-6 family sold one of its two cars),
    rescore the family on demand and print its before and after; then withdraw the example, so
    that the next run of the month computes what the registries say."""
    from orchestration.corrections import rescoring
    from orchestration.corrections.example import file_car_sale
    from orchestration.corrections.store import decide

    root = paths.corrections_root
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        filed = file_car_sale(connection, root, month)
    if filed is None:
        print("\nExample correction: no family of the month is level 6 through two cars")
        return
    cid, family_id = filed
    print(f"\nExample correction {cid}: family {family_id} sold one of its two cars (filed and approved)")
    try:
        print(rescoring.report(rescoring.rescore(paths, month, [family_id])))
    finally:
        decide(
            root,
            cid,
            "withdrawn",
            "example.caseworker",
            "demo example, withdrawn: the month stays as the registries say",
        )
        print(f"{cid} withdrawn again (a demo example): python -m orchestration.corrections show {cid}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = PlatformPaths.from_env()
    paths.export()
    started = time.perf_counter()
    ensure_landing(paths, args.month, args.regions, args.scale, args.seed, args.failure)

    from orchestration.definitions import build_definitions

    pipeline_started = time.perf_counter()
    defs = build_definitions(paths)
    instance = local_instance(paths)
    results = run_month(defs, instance, args.month, args.regions.split(","))
    monthly_ok = results[0].success
    regional_ok = all(r.success for r in results if r.job_def.name == "regional_publication_job")
    print(
        f"\npipeline {time.perf_counter() - pipeline_started:.1f} s, total {time.perf_counter() - started:.1f} s"
    )
    print_summary(paths, args.month)
    if monthly_ok:
        show_a_correction(paths, args.month)
    return 0 if monthly_ok and regional_ok else 1


if __name__ == "__main__":
    # Dagster commits each event as it happens; the warehouse and the published files are closed
    exit_without_teardown(main())
