"""Command line: ``registry-simulator generate --month 2026-10 --scale 1.0 --regions 79,35 ...``."""

from __future__ import annotations

import argparse
import sys

from .defects import DefectRates
from .failures import FAILURES
from .generator import DEFAULT_SEED, generate_month


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="registry-simulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write one month of registry extracts, truth and manifest")
    gen.add_argument("--month", required=True, help="period month YYYY-MM (reference date = its first day)")
    gen.add_argument("--scale", type=float, default=1.0, help="fraction of the real population (default 1.0)")
    gen.add_argument(
        "--regions", default="", help="comma-separated KATO region prefixes, e.g. 79,35 (default all)"
    )
    gen.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}, as make demo")
    gen.add_argument("--out", default="data/landing", help="landing root (default data/landing)")
    gen.add_argument("--truth-out", default="data/truth", help="latent truth root, outside the landing area")
    gen.add_argument(
        "--defect-rate-scale",
        type=float,
        default=1.0,
        help="multiply every default defect rate (0 = a clean month)",
    )
    for name in DefectRates.names():
        gen.add_argument(
            f"--{name.replace('_', '-')}-rate",
            type=float,
            default=None,
            dest=f"rate_{name}",
            help=f"override the {name} rate (after scaling)",
        )
    gen.add_argument(
        "--late", default="", help="registries whose extract is late (left out), comma-separated"
    )
    gen.add_argument("--stale", default="", help="registries that did not refresh (previous extract_as_of)")
    gen.add_argument(
        "--failure",
        action="append",
        default=[],
        metavar="KIND[:REGISTRY]",
        help=f"break the delivery on purpose (repeatable): {', '.join(FAILURES)}",
    )
    gen.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def _names(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.replace(" ", "").split(",") if part)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m registry_simulator`` and the ``registry-simulator`` script."""
    args = _parser().parse_args(argv)
    overrides = {
        name: getattr(args, f"rate_{name}")
        for name in DefectRates.names()
        if getattr(args, f"rate_{name}") is not None
    }
    try:
        rates = DefectRates().scaled(args.defect_rate_scale).with_overrides(overrides)
        summary = generate_month(
            args.month,
            scale=args.scale,
            regions=args.regions or None,
            seed=args.seed,
            out=args.out,
            truth_out=args.truth_out,
            defects=rates,
            late=_names(args.late),
            stale=_names(args.stale),
            progress=not args.no_progress,
            failures=args.failure,
        )
    except ValueError as exc:
        print(f"registry-simulator: {exc}", file=sys.stderr)
        return 2
    delivered = sum(r.status == "delivered" for r in summary.registries.values())
    injected = sum(d["rows"] for d in summary.defects)
    print(
        f"{summary.period}: {summary.families} families, {summary.people} people, "
        f"{delivered}/{len(summary.registries)} registries delivered, {injected} defect rows; "
        f"manifest {summary.manifest_path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
