"""The dbt sources restate the landing contract for dbt: these tests tie them, column by column."""

from __future__ import annotations

from pathlib import Path

import yaml

from kz_domain.contract_doc import DBT_DOCS_PATH, doc_name, render_dbt_docs
from kz_domain.landing_contract import REGISTRIES

DBT = Path(__file__).resolve().parents[2] / "dbt_project"


def test_every_landing_source_has_exactly_the_contract_columns_described_by_their_docs_block():
    sources = yaml.safe_load((DBT / "models" / "staging" / "__sources.yml").read_text(encoding="utf-8"))
    (landing,) = [s for s in sources["sources"] if s["name"] == "landing"]
    declared = {
        t["name"]: [(c["name"], c.get("description", "")) for c in t["columns"]] for t in landing["tables"]
    }
    expected = {
        name: [(f.name, f"{{{{ doc('{doc_name(name, f.name)}') }}}}") for f in schema]
        for name, schema in REGISTRIES.items()
    }
    assert declared == expected


def test_the_docs_blocks_hold_the_contracts_meaning_of_every_column():
    assert DBT_DOCS_PATH.read_text(encoding="utf-8") == render_dbt_docs(), (
        "run `python -m kz_domain.contract_doc --dbt`"
    )


def test_the_dbt_var_lists_the_contract_registries_in_contract_order():
    project = yaml.safe_load((DBT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["landing_registries"] == list(REGISTRIES)


def test_the_dbt_vars_of_corrections_are_the_contracts_record_keys_and_subject_columns():
    from kz_domain.landing_contract import RECORD_KEYS, SUBJECT_COLUMNS

    project = yaml.safe_load((DBT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["record_keys"] == RECORD_KEYS
    assert project["vars"]["subject_columns"] == SUBJECT_COLUMNS
