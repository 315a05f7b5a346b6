"""Dagster asset of the what-if simulation of methodology variants (issue 7.3).

Monthly and config-driven: the run config names a variants file or holds the variants inline (YAML
text); by default the example 10 x 10 grid (scoring_core/whatif_examples/grid.yaml). Writes the
report under data/reports/whatif/<period>/ and puts the summary per variant in the metadata
(counts and KZT only, no IIN).
"""

import dagster as dg
import yaml

from orchestration.asset_keys import ELIGIBILITY_CANDIDATES_KEY, FAMILY_FEATURES_KEY, WHATIF_KEY
from orchestration.metadata import inline_image
from orchestration.partitions import monthly_partitions
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.settings import PlatformPaths

_EVERY_REGION_OF_THE_MONTH = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="month")
_SUMMARY_ROWS = 25  # metadata shows the baseline and the variants that move most families


class WhatIfConfig(dg.Config):
    """Which variants to simulate. variants_yaml (inline YAML: a list of overrides or a `grid`) wins
    over variants_path; both empty = the example grid."""

    variants_path: str = ""
    variants_yaml: str = ""
    methodology_path: str = ""
    show_variant: int = -1  # the variant whose transition matrix the report shows; -1 = the most changed


@dg.asset(
    key=WHATIF_KEY,
    deps=[
        FAMILY_FEATURES_KEY,
        dg.AssetDep(ELIGIBILITY_CANDIDATES_KEY, partition_mapping=_EVERY_REGION_OF_THE_MONTH),
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="analytics",
    kinds={"duckdb", "numba", "pandas"},
    description=(
        "What-if of methodology variants against the baseline: level transitions, eligible families and "
        "monthly budget per service and region. Report + PNG under data/reports/whatif/<period>/. "
        "Analytics only, not for payment."
    ),
)
def methodology_whatif(
    context: dg.AssetExecutionContext, config: WhatIfConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from orchestration.analytics.whatif import DEFAULT_VARIANTS, run_whatif
    from scoring_core import load_methodology
    from scoring_core.whatif import expand_variants, load_variants

    period = context.partition_key
    if config.variants_yaml.strip():
        variants, source = expand_variants(yaml.safe_load(config.variants_yaml)), "run config (inline)"
    else:
        path = config.variants_path or str(DEFAULT_VARIANTS)
        variants, source = load_variants(path), path
    methodology = load_methodology(config.methodology_path) if config.methodology_path else None
    out = PlatformPaths.from_env().data_root / "reports" / "whatif" / period
    context.log.info("simulating %d variants from %s for %s", len(variants), source, period)
    result, report, summary = run_whatif(
        lambda: warehouse.connect(read_only=True), period, variants, out, methodology,
        chosen=None if config.show_variant < 0 else config.show_variant,
    )  # fmt: skip
    s = result.stats
    shown = summary.loc[sorted({0, *summary.families_changed.nlargest(_SUMMARY_ROWS - 1).index})]
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(report)),
            "plot": inline_image(report.parent / "whatif.png", "what-if: budget and families per variant"),
            "plot_file": dg.MetadataValue.path(str(report.parent / "whatif.png")),
            "variants_source": source,
            "variants": s["n_variants"],
            "families": s["n_families"],
            "patterns": s["n_patterns"],
            "variants_scored_on_every_family": s["n_full_variants"],
            "seconds": round(s["seconds_total"], 1),
            "summary": dg.MetadataValue.md(shown.to_markdown(floatfmt=",.4g")),
        }
    )
