"""Month-over-month change explanations on eight hand-built families (see families.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from kz_domain.period import previous_period
from orchestration.analytics.changes import (
    DATA_CHANGED,
    METHODOLOGY_CHANGED,
    NO_CHANGE,
    SOURCE_STALE,
    explain_changes,
    families_not_compared,
    indicator_inputs,
    load_source_map,
    transition_matrix,
)
from tests.analytics.families import methodology, two_months


@pytest.fixture(scope="module")
def changes() -> pd.DataFrame:
    scores_before, scores_after, features_before, features_after = two_months()
    result = explain_changes(scores_before, scores_after, features_before, features_after, methodology())
    return result.set_index("family_id")


def test_only_families_of_both_months_are_compared(changes):
    assert sorted(changes.index) == [1, 2, 3, 4, 6, 7, 8]
    scores_before, scores_after, _, _ = two_months()
    assert families_not_compared(scores_before, scores_after) == {"new_families": 1, "gone_families": 0}


def test_causes(changes):
    assert changes.cause.to_dict() == {
        1: DATA_CHANGED,
        2: SOURCE_STALE,
        3: METHODOLOGY_CHANGED,
        4: NO_CHANGE,
        6: DATA_CHANGED,
        7: DATA_CHANGED,
        8: DATA_CHANGED,
    }


def test_sources_fresh_are_blamed_stale_are_not(changes):
    assert changes.loc[1, "sources"] == "pension_contributions"
    assert changes.loc[1, "stale_sources"] == ""
    assert changes.loc[8, "sources"] == "health"
    assert changes.loc[2, "sources"] == ""
    assert changes.loc[2, "stale_sources"] == "vehicles"
    # wages (fresh) and cars (stale) both changed: only the fresh registry is blamed
    assert changes.loc[7, "sources"] == "pension_contributions"
    assert changes.loc[7, "stale_sources"] == "vehicles"
    assert changes.loc[7, "changed_features"] == "income_wages, n_cars"


def test_indicator_deltas(changes):
    assert changes.loc[1, "delta_M1_INCOME"] == -70
    assert changes.loc[1, "top_deltas"] == "M1_INCOME -70"
    assert changes.loc[2, "delta_M4_CARS"] == -50
    assert changes.loc[7, "top_deltas"] == "M1_INCOME +110; M4_CARS -50"
    assert changes.loc[4, "top_deltas"] == ""
    assert (changes.loc[4, [c for c in changes.columns if c.startswith("delta_")]] == 0).all()
    assert changes.loc[
        1, ["level_before", "level_after", "level_change", "score_before", "score_after"]
    ].tolist() == [4, 3, -1, 0, -70]


def test_key_factor_is_the_switched_gate_or_the_largest_delta_in_the_direction_of_change(changes):
    assert changes.loc[1, "key_factor"] == "M1_INCOME"
    assert changes.loc[6, "key_factor"] == "G2_POVERTY_CAP"  # M1 stayed at 100, the gate capped the level
    assert changes.loc[7, "key_factor"] == "M1_INCOME"  # level rose: the largest positive delta


def test_sentences_english(changes):
    en = changes.explanation_en
    assert en[1] == (
        "Your family moved from level 4 to level 3 because this went down: Income per person "
        "(data from pension contributions, as of 2026-09-30)."
    )
    assert en[8] == (
        "Your family moved from level 4 to level 3 because: A member is under observation for a chronic disease "
        "(data from the health register, as of 2026-09-30)."
    )
    assert en[2] == (
        "Your family's level changed from 4 to 3, but the change comes from data that was not refreshed "
        "(the vehicle register, still as of 2026-08-31): it is not treated as a real change and will be "
        "checked against fresh data."
    )
    assert (
        en[3]
        == "Your family moved from level 5 to level 4 because the scoring methodology changed (KZ-2025.9 → KZ-2026.1)."
    )
    assert en[4] == "Your family stays at level 4."
    assert en[6] == (
        "Your family moved from level 4 to level 3 because: Income per person is below the poverty line "
        "(data from pension contributions, as of 2026-09-30)."
    )
    assert en[7] == (
        "Your family moved from level 4 to level 5 because this improved: Income per person "
        "(data from pension contributions, as of 2026-09-30)."
    )


def test_sentences_russian_and_kazakh(changes):
    assert changes.loc[8, "explanation_ru"] == (
        "Ваша семья перешла с уровня 4 на уровень 3, потому что: Член семьи под динамическим наблюдением "
        "по хроническому заболеванию (данные: регистр здравоохранения, по состоянию на 2026-09-30)."
    )
    assert changes.loc[1, "explanation_ru"] == (
        "Ваша семья перешла с уровня 4 на уровень 3, потому что снизился показатель: Доход на душу "
        "(данные: пенсионные взносы, по состоянию на 2026-09-30)."
    )
    assert changes.loc[4, "explanation_kk"] == "Сіздің отбасыңыз 4-деңгейде қалды."
    kk = changes.loc[8, "explanation_kk"]
    assert (
        "Отбасы мүшесі созылмалы аурумен динамикалық бақылауда" in kk and "денсаулық сақтау тіркелімі" in kk
    )
    assert "2026-09-30" in kk
    assert "көлік құралдары тіркелімі" in changes.loc[2, "explanation_kk"]


def test_transition_matrix(changes):
    matrix = transition_matrix(changes.reset_index(), "79")
    assert matrix.shape == (6, 6)
    assert matrix.loc["before 4", "after 3"] == 4
    assert matrix.loc["before 4", "after 4"] == 1
    assert matrix.loc["before 4", "after 5"] == 1
    assert matrix.loc["before 5", "after 4"] == 1
    assert matrix.to_numpy().sum() == 7
    assert transition_matrix(changes.reset_index(), "35").to_numpy().sum() == 0


def test_every_methodology_feature_has_a_source():
    source_map = load_source_map()
    features = {f for inputs in indicator_inputs(methodology()).values() for f in inputs}
    assert features <= set(source_map.feature_sources)
    assert indicator_inputs(methodology())["M4_CARS"] == {"n_cars"}
    assert {"income_wages", "n_members", "n_informal_signal_adults"} <= indicator_inputs(methodology())[
        "M1_INCOME"
    ]


def test_previous_period():
    assert previous_period("2026-10") == "2026-09"
    assert previous_period("2026-01") == "2025-12"


def test_sources_are_grouped_by_their_as_of_date():
    from orchestration.analytics.changes import _DATA_ITEM, _sources_text

    source_map = load_source_map()
    sources = source_map.sources
    mask = sum(1 << sources.index(s) for s in ("pension_contributions", "vehicles", "health"))
    dates = {s: "2026-09-30" for s in sources} | {"vehicles": "2026-08-31"}
    assert _sources_text(mask, dates, sources, source_map, "en", _DATA_ITEM) == (
        "pension contributions, the health register, as of 2026-09-30; the vehicle register, as of 2026-08-31"
    )


def test_every_sentence_template_exists_in_every_language():
    from orchestration.analytics.changes import (
        _CORRECTION_CLAUSE,
        _DATA_ITEM,
        _DATA_WRAP,
        _STALE_ITEM,
        LANGUAGES,
        SENTENCES,
    )

    templates = [*SENTENCES.items(), ("data_item", _DATA_ITEM), ("data_wrap", _DATA_WRAP)]
    for name, template in [*templates, ("correction_clause", _CORRECTION_CLAUSE)]:
        assert set(template) == set(LANGUAGES), name
    assert set(_STALE_ITEM) == set(LANGUAGES)


def test_the_correction_that_moved_a_family_is_named_in_its_sentences_in_every_language(changes):
    scores_before, scores_after, features_before, features_after = two_months()
    corrections = pd.DataFrame(
        {"family_id": [1, 1, 4], "correction_id": ["C-000004", "C-000001", "C-000002"]}
    )
    corrected = explain_changes(
        scores_before, scores_after, features_before, features_after, methodology(), corrections=corrections
    ).set_index("family_id")
    assert corrected.loc[1, "corrections"] == "C-000001, C-000004"
    assert corrected.loc[1, "explanation_en"] == (
        changes.loc[1, "explanation_en"] + " A correction of your data was applied: C-000001, C-000004."
    )
    assert corrected.loc[1, "explanation_ru"].endswith("Учтено исправление ваших данных: C-000001, C-000004.")
    assert corrected.loc[1, "explanation_kk"].endswith("түзетуі ескерілді: C-000001, C-000004.")
    # a family without a correction keeps its sentence as it was
    assert pd.isna(corrected.loc[2, "corrections"])
    assert corrected.loc[2, "explanation_en"] == changes.loc[2, "explanation_en"]


def test_a_changes_table_written_before_the_corrections_column_gains_it():
    import duckdb

    from orchestration.analytics.change_store import write_changes

    connection = duckdb.connect()
    connection.execute("create table family_level_changes (family_id bigint, period varchar)")
    connection.execute("insert into family_level_changes values (1, '2026-09')")
    frame = pd.DataFrame({"family_id": [2], "period": ["2026-10"], "corrections": ["C-000001"]})
    assert write_changes(connection, "2026-10", [frame]) == 1
    assert connection.execute("select * from family_level_changes order by 1").fetchall() == [
        (1, "2026-09", None),
        (2, "2026-10", "C-000001"),
    ]
