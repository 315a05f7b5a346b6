"""What-if report of methodology variants for one period (issue 7.3): warehouse in, report out.

    .venv/bin/python -m orchestration.analytics.whatif --period 2026-10 \
        --variants scoring_core/whatif_examples/grid.yaml [--out data/reports/whatif/2026-10/]

Reads family_features of the period (every region), the eligibility candidates and the service
rules in force, runs scoring_core.whatif.simulate and writes into the output folder:
report.md (summary per variant, the transition matrix of one variant), whatif.png (budget per
service vs variant, level shares per variant, that transition matrix), variants.csv,
summary.csv, transitions.parquet and services.parquet. No IIN is read or written: families are
counted, never listed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kz_domain.period import parse_period
from orchestration.warehouse.queries import table_exists
from scoring_core import load_methodology, methodology_for_period
from scoring_core.config import Methodology
from scoring_core.money import subsistence_minimum
from scoring_core.whatif import EXAMPLES_DIR, Variant, WhatIfResult, load_variants, simulate

DEFAULT_VARIANTS = EXAMPLES_DIR / "grid.yaml"
_NOT_MARTS = ("period", "kato")  # feature-mart columns the engine does not need


@dataclass(frozen=True)
class WhatIfInputs:
    features: dict[str, np.ndarray]
    candidates: pd.DataFrame
    allowed_levels: dict[tuple[str, str], str]
    candidates_source: str


def read_inputs(connection, period: str) -> WhatIfInputs:
    """The period's features, candidates and allowed levels from the warehouse.

    Candidates come from `eligibility_candidates` (every family eligible but for the level
    filter). Without that table they fall back to `eligibility_list`, i.e. only the families
    eligible under the baseline: a variant can then take families off a list but never add one,
    and the report says so."""
    parse_period(period)  # validated: it is put in SQL below
    not_marts = ", ".join(f"'{name}'" for name in _NOT_MARTS)
    relation = connection.sql(  # the period was validated above; as-of dates are no features
        f"select columns(lambda c: not starts_with(c, 'as_of_') and c not in ({not_marts})) "
        f"from family_features where period = '{period}'"
    ).to_arrow_table()
    if relation.num_rows == 0:
        raise LookupError(f"family_features has no rows for period {period}")
    features = {name: relation.column(name).to_numpy() for name in relation.column_names}
    if table_exists(connection, "eligibility_candidates"):
        source = "eligibility_candidates"
    elif table_exists(connection, "eligibility_list"):
        source = "eligibility_list (baseline-eligible families only: a variant cannot add a family)"
    else:
        source = "none (no candidates table: budgets are zero)"
    candidates = pd.DataFrame(columns=["family_id", "service", "amount_kzt"])
    if not source.startswith("none"):
        table = source.split(" ")[0]
        candidates = connection.execute(
            f"select family_id, service, amount_kzt from {table} where period = ?", [period]
        ).df()
    allowed: dict[tuple[str, str], str] = {}
    if table_exists(connection, "eligibility_service_rules"):
        rules = connection.execute(
            """
            select service, region, allowed_levels from eligibility_service_rules
            where cast(valid_from as date) <= cast(? as date)
            qualify row_number() over (partition by service, region order by cast(valid_from as date) desc) = 1
            """,
            [f"{period}-01"],
        ).fetchall()
        allowed = {(str(s), str(r)): str(levels) for s, r, levels in rules}
    return WhatIfInputs(features, candidates, allowed, source)


# ------------------------------------------------------------------------------------ report
def summary_table(result: WhatIfResult) -> pd.DataFrame:
    """One row per variant: level shares, families whose level changed, budget per service (all
    regions, KZT a month) and the budget change against the baseline."""
    t = result.transitions
    changed = t[t.from_level != t.to_level].groupby("variant").families.sum()
    shares = result.level_shares().round(4).add_prefix("share_level_")
    budget = result.services.pivot_table(
        index="variant", columns="service", values="monthly_budget_kzt", aggfunc="sum"
    ).add_prefix("budget_")
    table = result.variants.set_index("variant")[["name", "method"]].join(shares)
    table["families_changed"] = changed.reindex(table.index, fill_value=0).astype(np.int64)
    if len(budget.columns):
        table = table.join(budget)
        total = budget.sum(axis=1)
        table["budget_total"] = total
        table["budget_change_vs_baseline"] = total - total.loc[0]
    return table


def most_changed_variant(result: WhatIfResult) -> int:
    """The variant with the most families at another level than the baseline (0 if none)."""
    t = result.transitions
    changed = t[t.from_level != t.to_level].groupby("variant").families.sum()
    return int(changed.idxmax()) if len(changed) else 0


def render_plot(result: WhatIfResult, summary: pd.DataFrame, chosen: int, path: Path) -> Path:
    """Three panels: budget per service vs variant, level shares per variant, one transition matrix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(18, 5.2))
    budget_columns = [c for c in summary.columns if c.startswith("budget_") and c not in
                      ("budget_total", "budget_change_vs_baseline")]  # fmt: skip
    for column in budget_columns:
        axes[0].plot(summary.index, summary[column] / 1e6, label=column.removeprefix("budget_"), lw=1)
    axes[0].set(title="Monthly budget per service", xlabel="variant (0 = baseline)", ylabel="M KZT a month")
    if budget_columns:
        axes[0].legend(fontsize=8)
    shares = result.level_shares()
    # Stacked bars of width 1, one per variant, drawn as one step patch per level (not 6 x variants bars).
    edges = np.append(shares.index.to_numpy() - 0.5, shares.index[-1] + 0.5)
    bottom = np.zeros(len(shares))
    for i, level in enumerate(shares.columns):
        top = bottom + shares[level].to_numpy()
        axes[1].stairs(top, edges, baseline=bottom, fill=True, color=f"C{i}", label=f"level {level}")
        bottom = top
    axes[1].set(title="Level shares per variant", xlabel="variant (0 = baseline)", ylabel="share of families")
    axes[1].legend(fontsize=8, loc="lower right")
    matrix = result.transition_matrix(chosen)
    axes[2].imshow(np.log10(matrix.to_numpy() + 1), cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix.to_numpy()):
        axes[2].text(j, i, f"{value:,}", ha="center", va="center", fontsize=7)
    axes[2].set_xticks(range(len(matrix.columns)), matrix.columns)
    axes[2].set_yticks(range(len(matrix.index)), matrix.index)
    name = result.variants.name[chosen]
    axes[2].set(
        title=f"Transitions, variant {chosen}\n{name[:70]}", xlabel="variant level", ylabel="baseline level"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def render_markdown(result: WhatIfResult, summary: pd.DataFrame, chosen: int, period: str,
                    methodology: Methodology, candidates_source: str, max_rows: int = 60) -> str:  # fmt: skip
    s = result.stats
    shown = summary if len(summary) <= max_rows else summary.reindex(
        sorted(set(summary.index[:1]) | set(summary.families_changed.nlargest(max_rows - 1).index))
    )  # fmt: skip
    lines = [
        f"# What-if of methodology variants, {period}",
        "",
        f"- baseline: {methodology.version}; families: {s['n_families']:,}; variants: {s['n_variants']:,} "
        f"(variant 0 = baseline); patterns: {s['n_patterns']:,}; variants scored on every family: "
        f"{s['n_full_variants']}",
        f"- candidates: {candidates_source}",
        f"- time: {s['seconds_total']:.1f} s (compile {s['seconds_compile']:.1f}, patterns "
        f"{s['seconds_patterns']:.1f}, evaluation {s['seconds_evaluate']:.1f})",
        "- budgets are KZT a month, all regions; per region in services.parquet",
        "",
        "![plot](whatif.png)",
        "",
        f"## Variants{'' if len(shown) == len(summary) else f' (baseline and the {max_rows - 1} that move most families)'}",
        "",
        shown.to_markdown(floatfmt=",.4g"),
        "",
        f"## Transition matrix of variant {chosen}: {result.variants.name[chosen]}",
        "",
        "Rows: baseline level; columns: level under the variant; cells: families.",
        "",
    ]
    for region in [None, *s["regions"]]:
        lines += [f"### {'all regions' if region is None else f'region {region}'}", "",
                  result.transition_matrix(chosen, region).to_markdown(), ""]  # fmt: skip
    return "\n".join(lines)


def write_report(result: WhatIfResult, out: Path, period: str, methodology: Methodology,
                 candidates_source: str, chosen: int | None = None) -> tuple[Path, pd.DataFrame]:  # fmt: skip
    """Write report.md, whatif.png and the result tables into `out`; returns the report path and
    the summary table."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summary_table(result)
    chosen = most_changed_variant(result) if chosen is None else chosen
    render_plot(result, summary, chosen, out / "whatif.png")
    result.variants.to_csv(out / "variants.csv", index=False)
    summary.to_csv(out / "summary.csv")
    result.transitions.to_parquet(out / "transitions.parquet", index=False)
    result.services.to_parquet(out / "services.parquet", index=False)
    report = out / "report.md"
    text = render_markdown(result, summary, chosen, period, methodology, candidates_source)
    report.write_text(text + "\n", encoding="utf-8")
    return report, summary


def run_whatif(connect, period: str, variants: list[Variant], out: Path,
               methodology: Methodology | None = None, progress: bool = False,
               chosen: int | None = None) -> tuple[WhatIfResult, Path, pd.DataFrame]:  # fmt: skip
    """Read the warehouse (`connect()`: a context manager giving a connection, closed before the
    long simulation so it never holds the file), simulate the variants and write the report."""
    methodology = methodology or methodology_for_period(period)
    with connect() as connection:
        inputs = read_inputs(connection, period)
    result = simulate(inputs.features, methodology, variants, subsistence_minimum(period), inputs.candidates,
                      inputs.allowed_levels, progress=progress)  # fmt: skip
    report, summary = write_report(result, out, period, methodology, inputs.candidates_source, chosen)
    return result, report, summary


def main(argv: list[str] | None = None) -> int:
    """CLI: simulate methodology variants for one period and write the report."""
    import duckdb

    from orchestration.settings import PlatformPaths

    paths = PlatformPaths.from_env()
    parser = argparse.ArgumentParser(description="What-if of methodology variants for one period.")
    parser.add_argument("--period", required=True, type=parse_period, help="YYYY-MM")
    parser.add_argument(
        "--variants", default=str(DEFAULT_VARIANTS), help="YAML: a list of overrides or a grid"
    )
    parser.add_argument("--out", help="output folder (default data/reports/whatif/<period>/)")
    parser.add_argument("--methodology", help="baseline methodology YAML (default: the one in force)")
    parser.add_argument("--warehouse", default=str(paths.warehouse_path))
    parser.add_argument("--show-variant", type=int, help="variant whose transition matrix is shown")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else paths.data_root / "reports" / "whatif" / args.period
    methodology = load_methodology(args.methodology) if args.methodology else None
    variants = load_variants(args.variants)
    result, report, summary = run_whatif(
        lambda: duckdb.connect(args.warehouse, read_only=True),
        args.period,
        variants,
        out,
        methodology,
        progress=True,
        chosen=args.show_variant,
    )
    s = result.stats
    print(f"{s['n_variants']:,} variants x {s['n_families']:,} families in {s['seconds_total']:.1f} s "
          f"({s['n_patterns']:,} patterns)")  # fmt: skip
    pd.set_option("display.width", 200)
    print(summary.drop(columns=["name"]).head(10).to_string())
    print(f"\nreport: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
