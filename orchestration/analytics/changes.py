"""Why a family's level changed from one month to the next (issue 7.2).

For every family scored in two consecutive months: the level and score before and after, the
change of every indicator's points, the cause of the change and the registries it comes from,
and a sentence a citizen can read, in Kazakh, Russian and English.

Causes (one per family, first that applies):
- `no_change`: same level, score, gate and points;
- `methodology_changed`: the methodology version differs between the months;
- `data_changed`: a feature feeding a changed indicator (or a changed gate) changed, and at least
  one of its registries delivered a fresh extract (its `as_of_<registry>` moved);
- `source_stale`: the features that changed come only from registries whose extract did not
  move: the "change" is not real, and it is never attributed to that registry;
- `parameters_changed`: points moved but no input feature did (the ПМ of the period, for one).

Pure pandas/numpy, vectorised over families: sentences are built once per distinct case, from
the templates in `sentences.yaml`. The warehouse reading and writing is `change_store.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from scoring_core.config import HIDDEN_INCOME_FEATURES, Methodology, all_levels

SOURCE_MAP_PATH = Path(__file__).with_name("feature_sources.yaml")
LANGUAGES = ("kk", "ru", "en")
LEVELS = all_levels()  # the methodology owns the levels
CHANGES_TABLE = "family_level_changes"

NO_CHANGE = "no_change"
METHODOLOGY_CHANGED = "methodology_changed"
DATA_CHANGED = "data_changed"
SOURCE_STALE = "source_stale"
PARAMETERS_CHANGED = "parameters_changed"

# Money features are compared at tiyn precision: float noise is not a change.
_FLOAT_TOLERANCE = 0.005

SENTENCES_PATH = Path(__file__).with_name("sentences.yaml")
_TEMPLATES = yaml.safe_load(SENTENCES_PATH.read_text(encoding="utf-8"))
#: Sentence templates per case and language (orchestration/analytics/sentences.yaml).
SENTENCES: dict[str, dict[str, str]] = _TEMPLATES["sentences"]
# "(data from X, as of D; Y, as of E)." and "X, still as of D"
_DATA_ITEM: dict[str, str] = _TEMPLATES["data_item"]
_DATA_WRAP: dict[str, str] = _TEMPLATES["data_wrap"]
_STALE_ITEM: dict[str, str] = _TEMPLATES["stale_item"]
_CORRECTION_CLAUSE: dict[str, str] = _TEMPLATES["correction_clause"]


@dataclass(frozen=True)
class SourceMap:
    """Feature -> registries it is read from, and the citizen-readable registry names."""

    feature_sources: dict[str, tuple[str, ...]]
    source_names: dict[str, dict[str, str]]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(self.source_names)


def load_source_map(path: str | Path = SOURCE_MAP_PATH) -> SourceMap:
    """Read the feature -> registry mapping (orchestration/analytics/feature_sources.yaml)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    feature_sources = {feature: tuple(sources) for feature, sources in raw["features"].items()}
    unknown = {s for sources in feature_sources.values() for s in sources} - set(raw["sources"])
    if unknown:
        raise ValueError(f"feature_sources.yaml names registries without a display name: {sorted(unknown)}")
    return SourceMap(feature_sources=feature_sources, source_names=raw["sources"])


def _expand_variables(variables, methodology: Methodology) -> set[str]:
    """Replace derived variables (pci_ratio, income, hidden_income) by the features behind them."""
    hidden = set(HIDDEN_INCOME_FEATURES)
    income = hidden | set(methodology.declared_income)
    derived = {"hidden_income": hidden, "income": income, "pci_ratio": income | {"n_members"}}
    features: set[str] = set()
    for name in variables:
        features |= derived.get(name, {name})
    return features


def indicator_inputs(methodology: Methodology) -> dict[str, set[str]]:
    """The features each indicator's points depend on, read from the methodology."""
    return {
        ind.code: _expand_variables(
            {*ind.numerator, *(ind.denominator or {}), *ind.per_unit, *(c.variable for c in ind.when)},
            methodology,
        )
        for ind in methodology.indicators
    }


def gate_inputs(methodology: Methodology) -> dict[str, set[str]]:
    """The features each gate's conditions depend on."""
    return {
        gate.code: _expand_variables({c.variable for c in gate.when}, methodology)
        for gate in methodology.gates
    }


def _changed(before: pd.Series, after: pd.Series) -> np.ndarray:
    """Element-wise 'the value changed' (missing on both sides is no change)."""
    b, a = before.to_numpy(), after.to_numpy()
    if b.dtype.kind == "f" or a.dtype.kind == "f":
        b, a = b.astype(float), a.astype(float)
        both_missing = np.isnan(b) & np.isnan(a)
        return ~both_missing & ~(np.abs(a - b) <= _FLOAT_TOLERANCE)
    b_missing, a_missing = pd.isna(before).to_numpy(), pd.isna(after).to_numpy()
    return np.where(b_missing | a_missing, b_missing != a_missing, b != a)


def _mask_labels(masks: np.ndarray, labels: tuple[str, ...]) -> pd.Series:
    """Comma-joined labels of the set bits of each row's bitmask (computed once per distinct mask)."""
    unique, inverse = np.unique(masks, return_inverse=True)
    texts = np.array(
        [", ".join(label for i, label in enumerate(labels) if int(m) >> i & 1) for m in unique], dtype=object
    )
    return pd.Series(texts[inverse.reshape(-1)])


def _bitmask(matrix: np.ndarray) -> np.ndarray:
    """Rows of a boolean matrix (at most 63 columns) as int64 bitmasks."""
    weights = np.left_shift(np.int64(1), np.arange(matrix.shape[1], dtype=np.int64))
    return (matrix.astype(np.int64) * weights).sum(axis=1)


def explain_changes(
    scores_before: pd.DataFrame,
    scores_after: pd.DataFrame,
    features_before: pd.DataFrame,
    features_after: pd.DataFrame,
    methodology: Methodology,
    source_map: SourceMap | None = None,
    corrections: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per family scored in both months: levels, deltas, cause, sources, sentences.

    `corrections` (family_id, correction_id): the corrections of registry data in force in the
    later month; each family's are named in its `corrections` column and its sentences.

    `scores_*` are rows of `family_scores`, `features_*` rows of `family_features` (with the
    `as_of_<registry>` columns) of the earlier and the later month. Families absent from either
    month are left out (count them with `families_not_compared`). Reason texts and indicator
    names come from `methodology` (the one in force for the later month).
    """
    source_map = source_map or load_source_map()
    codes = [c for c in methodology.indicator_codes]
    pairs = scores_before.merge(scores_after, on="family_id", suffixes=("_before", "_after"), validate="1:1")
    n = len(pairs)
    feature_names = [f for f in source_map.feature_sources if f in features_after.columns]
    sources = source_map.sources
    features_b = _aligned(features_before, pairs.family_id)
    features_a = _aligned(features_after, pairs.family_id)

    # Indicator deltas (an indicator missing from one month's scores counts as 0 points there).
    def points(suffix: str, code: str) -> np.ndarray:
        column = f"points_{code}_{suffix}"
        return pairs[column].fillna(0).to_numpy(np.int64) if column in pairs else np.zeros(n, np.int64)

    deltas = (
        np.column_stack([points("after", c) - points("before", c) for c in codes])
        if n
        else np.zeros((0, len(codes)), np.int64)
    )

    # Which features changed, which of their registries delivered a fresh extract.
    changed = (
        np.column_stack([_changed(features_b[f], features_a[f]) for f in feature_names])
        if n
        else np.zeros((0, len(feature_names)), bool)
    )
    as_of_b, as_of_a = _as_of_matrix(features_b, sources), _as_of_matrix(features_a, sources)
    # a registry is fresh when its extract moved forward (no as-of column at all: assume it did)
    no_column = np.array([f"as_of_{s}" not in features_a.columns for s in sources])
    fresh = no_column | (~np.isnat(as_of_a) & (np.isnat(as_of_b) | (as_of_a > as_of_b)))
    feature_source = np.array(
        [[s in source_map.feature_sources[f] for s in sources] for f in feature_names], dtype=bool
    )
    inputs = indicator_inputs(methodology)
    indicator_feature = np.array([[f in inputs[c] for f in feature_names] for c in codes], dtype=bool)

    level_b, level_a = pairs.level_before.to_numpy(), pairs.level_after.to_numpy()
    gate_b, gate_a = pairs.gate_before.astype(object), pairs.gate_after.astype(object)
    gate_changed = (gate_b.fillna("") != gate_a.fillna("")).to_numpy()

    # Features that can explain the change: inputs of indicators that moved, and of a gate that switched.
    relevant = (deltas != 0).astype(np.int64) @ indicator_feature.astype(np.int64) > 0
    for gate_code, gate_features in gate_inputs(methodology).items():
        switched = gate_changed & ((gate_b == gate_code) | (gate_a == gate_code)).to_numpy()
        relevant[switched] |= np.array([f in gate_features for f in feature_names])
    hit = (relevant & changed).astype(np.int64) @ feature_source.astype(np.int64) > 0
    fresh_hit, stale_hit = hit & fresh, hit & ~fresh

    score_b, score_a = pairs.score_before.to_numpy(), pairs.score_after.to_numpy()
    moved = (deltas != 0).any(axis=1) | (level_b != level_a) | (score_b != score_a) | gate_changed
    version_b, version_a = pairs.methodology_version_before, pairs.methodology_version_after
    cause = np.select(
        [~moved, (version_b != version_a).to_numpy(), fresh_hit.any(axis=1), stale_hit.any(axis=1)],
        [NO_CHANGE, METHODOLOGY_CHANGED, DATA_CHANGED, SOURCE_STALE],
        default=PARAMETERS_CHANGED,
    )

    points_after = (
        np.column_stack([points("after", c) for c in codes]) if n else np.zeros((0, len(codes)), np.int64)
    )
    key_kind, key_code = _key_factor(
        deltas, points_after, codes, level_b, level_a, score_b, score_a, gate_b, gate_a, gate_changed
    )
    feature_index = {f: i for i, f in enumerate(feature_names)}
    key_feature_matrix = np.zeros_like(changed)
    for code in set(key_code) - {None}:
        rows = key_code == code
        wanted = inputs.get(code) or gate_inputs(methodology).get(code, set())
        key_feature_matrix[np.ix_(rows, [feature_index[f] for f in wanted if f in feature_index])] = True
    key_fresh = (
        (key_feature_matrix & changed).astype(np.int64) @ feature_source.astype(np.int64) > 0
    ) & fresh
    # When the key indicator's own inputs show no fresh change, cite the family's fresh sources.
    key_fresh = np.where(key_fresh.any(axis=1, keepdims=True), key_fresh, fresh_hit)

    result = pd.DataFrame(
        {
            "period": pairs.period_after.to_numpy(),
            "previous_period": pairs.period_before.to_numpy(),
            "family_id": pairs.family_id.to_numpy(),
            "region": pairs.region_kato_after.to_numpy(),
            "level_before": level_b,
            "level_after": level_a,
            "level_change": level_a - level_b,
            "score_before": score_b,
            "score_after": score_a,
            "gate_before": gate_b.to_numpy(),
            "gate_after": gate_a.to_numpy(),
            "methodology_version_before": version_b.to_numpy(),
            "methodology_version_after": version_a.to_numpy(),
            "cause": cause,
            "key_factor": pd.Series(key_code, dtype=object).to_numpy(),
            "top_deltas": _top_deltas(deltas, codes),
            "sources": _mask_labels(_bitmask(fresh_hit), sources).to_numpy(),
            "stale_sources": _mask_labels(_bitmask(stale_hit), sources).to_numpy(),
            "changed_features": _mask_labels(_bitmask(changed), tuple(feature_names)).to_numpy(),
        }
    )
    for k, code in enumerate(codes):
        result[f"delta_{code}"] = deltas[:, k]
    sentences = _sentences(result, key_kind, key_fresh, stale_hit, as_of_a, sources, source_map, methodology)
    named = _named_corrections(result.family_id, corrections)
    result["corrections"] = named
    has = named.notna().to_numpy()
    for language in LANGUAGES:
        clause = np.array(
            [
                _CORRECTION_CLAUSE[language].format(ids=ids) if ok else ""
                for ids, ok in zip(named, has, strict=True)
            ],
            dtype=object,
        )
        result[f"explanation_{language}"] = sentences[language] + clause
    # text columns typed as text even when a region has only nulls in them (the table's schema)
    text_columns = result.select_dtypes(include="object").columns
    result[text_columns] = result[text_columns].astype("string")
    return result


def _named_corrections(family_ids: pd.Series, corrections: pd.DataFrame | None) -> pd.Series:
    """Per family: its corrections in force, 'C-000001, C-000004', or null."""
    if corrections is None or not len(corrections):
        return pd.Series([None] * len(family_ids), index=family_ids.index, dtype=object)
    ids = corrections.groupby("family_id")["correction_id"].agg(lambda s: ", ".join(sorted(set(s))))
    return family_ids.map(ids).astype(object).where(family_ids.isin(ids.index), None)


def _aligned(features: pd.DataFrame, family_ids: pd.Series) -> pd.DataFrame:
    """`features` reordered to `family_ids` (missing families give empty rows)."""
    return features.set_index("family_id").reindex(family_ids.to_numpy()).reset_index(drop=True)


def _as_of_matrix(features: pd.DataFrame, sources: tuple[str, ...]) -> np.ndarray:
    """The `as_of_<registry>` dates as an (families x registries) datetime64[D] matrix (NaT if absent)."""
    matrix = np.full((len(features), len(sources)), np.datetime64("NaT"), dtype="datetime64[D]")
    for j, source in enumerate(sources):
        column = f"as_of_{source}"
        if column in features.columns:
            values = features[column].to_numpy()
            matrix[:, j] = (
                values.astype("datetime64[D]")
                if values.dtype.kind == "M"
                else np.array([None if pd.isna(v) else v for v in values], dtype="datetime64[D]")
            )
    return matrix


def _key_factor(
    deltas, points_after, codes, level_b, level_a, score_b, score_a, gate_b, gate_a, gate_changed
):
    """The one thing the sentence names: a gate that switched, else the indicator that moved most
    in the direction of the change (most negative when the level fell, most positive when it rose).
    Ties go to the indicator listed first in the methodology. Kinds: `down` (a negative condition,
    told by its reason text), `lost` (a plus that shrank, told by its name), `up`, `gate_on`,
    `gate_lifted`."""
    n = len(level_b)
    direction = np.sign(np.where(level_a != level_b, level_a - level_b, score_a - score_b))
    kind = np.full(n, None, dtype=object)
    code = np.full(n, None, dtype=object)
    if n == 0:
        return kind, code
    most_negative, most_positive = deltas.argmin(axis=1), deltas.argmax(axis=1)
    rows = np.arange(n)
    falling = (direction < 0) & (deltas[rows, most_negative] < 0)
    rising = (direction > 0) & (deltas[rows, most_positive] > 0)
    codes_array = np.array(codes, dtype=object)
    code[falling] = codes_array[most_negative[falling]]
    negative_now = points_after[rows, most_negative] < 0
    kind[falling & negative_now], kind[falling & ~negative_now] = "down", "lost"
    code[rising], kind[rising] = codes_array[most_positive[rising]], "up"
    level_moved = level_a != level_b
    gate_on = gate_changed & level_moved & gate_a.notna().to_numpy()
    gate_off = gate_changed & level_moved & gate_a.isna().to_numpy() & gate_b.notna().to_numpy()
    code[gate_on], kind[gate_on] = gate_a.to_numpy()[gate_on], "gate_on"
    code[gate_off], kind[gate_off] = gate_b.to_numpy()[gate_off], "gate_lifted"
    return kind, code


def _top_deltas(deltas: np.ndarray, codes: list[str], top: int = 3) -> np.ndarray:
    """'CODE +N; CODE -M' of the (at most three) largest absolute deltas, ties in methodology order."""
    if len(deltas) == 0:
        return np.array([], dtype=object)
    order = np.argsort(-np.abs(deltas), axis=1, kind="stable")[:, :top]
    picked = np.take_along_axis(deltas, order, axis=1)
    unique, inverse = np.unique(np.concatenate([order, picked], axis=1), axis=0, return_inverse=True)
    width = order.shape[1]
    texts = np.array(
        [
            "; ".join(f"{codes[row[i]]} {row[width + i]:+d}" for i in range(width) if row[width + i] != 0)
            for row in unique
        ],
        dtype=object,
    )
    return texts[inverse.reshape(-1)]


def _sentences(result, key_kind, key_fresh, stale_hit, as_of_after, sources, source_map, methodology):
    """The citizen-readable sentence per family and language, built once per distinct case."""
    # as-of dates are per period, but kept per row (as an id of the distinct date rows) so a
    # mixed frame stays correct
    if len(as_of_after):
        date_rows, date_id = np.unique(as_of_after.view(np.int64), axis=0, return_inverse=True)
    else:
        date_rows, date_id = np.zeros((0, len(sources)), np.int64), np.zeros(0, np.int64)
    date_texts = [
        {
            s: (None if np.isnat(d) else str(d))
            for s, d in zip(sources, row.view("datetime64[D]"), strict=True)
        }
        for row in date_rows
    ]
    key_mask, stale_mask = _bitmask(key_fresh), _bitmask(stale_hit)
    cases = pd.DataFrame(
        {
            "b": result.level_before,
            "a": result.level_after,
            "cause": result.cause,
            "kind": pd.Series(key_kind, dtype=object),
            "code": result.key_factor,
            "key_mask": key_mask,
            "stale_mask": stale_mask,
            "vb": result.methodology_version_before,
            "va": result.methodology_version_after,
            "dates": date_id.reshape(-1),
        }
    )
    keys = list(cases.columns)
    unique = cases.drop_duplicates(keys).reset_index(drop=True)
    texts = {language: [] for language in LANGUAGES}
    for case in unique.itertuples(index=False):
        dates = date_texts[case.dates]
        for language in LANGUAGES:
            texts[language].append(_sentence(case, dates, language, sources, source_map, methodology))
    for language in LANGUAGES:
        unique[language] = texts[language]
    merged = cases.merge(unique, on=keys, how="left")
    return {language: merged[language].to_numpy() for language in LANGUAGES}


def _sources_text(mask: int, dates: dict, sources, source_map, language: str, clause: dict[str, str]) -> str:
    """'X, Y, as of D; Z, as of E': the registries of a bitmask grouped by their as-of date."""
    by_date: dict[str, list[str]] = {}
    for i, s in enumerate(sources):
        if int(mask) >> i & 1:
            by_date.setdefault(dates[s] or "?", []).append(source_map.source_names[s][language])
    return "; ".join(
        clause[language].format(src=", ".join(names), date=date) for date, names in by_date.items()
    )


def _sentence(case, dates, language, sources, source_map, methodology) -> str:
    b, a = int(case.b), int(case.a)
    if b == a:
        return SENTENCES["stays"][language].format(a=a)
    if case.cause == METHODOLOGY_CHANGED:
        return SENTENCES[METHODOLOGY_CHANGED][language].format(b=b, a=a, vb=case.vb, va=case.va)
    if case.cause == SOURCE_STALE:
        stale = _sources_text(case.stale_mask, dates, sources, source_map, language, _STALE_ITEM)
        return SENTENCES[SOURCE_STALE][language].format(b=b, a=a, stale=stale)
    if case.cause == PARAMETERS_CHANGED or case.code is None:
        return SENTENCES[PARAMETERS_CHANGED][language].format(b=b, a=a)
    items = _sources_text(case.key_mask, dates, sources, source_map, language, _DATA_ITEM)
    data = _DATA_WRAP[language].format(items=items) if items else "."
    if case.kind in ("gate_on", "gate_lifted"):
        why = methodology.gate(case.code).reason[language]
        template = (
            "down"
            if case.kind == "gate_on" and a < b
            else ("gate_lifted" if case.kind == "gate_lifted" else "up")
        )
    else:
        indicator = methodology.indicator(case.code)
        why = indicator.reason[language] if case.kind == "down" else indicator.name[language]
        template = case.kind
    return SENTENCES[template][language].format(b=b, a=a, why=why.rstrip("."), data=data)


def transition_matrix(changes: pd.DataFrame, region: str | None = None) -> pd.DataFrame:
    """6x6 counts of families by level before (rows) and after (columns), for one region or all."""
    rows = changes if region is None else changes[changes.region == region]
    counts = pd.crosstab(rows.level_before, rows.level_after)
    counts = counts.reindex(index=LEVELS, columns=LEVELS, fill_value=0)
    counts.index = [f"before {level}" for level in LEVELS]
    counts.columns = [f"after {level}" for level in LEVELS]
    return counts


def families_not_compared(scores_before: pd.DataFrame, scores_after: pd.DataFrame) -> dict[str, int]:
    """Families scored only in the later month (new) or only in the earlier one (gone)."""
    before, after = set(scores_before.family_id), set(scores_after.family_id)
    return {"new_families": len(after - before), "gone_families": len(before - after)}
