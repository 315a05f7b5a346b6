"""Command line for data engineers: file, approve, reject, withdraw, list and show corrections,
rescore the families they concern, file and decide appeals, and report them per region.

    python -m orchestration.corrections file --period 2026-11 --subject-iin IIN --registry vehicles \\
        --column iin --record-key VIN0001 --registry-value IIN --corrected-value "" \\
        --evidence-type sale_contract --evidence-ref "notary 12/345" --evidence-date 2026-03-10 \\
        --effective-from 2026-03-10 --by a.caseworker --reason "car sold in March"
    python -m orchestration.corrections approve C-000001 --by a.supervisor
    python -m orchestration.corrections list [--state filed]
    python -m orchestration.corrections show C-000001
    python -m orchestration.corrections rescore --period 2026-11 --correction C-000001 [--family 123]
    python -m orchestration.corrections appeal-file --period 2026-11 --family-id 123 --level 6 \
        --grounds "the car was sold" --by a.caseworker
    python -m orchestration.corrections appeal-link A-000001 C-000001 --by a.caseworker
    python -m orchestration.corrections appeal-decide A-000001 upheld --by a.supervisor
    python -m orchestration.corrections report --period 2026-11

IINs are shown masked (last four digits); errors never quote a value.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kz_domain.period import parse_period
from orchestration.corrections import appeals, rescoring
from orchestration.corrections.store import (
    MEMBERSHIP_CHANGES,
    CorrectionError,
    Evidence,
    corrections,
    decide,
    file_membership_change,
    file_registry_correction,
    mask_iin,
    population_iins,
)
from orchestration.settings import PlatformPaths


def _value(text: str | None) -> Any:
    """A command-line value: empty means null (the value is absent in the corrected record)."""
    return None if text in (None, "") else text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.corrections", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    filed = commands.add_parser("file", help="file a correction (registry value or family membership)")
    filed.add_argument(
        "--period", required=True, type=parse_period, help="the month whose population holds the subject"
    )
    filed.add_argument("--subject-iin", required=True)
    filed.add_argument("--registry", help="a registry of the landing contract (registry-value corrections)")
    filed.add_argument("--column")
    filed.add_argument(
        "--record-key",
        help="the registry's row key of the one row corrected (default: all the subject's rows)",
    )
    filed.add_argument("--registry-value", help="what the registry says (empty: null)")
    filed.add_argument("--corrected-value", help="what is right (empty: null)")
    filed.add_argument("--family-id", type=int, help="membership changes: the family card")
    filed.add_argument("--change", choices=MEMBERSHIP_CHANGES)
    filed.add_argument("--evidence-type", required=True)
    filed.add_argument("--evidence-ref", required=True)
    filed.add_argument("--evidence-date", required=True)
    filed.add_argument("--effective-from", required=True)
    filed.add_argument("--valid-until")
    filed.add_argument("--by", required=True, help="the requester")
    filed.add_argument("--reason", default="")
    for name in ("approve", "reject", "withdraw"):
        decided = commands.add_parser(name, help=f"{name} a correction")
        decided.add_argument("correction_id")
        decided.add_argument("--by", required=True)
        decided.add_argument("--reason", default="")
    listed = commands.add_parser("list", help="every correction, one line each")
    listed.add_argument("--state", choices=("filed", "approved", "rejected", "withdrawn"))
    shown = commands.add_parser("show", help="one correction and its history")
    shown.add_argument("correction_id")
    appeal = commands.add_parser("appeal-file", help="file a family's appeal of its level for a month")
    appeal.add_argument("--period", required=True, type=parse_period)
    appeal.add_argument("--family-id", required=True, type=int)
    appeal.add_argument("--level", required=True, type=int, help="the level the family disputes")
    appeal.add_argument("--grounds", required=True)
    appeal.add_argument("--by", required=True)
    linked = commands.add_parser("appeal-link", help="link a correction filed for an appeal")
    linked.add_argument("appeal_id")
    linked.add_argument("correction_id")
    linked.add_argument("--by", required=True)
    decided_appeal = commands.add_parser("appeal-decide", help="uphold, dismiss or withdraw an appeal")
    decided_appeal.add_argument("appeal_id")
    decided_appeal.add_argument("decision", choices=appeals.DECISIONS)
    decided_appeal.add_argument("--by", required=True)
    decided_appeal.add_argument("--reason", default="")
    appeal_list = commands.add_parser("appeal-list", help="every appeal, one line each")
    appeal_list.add_argument("--period", type=parse_period)
    reported = commands.add_parser("report", help="the month's corrections and appeals per region")
    reported.add_argument("--period", required=True, type=parse_period)
    rescored = commands.add_parser(
        "rescore", help="recompute families with the corrections in force and print before and after"
    )
    rescored.add_argument("--period", required=True, type=parse_period)
    rescored.add_argument("--family", type=int, action="append", default=[], help="a family id (repeatable)")
    rescored.add_argument(
        "--correction", action="append", default=[], help="a correction id: its family (repeatable)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = PlatformPaths.from_env()
    root = paths.corrections_root
    try:
        if args.command == "file":
            evidence = Evidence(args.evidence_type, args.evidence_ref, args.evidence_date)
            known = population_iins(paths.landing_root / args.period)
            common = dict(
                subject_iin=args.subject_iin,
                evidence=evidence,
                requested_by=args.by,
                effective_from=args.effective_from,
                valid_until=args.valid_until,
                reason=args.reason,
                known_iins=known,
            )
            if args.change:
                if args.family_id is None:
                    raise CorrectionError("family_id: a membership change names the family card")
                cid = file_membership_change(root, family_id=args.family_id, change=args.change, **common)
            else:
                if not (args.registry and args.column):
                    raise CorrectionError("registry, column: a registry-value correction names both")
                cid = file_registry_correction(
                    root,
                    registry=args.registry,
                    column=args.column,
                    record_key=args.record_key,
                    registry_value=_value(args.registry_value),
                    corrected_value=_value(args.corrected_value),
                    **common,
                )
            print(f"filed {cid} (awaiting a decision by someone other than {args.by})")
        elif args.command in ("approve", "reject", "withdraw"):
            decision = {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}[args.command]
            correction = decide(root, args.correction_id, decision, args.by, args.reason)
            print(f"{correction.correction_id}: {correction.state} by {args.by}")
        elif args.command == "list":
            for c in corrections(root).values():
                if args.state and c.state != args.state:
                    continue
                what = (
                    f"{c.registry}.{c.column}" if c.kind == "registry_value" else f"{c.change} {c.family_id}"
                )
                print(
                    f"{c.correction_id}  {c.state:<9}  {mask_iin(c.subject_iin)}  {what}  from {c.effective_from}"
                )
        elif args.command == "show":
            state = corrections(root)
            if args.correction_id not in state:
                raise CorrectionError(f"{args.correction_id}: no such correction")
            c = state[args.correction_id]
            shown = {k: v for k, v in vars(c).items() if k != "evidence"} | {"evidence": vars(c.evidence)}
            shown["subject_iin"] = mask_iin(c.subject_iin)
            for key in ("registry_value", "corrected_value"):
                if isinstance(shown[key], str) and len(shown[key]) == 12 and shown[key].isdigit():
                    shown[key] = mask_iin(shown[key])
            print(json.dumps(shown, ensure_ascii=False, indent=1, default=str))
        elif args.command == "appeal-file":
            aid = appeals.file_appeal(
                root,
                family_id=args.family_id,
                period=args.period,
                disputed_level=args.level,
                grounds=args.grounds,
                by=args.by,
            )
            print(f"filed {aid} (family {args.family_id}, {args.period}, level {args.level})")
        elif args.command == "appeal-link":
            appeal = appeals.link_correction(root, args.appeal_id, args.correction_id, args.by)
            print(f"{appeal.appeal_id}: corrections {', '.join(appeal.corrections)}")
        elif args.command == "appeal-decide":
            appeal = appeals.decide_appeal(root, args.appeal_id, args.decision, args.by, args.reason)
            print(f"{appeal.appeal_id}: {appeal.state} by {args.by} after {appeal.days_to_decide} days")
        elif args.command == "appeal-list":
            for a in appeals.appeals(root).values():
                if args.period and a.period != args.period:
                    continue
                print(
                    f"{a.appeal_id}  {a.state:<9}  family {a.family_id}  {a.period}  level {a.disputed_level}"
                    f"  corrections {', '.join(a.corrections) or '-'}"
                )
        elif args.command == "report":
            from orchestration.corrections.report import regional_report

            with rescoring.connect_read_only(paths.warehouse_path) as connection:
                table = regional_report(connection, root, args.period)
            print(
                table.to_string(index=False)
                if len(table)
                else f"no appeal and no correction in {args.period}"
            )
        elif args.command == "rescore":
            families = [*args.family, *rescoring.families_of(paths, args.period, args.correction)]
            print(rescoring.report(rescoring.rescore(paths, args.period, families)))
    except (CorrectionError, rescoring.RescoringError) as error:
        print(f"corrections: {error}", file=sys.stderr)
        return 2
    return 0
