"""Generate docs/methodology.md, the methodology for readers who are not programmers, from its YAML.

    python -m scoring_core.docs            # rewrite docs/methodology.md from the latest methodology
    python -m scoring_core.docs --check    # exit 1 if the committed file differs from the YAML

Every number in the document comes from the methodology file, so the two cannot drift
(tests/scoring_core/test_docs.py runs the check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring_core.config import Indicator, Methodology, _num, available_methodologies

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "methodology.md"
_DIMENSION_TEXT = {
    "M": "material situation: income, housing, property, transport, loans",
    "N": "non-material situation: health, disability, education",
    "D": "dependency: how many members each working member supports",
    "S": "self-realisation: capacity to work and earn",
}
_OP_TEXT = {"<": "below", "<=": "at most", "==": "equal to", ">=": "at least", ">": "above", "!=": "not"}
_DERIVED_TEXT = {
    "pci_ratio": "income per family member as a share of the subsistence minimum (PM)",
    "hidden_income": "imputed hidden income (KZT a month)",
    "income": "declared plus hidden income (KZT a month)",
}


def _signed(points: int) -> str:
    return f"+{points:,}" if points > 0 else f"{points:,}".replace("-", "\u2212")


def _variable(name: str) -> str:
    return f"`{name}`"


def _quantity(ind: Indicator) -> str:
    """What the indicator's bands are applied to, in words and symbols."""

    def linear(terms: dict[str, float]) -> str:
        parts = []
        for i, (name, coef) in enumerate(terms.items()):
            sign = "" if i == 0 and coef > 0 else (" \u2212 " if coef < 0 else " + ")
            if i == 0 and coef < 0:
                sign = "\u2212"
            factor = "" if abs(coef) == 1 else f"{_num(abs(coef))} \u00d7 "
            parts.append(f"{sign}{factor}{_variable(name)}")
        return "".join(parts)

    text = linear(ind.numerator)
    if ind.denominator:
        below = linear(ind.denominator)
        if ind.denominator_floor != -float("inf"):
            below = f"max({below}, {_num(ind.denominator_floor)})"
        text = f"({text}) / {below}" if len(ind.numerator) > 1 else f"{text} / {below}"
    return text


def _condition(c) -> str:
    return f"{_variable(c.variable)} {_OP_TEXT[c.op]} {_num(c.threshold)}"


def _indicator_section(m: Methodology, ind: Indicator) -> list[str]:
    lines = [f"#### {ind.code}: {ind.name['en']}", ""]
    if ind.is_per_unit:
        items = [
            f"{_signed(p)} " + ("if " if m.feature_type(v) == "flag" else "for each unit of ") + _variable(v)
            for v, p in ind.per_unit.items()
        ]
        lines.append("Points: " + "; ".join(items) + (" (they add up)." if len(items) > 1 else "."))
    else:
        whole = (
            len(ind.numerator) == 1 and not ind.denominator and m.is_whole_number(next(iter(ind.numerator)))
        )
        lines += [f"Scored on: {_quantity(ind)}.", "", "| value | points |", "|---|---|"]
        lines += [f"| {band.describe(whole)} | {_signed(band.points)} |" for band in ind.bands]
        lines.append("| any other value | 0 |")
    if ind.when:
        lines += ["", "Scored only when " + " and ".join(_condition(c) for c in ind.when) + "; otherwise 0."]
    if ind.note:
        lines += ["", f"Note: {ind.note}."]
    lines += ["", f"Reason text: {ind.reason['en']} / {ind.reason['ru']} / {ind.reason['kk']}", ""]
    return lines


def render(m: Methodology) -> str:
    """The whole document for one methodology."""
    h = m.hidden_income
    ladder = dict(m.score_ladder)
    lines = [
        f"# Family wellbeing methodology {m.version}",
        "",
        f"<!-- Generated from scoring_core/methodologies/{Path(m.source).name} by `python -m scoring_core.docs`."
        " Do not edit by hand: change the YAML and regenerate. -->",
        "",
        f"{m.raw['title']['en']} ({m.raw['title']['ru']}; {m.raw['title']['kk']}). In force from "
        f"{m.effective_from.isoformat()} until a newer methodology takes effect.",
        "",
        "Every month each family gets points for a list of indicators of its situation. The points add up to"
        " a score; the score gives a wellbeing level from 1 (extreme need) to 6 (high wellbeing); then a few"
        " gates can override the level for clear-cut situations. Each family's result also names up to three"
        " indicators that lowered its score the most, so the result can be explained to the family.",
        "",
        "Money amounts are in tenge (KZT) a month. PM is the subsistence minimum in force for the month; it is"
        " set by law and read from `dbt_project/seeds/money_by_year.csv`, not from this methodology.",
        "",
        "## The six levels",
        "",
        "| level | name | Russian | Kazakh | legacy family-card letter | how a family gets it |",
        "|---|---|---|---|---|---|",
    ]
    for lv in sorted(m.levels, key=lambda lv: -lv.level):
        if lv.level in ladder:
            upper = ladder.get(lv.level + 1)
            how = f"score {_num(ladder[lv.level])}" + (
                f" to {_num(upper - 1)}" if upper is not None else " or more"
            )
        elif lv.level == m.base_level:
            how = f"score {_num(ladder[lv.level + 1] - 1)} or less"
        else:
            how = "only through a gate"
        letter = lv.legacy_letter or "none"
        lines.append(
            f"| {lv.level} | {lv.name['en']} | {lv.name['ru']} | {lv.name['kk']} | {letter} | {how} |"
        )
    lines += [
        "",
        "## Step 1: hidden income",
        "",
        "Registries do not see all income (about a third of earners report informal work), so income that"
        " property and activity signals suggest is added to the declared income:",
        "",
        f"- each owned dwelling beyond the first: {_num(h['extra_dwelling_rent'])} KZT (as if rented out);",
        f"- each commercial property: {_num(h['commercial_rent'])} KZT;",
        f"- livestock: its value \u00d7 {_num(h['livestock_annual_yield'])} / 12 (the yearly yield, per month);",
        f"- each able-bodied adult who does not work but shows activity signals: {_num(h['informal_income_pm'])} \u00d7 PM.",
        "",
        "Income = " + " + ".join(_variable(f) for f in m.declared_income) + " + hidden income.",
        "The income ratio `pci_ratio` = income / `n_members` / PM: 1 means income per person equals the"
        " subsistence minimum. Each result reports the hidden income and its share of income.",
        "",
        "## Step 2: indicators",
        "",
        "An indicator adds or takes away points. The score of a dimension is the sum of its indicators; the"
        " score is the sum of all. A range written [a, b) includes a and excludes b; a..b are whole numbers.",
        "",
    ]
    for code in ("M", "N", "D", "S"):
        name = m.raw["dimensions"][code]
        lines += [
            f"### {code}: {name['en']} ({name['ru']}; {name['kk']})",
            "",
            f"The {_DIMENSION_TEXT[code]}.",
            "",
        ]
        for ind in m.indicators:
            if ind.dimension == code:
                lines += _indicator_section(m, ind)
    lines += [
        "## Step 3: level from the score",
        "",
        "See the level table above: the score is compared with each level's minimum score.",
        "",
        "## Step 4: gates",
        "",
        "Gates are checked in this order after the level from the score; each one that holds changes the level."
        " The gate reported with the result is the last one that held.",
        "",
        "| order | gate | holds when | effect |",
        "|---|---|---|---|",
    ]
    for i, g in enumerate(m.gates, 1):
        if g.level_min == g.level_max:
            effect = f"level becomes {g.level_min}"
        elif g.level_min == 1:
            effect = f"level becomes at most {g.level_max}"
        else:
            effect = f"level becomes at least {g.level_min}" + (
                f" and at most {g.level_max}" if g.level_max < len(m.levels) else ""
            )
        when = " and ".join(_condition(c) for c in g.when)
        lines.append(f"| {i} | {g.code}: {g.name['en']} | {when} | {effect} |")
    lines += [
        "",
        "Gate reason texts: "
        + "; ".join(f"{g.code}: {g.reason['en']} / {g.reason['ru']} / {g.reason['kk']}" for g in m.gates),
        "",
        "## Step 5: what every family's result carries",
        "",
        "The score and the four dimension scores; the hidden income and its share of income; `pci_ratio`;"
        " the level and its legacy letter (none for level 1); the gate that decided, if any; the points of"
        " every indicator; the methodology version and the month. Reasons: the indicators with negative"
        " points, most negative first, ties in the order of Step 2, at most three.",
        "",
        "## Parameters",
        "",
        "| name | value | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {_num(p['value'])} | {p['meaning']} |" for name, p in m.raw["parameters"].items()]
    lines += [
        "",
        "## Features (inputs, one row per family and month)",
        "",
        "| feature | kind | meaning |",
        "|---|---|---|",
    ]
    for name, spec in m.features.items():
        kind = spec["type"] + (f" ({', '.join(map(str, spec['values']))})" if "values" in spec else "")
        lines.append(f"| `{name}` | {kind} | {spec['meaning']} |")
    lines += ["", "Derived quantities usable by indicators and gates:", ""]
    lines += [f"- `{name}`: {text}" for name, text in _DERIVED_TEXT.items()]
    return "\n".join(lines) + "\n"


def current_methodology() -> Methodology:
    """The methodology the document describes: the latest by effective date."""
    return available_methodologies()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed document is stale")
    parser.add_argument("--output", type=Path, default=DOC_PATH)
    args = parser.parse_args(argv)
    text = render(current_methodology())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run python -m scoring_core.docs", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
