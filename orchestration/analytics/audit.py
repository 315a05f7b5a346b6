"""Targeting audit (issue 7.4): how well the levels and the service lists find the truly poor.

Truth comes from the generator's latent truth (`<TRUTH_ROOT>/<YYYY-MM>/family_truth.parquet`),
which no pipeline step reads: only this audit does.

Definitions (one place, also printed in the report):
- **truly poor**: true per-capita income (all income, informal included) below the poverty line,
  `true_pci_ratio < poverty_ratio` (0.70 of the ПМ, the methodology's `poverty_ratio`).
  A second, wider definition is reported next to it: below 1 ПМ (`true_pci_ratio < 1`).
- **targeting rule**: a yes/no per family. `level <= k` for k = 1..5 (the scoring model), the
  **ASP income test** (declared per-capita income `(income_wages + income_entrepreneur +
  income_pensions_benefits) / n_members` at or below `poverty_ratio` x ПМ, the baseline; shown also
  with the Sep 2025 exclusion of families with a non-mortgage loan, which the ASP list applies), and each
  service's published list (a family is targeted when any of its members is listed).
- **inclusion error** = targeted families that are not poor / targeted families.
- **exclusion error** = poor families not targeted / poor families.
- The audited population is the truth's families. A real family the pipeline did not score (lost
  to data defects) counts as not targeted; scored families unknown to the truth are left out and
  counted. A service is judged in the regions that have lists, against the poor families of its
  own categorical group (e.g. rent subsidy: private renters on the waiting list), so its
  exclusion error is "poor families the service is meant for but does not reach".
- Groups: region, urban (settlement type 1-3) / rural (4-5) as the truth places the family,
  disability (a member with any disability, truth), family size (truth members).

CLI: `python -m orchestration.analytics.audit --period 2026-10` writes
`<DATA_ROOT>/reports/<period>/targeting_audit.md` and `targeting_audit.png`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kz_domain.period import parse_period

LEVEL_CUTOFFS = (1, 2, 3, 4, 5)
ASP_RULE = "ASP income test"
ASP_LOAN_RULE = "ASP income test, no non-mortgage loan"
POOR = "poor"  # below the poverty line
BELOW_PM = "below_pm"  # below 1 ПМ

#: Each service's categorical group in the truth: the families it is meant for, poor or not.
SERVICE_GROUPS = {
    "asp": lambda t: pd.Series(True, index=t.index),
    "home_schooling": lambda t: t.has_home_schooled_child,
    "pupil_student_aid": lambda t: t.has_pupil_or_student,
    "rent_subsidy": lambda t: (t.tenure == "rent_private") & t.on_waiting_list,
    "housing_assistance": lambda t: t.tenure.isin(["own", "rent_state"]),
}
#: The truth columns the audit reads (groups, poverty and the service groups above).
TRUTH_COLUMNS = (
    "family_id",
    "region_prefix",
    "settlement_type",
    "n_members",
    "true_pci_ratio",
    "has_disability",
    "has_home_schooled_child",
    "has_pupil_or_student",
    "tenure",
    "on_waiting_list",
)
SIZE_BINS = [0, 1, 2, 4, 6, np.inf]
SIZE_LABELS = ["1", "2", "3-4", "5-6", "7+"]


@dataclass(frozen=True)
class AuditReport:
    """What one audit run produced."""

    period: str
    families: int
    headline: pd.DataFrame
    by_group: pd.DataFrame
    markdown_path: Path | None = None
    plot_path: Path | None = None


def level_rule(k: int) -> str:
    return f"level <= {k}"


def service_rule(service: str) -> str:
    return f"list: {service}"


def assemble_population(
    truth: pd.DataFrame,
    scores: pd.DataFrame,
    features: pd.DataFrame,
    listed: pd.DataFrame,
    pm: float,
    poverty_ratio: float,
) -> tuple[pd.DataFrame, int]:
    """One row per truth family: truth flags, groups and one boolean column per targeting rule.

    `scores`: family_id, level; `features`: family_id, n_members, the declared income columns;
    `listed`: family_id, service (one row per listed family and service). Returns the frame and
    the number of scored families unknown to the truth (left out).
    """
    population = pd.DataFrame({"family_id": truth.family_id.to_numpy()})
    population["region"] = _per_distinct(
        truth.region_prefix, lambda p: p.astype(int).astype(str).str.zfill(2)
    )
    population["area"] = _labels(truth.settlement_type.to_numpy() <= 3, "urban", "rural")
    population["disability"] = _labels(truth.has_disability.to_numpy(), "with disability", "no disability")
    size_bin = pd.cut(truth.n_members, SIZE_BINS, labels=SIZE_LABELS).cat.codes.to_numpy()
    # -1 (outside the bins) is the "nan" label, past the others
    population["family_size"] = pd.Categorical.from_codes(
        np.where(size_bin < 0, len(SIZE_LABELS), size_bin), [*SIZE_LABELS, "nan"]
    )
    population[POOR] = (truth.true_pci_ratio < poverty_ratio).to_numpy()
    population[BELOW_PM] = (truth.true_pci_ratio < 1.0).to_numpy()

    # Each truth family's row in the scores and in the features (-1: not scored), looked up once each.
    family_index = pd.Index(population.family_id)
    level = _take(scores.level, pd.Index(scores.family_id).get_indexer(family_index))
    for k in LEVEL_CUTOFFS:
        population[level_rule(k)] = level <= k  # not scored: NaN <= k is False
    at_features = pd.Index(features.family_id).get_indexer(family_index)
    declared_pci = (
        _take(features.income_wages, at_features)
        + _take(features.income_entrepreneur, at_features)
        + _take(features.income_pensions_benefits, at_features)
    ) / _take(features.n_members, at_features)  # unscored: NaN
    # "at or below the line", at tiyn precision like the ASP list itself
    population[ASP_RULE] = np.round(declared_pci, 2) <= round(poverty_ratio * pm, 2)
    if "has_non_mortgage_loan" in features.columns:
        has_loan = _take(features.has_non_mortgage_loan, at_features) == 1  # unscored: no loan known
        population[ASP_LOAN_RULE] = population[ASP_RULE].to_numpy() & ~has_loan

    # Each list row's family among the truth's (-1: not a truth family), looked up once.
    listed_at = family_index.get_indexer(listed.family_id)
    listed_service = pd.Categorical(listed.service)  # compared once per service below
    in_regions_with_lists = population.region.isin(
        population.region.iloc[listed_at[listed_at >= 0]]
    ).to_numpy()
    for service, group in SERVICE_GROUPS.items():
        on_list = np.zeros(len(population), bool)
        on_list[listed_at[(listed_at >= 0) & (listed_service == service)]] = True
        population[service_rule(service)] = on_list
        # the service's universe: its categorical group, in the regions that publish lists
        population[f"group: {service}"] = group(truth).to_numpy() & in_regions_with_lists
    scored = pd.Series(scores.family_id.unique())
    unknown = int((~scored.isin(population.family_id)).sum())
    return population, unknown


def _labels(flags: np.ndarray, if_true: str, if_false: str) -> pd.Categorical:
    """One label per family, as a categorical (no string built or hashed per family)."""
    return pd.Categorical.from_codes(np.asarray(flags, bool).astype(np.int8), [if_false, if_true])


def _per_distinct(values: pd.Series, convert) -> pd.Categorical:
    """`convert` applied to each distinct value only (e.g. string formatting of a few region codes)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    # categories in sorted order, so that grouping sorts them as it sorted the strings
    converted = np.asarray(convert(pd.Series(distinct)), dtype=object)
    order = np.argsort(converted)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return pd.Categorical.from_codes(rank[codes], converted[order])


def _take(values: pd.Series, positions: np.ndarray) -> np.ndarray:
    """values[positions] as floats, NaN where the position is -1 (no such row)."""
    taken = values.to_numpy(np.float64, na_value=np.nan)[positions]
    taken[positions < 0] = np.nan
    return taken


def error_rates(targeted: np.ndarray, poor: np.ndarray) -> dict[str, float]:
    """Counts and the inclusion / exclusion errors of one rule on one population."""
    targeted, poor = np.asarray(targeted, bool), np.asarray(poor, bool)
    return _rates(
        families=len(targeted),
        poor=int(poor.sum()),
        targeted=int(targeted.sum()),
        targeted_not_poor=int((targeted & ~poor).sum()),
        poor_not_targeted=int((poor & ~targeted).sum()),
    )


def _rates(families: int, poor: int, targeted: int, targeted_not_poor: int, poor_not_targeted: int) -> dict:
    """The counts of one rule on one population and the errors they give."""
    return {
        "families": families,
        "poor": poor,
        "targeted": targeted,
        "targeted_not_poor": targeted_not_poor,
        "poor_not_targeted": poor_not_targeted,
        "inclusion_error": targeted_not_poor / targeted if targeted else np.nan,
        "exclusion_error": poor_not_targeted / poor if poor else np.nan,
    }


def rules(population: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(rule column, universe column or None for everyone) of every rule audited."""
    listed = [(service_rule(s), f"group: {s}") for s in SERVICE_GROUPS if population[f"group: {s}"].any()]
    baselines: list[tuple[str, str | None]] = [
        (rule, None) for rule in (ASP_RULE, ASP_LOAN_RULE) if rule in population.columns
    ]
    levels: list[tuple[str, str | None]] = [(level_rule(k), None) for k in LEVEL_CUTOFFS]
    return levels + baselines + listed


def audit_table(population: pd.DataFrame, truth_column: str = POOR, by: str | None = None) -> pd.DataFrame:
    """Errors of every rule (rows) against `truth_column`, overall or per value of `by` (sorted)."""
    if by is None:
        group_of, groups = np.zeros(len(population), np.int32), ["all"]
    else:
        group_of, groups = pd.factorize(population[by], sort=True)
    # One count per (group, in scope, poor, targeted) cell and rule: a bincount per rule, no frame
    # copies. A missing group value (-1) counts in an extra group past the last, then dropped.
    group_of = np.where(group_of < 0, len(groups), group_of).astype(np.int32)
    base = 8 * group_of + 2 * population[truth_column].to_numpy(np.int32)
    counts = {}  # rule -> int64[group, in scope, poor, targeted]
    for rule, universe in rules(population):
        in_scope = 1 if universe is None else population[universe].to_numpy(np.int32)
        cell = base + 4 * in_scope + population[rule].to_numpy(np.int32)
        counts[rule] = np.bincount(cell, minlength=8 * (len(groups) + 1)).reshape(-1, 2, 2, 2)
    rows = []
    for g, group in enumerate(groups):
        for rule, cells in counts.items():
            scoped = cells[g, 1]  # families in the rule's scope, by [poor, targeted]
            rates = _rates(
                families=int(scoped.sum()),
                poor=int(scoped[1].sum()),
                targeted=int(scoped[:, 1].sum()),
                targeted_not_poor=int(scoped[0, 1]),
                poor_not_targeted=int(scoped[1, 0]),
            )
            rows.append({"group": group, "rule": rule, **rates})
    return pd.DataFrame(rows)


def headline_table(population: pd.DataFrame) -> pd.DataFrame:
    """Every rule with its errors against the poverty line and against 1 ПМ (all families)."""
    at_line = audit_table(population, POOR).drop(columns="group")
    at_pm = audit_table(population, BELOW_PM)[["poor", "inclusion_error", "exclusion_error"]]
    at_pm.columns = ["below_1_pm", "inclusion_error_1pm", "exclusion_error_1pm"]
    return pd.concat([at_line, at_pm], axis=1)


def group_tables(population: pd.DataFrame) -> pd.DataFrame:
    """Errors against the poverty line by region, area, disability and family size (long format)."""
    frames = []
    for dimension in ("region", "area", "disability", "family_size"):
        table = audit_table(population, POOR, by=dimension)
        table.insert(0, "dimension", dimension)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- report


def _percent(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if "error" in column:
            frame[column] = (100 * frame[column]).round(1)
    return frame


def render_markdown(report: AuditReport, unknown_families: int, pm: float, poverty_ratio: float) -> str:
    """The report: definitions, headline, and the group tables (errors in %)."""
    lines = [
        f"# Targeting audit {report.period}",
        "",
        f"Families audited (latent truth): {report.families:,}. Scored families unknown to the truth, left out: "
        f"{unknown_families:,}. ПМ {pm:,.0f} KZT; poverty line {poverty_ratio:.2f} ПМ = {poverty_ratio * pm:,.0f} KZT per person.",
        "",
        "**Truly poor** = true per-capita income (informal included) below the poverty line; the `_1pm` columns use "
        "below 1 ПМ instead. **Inclusion error** = targeted but not poor / targeted. **Exclusion error** = poor but "
        "not targeted / poor. `level <= k` targets every family scored at level k or below (unscored families are not "
        "targeted); the **ASP income test** (baseline) targets declared per-capita income at or below the poverty line "
        "(also shown without families holding a non-mortgage loan, excluded from ASP since Sep 2025; the ASP list "
        "itself uses the regional poverty line, max(35% of median income, 70% of the regional ПМ)). "
        "`list: <service>` is judged in the regions with lists, within the service's own group (home schooling: "
        "families with a home-schooled child; pupil aid: with a pupil or student; rent subsidy: private renters on "
        "the waiting list; housing assistance: owners and state tenants; ASP: all). Home schooling is not income "
        "tested, so its inclusion error is by design.",
        "",
        "## Headline (errors in %)",
        "",
        _percent(report.headline).to_markdown(index=False),
        "",
    ]
    for dimension, table in report.by_group.groupby("dimension", sort=False):
        wide = table.pivot(index="rule", columns="group", values=["inclusion_error", "exclusion_error"])
        wide = (100 * wide).round(1)
        wide.columns = [
            f"{'IE' if kind == 'inclusion_error' else 'EE'} {group}" for kind, group in wide.columns
        ]
        order = list(dict.fromkeys(table.rule))  # rules in the order they were audited
        lines += [
            f"## By {dimension} (IE = inclusion error %, EE = exclusion error %, poverty line)",
            "",
            wide.reindex(order).to_markdown(),
            "",
        ]
    return "\n".join(lines)


def render_plot(report: AuditReport, path: Path) -> Path:
    """Inclusion vs exclusion error of the level cut-offs per region (ASP baseline marked) and the services."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (trade_off, services) = plt.subplots(1, 2, figsize=(13, 5.5))
    by_region = report.by_group[report.by_group.dimension == "region"]
    for region, table in by_region.groupby("group"):
        levels = table[table.rule.isin([level_rule(k) for k in LEVEL_CUTOFFS])]
        line = trade_off.plot(
            100 * levels.exclusion_error,
            100 * levels.inclusion_error,
            marker="o",
            label=f"levels, region {region}",
        )
        for _, row in levels.iterrows():
            trade_off.annotate(
                row.rule.replace("level ", "L"),
                (100 * row.exclusion_error, 100 * row.inclusion_error),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        asp = table[table.rule == ASP_RULE]
        trade_off.scatter(
            100 * asp.exclusion_error,
            100 * asp.inclusion_error,
            marker="*",
            s=160,
            color=line[0].get_color(),
            edgecolor="black",
            label=f"ASP income test, region {region}",
        )
    trade_off.set_xlabel("exclusion error, % of poor families missed")
    trade_off.set_ylabel("inclusion error, % of targeted not poor")
    trade_off.set_title(f"Level cut-offs vs the income test ({report.period})")
    trade_off.grid(alpha=0.3)
    trade_off.legend(fontsize=7)

    listed = report.headline[report.headline.rule.str.startswith("list: ")]
    x = np.arange(len(listed))
    services.bar(x - 0.2, 100 * listed.inclusion_error, width=0.4, label="inclusion error")
    services.bar(x + 0.2, 100 * listed.exclusion_error, width=0.4, label="exclusion error")
    services.set_xticks(x, [r.removeprefix("list: ") for r in listed.rule], rotation=20, fontsize=8)
    services.set_ylabel("%")
    services.set_title("Service lists (poverty line, within each service's group)")
    services.legend(fontsize=8)
    services.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


# ---------------------------------------------------------------- warehouse, files and CLI


def read_truth(truth_root: Path, period: str) -> pd.DataFrame | None:
    """The period's latent truth (the columns the audit reads), or None when the generator wrote none."""
    import pyarrow.parquet as pq

    path = Path(truth_root) / period / "family_truth.parquet"
    if not path.exists():
        return None
    # tenure as a categorical: the service groups compare it on every family
    return pq.read_table(path, columns=list(TRUTH_COLUMNS), read_dictionary=["tenure"]).to_pandas()


def read_pipeline(connection, period: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(scores, features, listed families) of the period from the warehouse (no IIN read)."""
    scores = connection.execute("select family_id, level from family_scores where period = ?", [period]).df()
    features = connection.execute(
        "select family_id, n_members, income_wages, income_entrepreneur, income_pensions_benefits, has_non_mortgage_loan "
        "from family_features where period = ?",
        [period],
    ).df()
    try:
        listed = connection.execute(
            "select distinct family_id, service from eligibility_list where period = ?", [period]
        ).df()
    except Exception as error:  # no list built yet: audit the levels only
        if "eligibility_list" not in str(error):
            raise
        listed = pd.DataFrame({"family_id": pd.Series(dtype="int64"), "service": pd.Series(dtype="object")})
    return scores, features, listed


def audit(period: str, truth: pd.DataFrame, scores, features, listed, pm: float, poverty_ratio: float):
    """The audit of one period from frames: (report without files, unknown-family count)."""
    population, unknown = assemble_population(truth, scores, features, listed, pm, poverty_ratio)
    report = AuditReport(
        period=period,
        families=len(population),
        headline=headline_table(population),
        by_group=group_tables(population),
    )
    return report, unknown


def run_audit(connection, period: str, truth_root: Path, reports_root: Path) -> AuditReport | None:
    """Audit the period and write `<reports_root>/<period>/targeting_audit.{md,png}`.

    None when the period has no truth or no scores.
    """
    from scoring_core import methodology_for_period, subsistence_minimum

    truth = read_truth(truth_root, period)
    if truth is None:
        return None
    scores, features, listed = read_pipeline(connection, period)
    if scores.empty:
        return None
    pm = subsistence_minimum(period)
    poverty_ratio = methodology_for_period(period).parameters["poverty_ratio"]
    report, unknown = audit(period, truth, scores, features, listed, pm, poverty_ratio)
    folder = Path(reports_root) / period
    folder.mkdir(parents=True, exist_ok=True)
    markdown_path = folder / "targeting_audit.md"
    plot_path = render_plot(report, folder / "targeting_audit.png")
    markdown_path.write_text(render_markdown(report, unknown, pm, poverty_ratio) + "\n", encoding="utf-8")
    return AuditReport(**{**report.__dict__, "markdown_path": markdown_path, "plot_path": plot_path})


def main(argv: list[str] | None = None) -> int:
    """CLI: audit one period of the warehouse against the latent truth."""
    import duckdb

    from orchestration.settings import PlatformPaths

    paths = PlatformPaths.from_env()
    parser = argparse.ArgumentParser(description="Targeting audit of one period against the latent truth.")
    parser.add_argument("--period", required=True, type=parse_period, help="YYYY-MM")
    parser.add_argument("--warehouse", default=str(paths.warehouse_path))
    parser.add_argument("--truth-root", default=str(paths.truth_root))
    parser.add_argument("--reports-root", default=str(paths.data_root / "reports"))
    args = parser.parse_args(argv)
    with duckdb.connect(args.warehouse, read_only=True) as connection:
        report = run_audit(connection, args.period, Path(args.truth_root), Path(args.reports_root))
    if report is None:
        print(f"nothing to audit for {args.period}: no latent truth or no scores")
        return 1
    pd.set_option("display.width", 200)
    print(_percent(report.headline).to_string(index=False))
    print(f"\nreport: {report.markdown_path}\nplot:   {report.plot_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
