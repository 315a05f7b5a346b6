"""docs/methodology.md is generated from the methodology YAML and must not drift from it."""

from __future__ import annotations

from scoring_core.docs import DOC_PATH, current_methodology, render


def test_committed_document_equals_the_generated_text():
    assert DOC_PATH.read_text(encoding="utf-8") == render(current_methodology()), (
        "docs/methodology.md is stale: run `python -m scoring_core.docs`"
    )


def test_document_shows_the_numbers_of_the_config(methodology):
    text = render(methodology)
    for needle in ("score 1,800 or more", "score -458 to -31", "70,000 KZT", "| >= 12 | +2,000 |",
                   "| 2..3 | +100 |", "G1_FOOD_DEFICIT: Food deficit | `pci_ratio` below 0.55 and `n_dwellings` at most 1",
                   "−250 for each unit of `n_disabled_adults_g12`", "max(`n_working`, 1)"):  # fmt: skip
        assert needle in text, needle
    changed = render(current_methodology().__class__(**{**methodology.__dict__, "version": "KZ-TEST.1"}))
    assert "# Family wellbeing methodology KZ-TEST.1" in changed
