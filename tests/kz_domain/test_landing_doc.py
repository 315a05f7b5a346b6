"""docs/landing.md documents exactly the columns and types of kz_domain/landing_contract.py."""

from __future__ import annotations

import re
from pathlib import Path

from kz_domain.contract_doc import BEGIN, END, render
from kz_domain.landing_contract import REGISTRIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "landing.md"


def _documented() -> dict[str, list[tuple[str, str]]]:
    """{registry: [(column, type), ...]} read from the markdown headings and tables."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END)]
    tables: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in section.splitlines():
        heading = re.fullmatch(r"### `(\w+)`", line.strip())
        if heading:
            current = heading.group(1)
            tables[current] = []
            continue
        row = re.match(r"\| `(\w+)` \| `([^`]+)` \|", line)
        if row and current:
            tables[current].append((row.group(1), row.group(2)))
    return tables


def test_doc_lists_exactly_the_contract_columns_and_types():
    expected = {name: [(f.name, str(f.type)) for f in schema] for name, schema in REGISTRIES.items()}
    assert _documented() == expected


def test_doc_section_is_the_rendered_one():
    text = DOC.read_text(encoding="utf-8")
    assert render() in text, "run `python -m kz_domain.contract_doc` and paste the output"
