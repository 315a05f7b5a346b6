"""Rescoring on demand: a few families' features, level and eligibility recomputed from the
month's warehouse with the corrections in force now, without rebuilding the month.

The same dbt models and scoring step as the monthly run, on less data:

1. dbt runs the kept-row views (where corrections apply), the intermediate models and the marts
   `family_features` / `family_members` into a scratch database (target `rescoring`), narrowed to
   the families (env DBT_FAMILIES, `macros/rescoring.sql`); every other model (the registries'
   checked tables, the seeds) is read from the month's warehouse, attached read-only (`--defer`).
2. The families are scored (`orchestration.scoring.scores.score_families`, as in the monthly run).
3. dbt runs the eligibility models into the same scratch database.

Nothing is written to the warehouse or published: the result is the families' before (the
month's warehouse) and after (the scratch database). The next monthly run includes the
corrections, and a republication of a region goes through the same gates as any other.

    python -m orchestration.corrections rescore --period 2026-11 --family 123 [--family 456]
    python -m orchestration.corrections rescore --period 2026-11 --correction C-000001
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from kz_domain.period import parse_period
from orchestration.settings import DBT_PROJECT_DIR, PlatformPaths
from orchestration.warehouse.queries import corrections_of

#: The dbt target of the scratch database (dbt_project/profiles.yml).
RESCORING_TARGET = "rescoring"
#: Models rebuilt for the families: everything between the corrections (on which every kept-row
#: view depends) and the two marts the scoring and the eligibility rules read.
FEATURES_SELECTION = ("stg_corrections+,+family_features", "stg_corrections+,+family_members")
#: The eligibility models the list needs (the assessment says which services list the family).
ELIGIBILITY_SELECTION = ("+eligibility_list,path:models/eligibility",)
#: A rescoring is for the families a caseworker is looking at, not for a region.
MAX_FAMILIES = 10_000
#: Feature columns that are not compared before/after (keys and extract dates).
_NOT_COMPARED = ("family_id", "period")


class RescoringError(Exception):
    """A rescoring that cannot run or failed; the message names no person."""


@dataclass(frozen=True)
class Rescoring:
    """The families before (the month's warehouse) and after (with the corrections in force)."""

    period: str
    families: tuple[int, ...]
    table: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)

    def changed_levels(self) -> int:
        return int((self.table["level_before"] != self.table["level_after"]).sum())


# ---------------------------------------------------------------- dbt arguments (pure)
def _project_args(target_path: Path) -> list[str]:
    project = str(DBT_PROJECT_DIR)
    return [
        "--project-dir", project, "--profiles-dir", project,
        "--target", RESCORING_TARGET, "--target-path", str(target_path),
    ]  # fmt: skip


def rescoring_target_path() -> Path:
    """Where the rescoring target keeps its parse state (prepared at install, `make`);
    RESCORING_DBT_TARGET_PATH moves it (an installation with other paths, a test)."""
    return Path(os.environ.get("RESCORING_DBT_TARGET_PATH") or DBT_PROJECT_DIR / "target" / RESCORING_TARGET)


def rescoring_parse_args() -> list[str]:
    """`dbt parse` for the rescoring target: its parse state, so no rescoring pays a full parse."""
    return ["parse", "--quiet", *_project_args(rescoring_target_path())]


def rescoring_run_args(selection: Sequence[str], state: Path) -> list[str]:
    """`dbt run` of `selection` into the scratch database, the rest deferred to the month's
    warehouse as the monthly manifest (`state`) names it."""
    return [
        "run", *_project_args(rescoring_target_path()), "--select", *selection,
        "--defer", "--state", str(state), "--no-write-json",
    ]  # fmt: skip


def rescoring_environment(period: str, families: Sequence[int]) -> dict[str, str]:
    """The month (as for every dbt command), the families (macros/rescoring.sql), and every
    event of the corrections log (a rescoring applies the corrections in force now)."""
    return {
        "DBT_PERIOD": period,
        "DBT_REGION": "",
        "DBT_FAMILIES": ",".join(str(f) for f in families),
        "DBT_CORRECTIONS_THROUGH_SEQ": "",
    }


def checked_families(families: Sequence[int]) -> tuple[int, ...]:
    """The family ids, sorted and unique; refused when none, too many, or not positive integers."""
    ids = tuple(sorted({int(f) for f in families}))
    if not ids:
        raise RescoringError("rescoring: give at least one family (--family) or correction (--correction)")
    if len(ids) > MAX_FAMILIES:
        raise RescoringError(
            f"rescoring: {len(ids)} families; at most {MAX_FAMILIES} at a time (a region is a monthly run)"
        )
    if ids[0] <= 0:
        raise RescoringError("rescoring: family ids are positive integers")
    return ids


def families_of(paths: PlatformPaths, period: str, correction_ids: Sequence[str]) -> tuple[int, ...]:
    """The families corrections concern: a membership change's card, and the family the month's
    warehouse has the subject of a registry-value correction in."""
    from orchestration.corrections.store import CorrectionError, corrections

    state = corrections(paths.corrections_root)
    families: set[int] = set()
    subjects: list[str] = []
    for cid in correction_ids:
        if cid not in state:
            raise CorrectionError(f"{cid}: no such correction")
        correction = state[cid]
        if correction.kind == "membership":
            families.add(int(correction.family_id))  # type: ignore[arg-type]
        else:
            subjects.append(correction.subject_iin)
    if subjects:
        with connect_read_only(paths.warehouse_path) as connection:
            found = connection.execute(
                "select distinct family_id from main.family_members where period = ? "
                "and iin in (select unnest(?))",
                [parse_period(period), subjects],
            ).fetchall()
        families.update(int(row[0]) for row in found)
    return tuple(sorted(families))


def report(rescoring: Rescoring) -> str:
    """The before and after of each family, as printed by the command line."""
    lines = []
    for row in rescoring.table.itertuples(index=False):
        lines.append(
            f"family {row.family_id} (region {row.region}): level {row.level_before} -> {row.level_after}"
        )
        lines.append(f"  reasons:     {row.reasons_before or '-'}  ->  {row.reasons_after or '-'}")
        lines.append(
            f"  listed for:  {row.services_before or 'nothing'}  ->  {row.services_after or 'nothing'}"
        )
        lines.append(f"  features:    {row.features_changed or 'unchanged'}")
        lines.append(f"  corrections: {row.corrections or 'none in force'}")
    took = rescoring.seconds
    lines.append(
        f"rescored {len(rescoring.families)} famil{'y' if len(rescoring.families) == 1 else 'ies'} of "
        f"{rescoring.period} in {took.get('total', 0):.1f} s after {took.get('imports', 0):.1f} s of imports (dbt features {took.get('dbt_features', 0):.1f} s, "
        f"scoring {took.get('scoring', 0):.1f} s, dbt eligibility {took.get('dbt_eligibility', 0):.1f} s); "
        "nothing was published: the next monthly run, or a republication of the region, applies it"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- the run
def rescore(
    paths: PlatformPaths, period: str, families: Sequence[int], state: Path = DBT_PROJECT_DIR / "target"
) -> Rescoring:
    """Recompute `families` of `period` with the corrections in force; before and after.

    `state`: the folder of the manifest the month was built with (the one `make` prepared), whose
    relations the models not rebuilt are read from."""
    from orchestration.scoring.scores import score_families
    from orchestration.warehouse.resources import process_environment

    period = parse_period(period)
    ids = checked_families(families)
    if paths.rescoring_path.stem == paths.warehouse_path.stem:
        raise RescoringError("rescoring: RESCORING_PATH must not share the warehouse file's name")
    seconds: dict[str, float] = {}
    mark = time.perf_counter()
    import dbt.cli.main  # noqa: F401  (dbt's ~3 s import, counted apart from the rescoring)

    seconds["imports"] = time.perf_counter() - mark
    started = time.perf_counter()
    with _exclusive(paths.rescoring_path):
        before = _before(paths.warehouse_path, period, ids)
        seconds["read_before"] = time.perf_counter() - started
        _fresh(paths.rescoring_path)
        paths.export()
        with process_environment(rescoring_environment(period, ids)):
            mark = time.perf_counter()
            _run_dbt(rescoring_run_args(FEATURES_SELECTION, state), "the features")
            seconds["dbt_features"] = time.perf_counter() - mark
            mark = time.perf_counter()
            with duckdb.connect(str(paths.rescoring_path)) as scratch:
                features = scratch.sql(
                    f"select * from main.family_features where period = '{period}'"  # period checked above
                ).to_arrow_table()
                if features.num_rows == 0:
                    raise RescoringError(f"rescoring: none of the families has features in {period}")
                scored = score_families(features, period)
                scratch.register("incoming_scores", scored.scores)
                scratch.execute("create table main.family_scores as select * from incoming_scores")
                scratch.unregister("incoming_scores")
            seconds["scoring"] = time.perf_counter() - mark
            mark = time.perf_counter()
            _run_dbt(rescoring_run_args(ELIGIBILITY_SELECTION, state), "the eligibility")
            seconds["dbt_eligibility"] = time.perf_counter() - mark
        after = _after(paths.rescoring_path, period, ids)
    table = _compare(ids, before, after)
    seconds["total"] = time.perf_counter() - started
    return Rescoring(period, ids, table, seconds)


def _run_dbt(args: list[str], what: str) -> None:
    from orchestration.warehouse.in_process import invoke

    success, nodes = invoke(args)
    if not success:
        failed = [node.name for node in nodes if node.status not in ("success", "pass", "skipped")]
        raise RescoringError(
            f"rescoring: dbt could not rebuild {what}"
            + (
                f" (failed: {', '.join(failed)})"
                if failed
                else " (it did not start: is the project prepared? run make)"
            )
        )


@contextlib.contextmanager
def _exclusive(scratch: Path) -> Iterator[None]:
    """One rescoring at a time per scratch database."""
    scratch.parent.mkdir(parents=True, exist_ok=True)
    with open(scratch.with_suffix(".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RescoringError(
                "rescoring: another rescoring is running; try again when it has finished"
            ) from None
        yield


def _fresh(scratch: Path) -> None:
    for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
        leftover.unlink(missing_ok=True)


def connect_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise RescoringError("rescoring: there is no warehouse yet; run the month first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException:
        raise RescoringError(
            "rescoring: the month's warehouse is in use by a run (DuckDB allows one writer); "
            "rescore when it has finished, or launch the Dagster job rescore_families_job, which waits for it"
        ) from None


_LEVELS_SQL = """
    select scores.family_id, features.region_kato as region, scores.level,
           list_filter([scores.reason_1, scores.reason_2, scores.reason_3], lambda c: c is not null) as reasons
    from main.family_scores as scores
    join main.family_features as features using (family_id, period)
    where scores.period = $period and scores.family_id in (select unnest($families))
"""
_SERVICES_SQL = """
    select family_id, list(distinct service order by service) as services
    from main.eligibility_assessment
    where period = $period and listed and family_id in (select unnest($families))
    group by family_id
"""


def _features(connection, period: str, ids: tuple[int, ...]) -> pd.DataFrame:
    return connection.execute(
        "select * exclude (period) from main.family_features where period = $period "
        "and family_id in (select unnest($families))",
        {"period": period, "families": list(ids)},
    ).df()


def _before(warehouse: Path, period: str, ids: tuple[int, ...]) -> dict[str, pd.DataFrame]:
    with connect_read_only(warehouse) as connection:
        found = connection.execute(
            "select count(*) from main.family_scores where period = ?", [period]
        ).fetchone()
        if not found or found[0] == 0:
            raise RescoringError(f"rescoring: the warehouse has no scores of {period}; run the month first")
        parameters = {"period": period, "families": list(ids)}
        return {
            "levels": connection.execute(_LEVELS_SQL, parameters).df(),
            "services": connection.execute(_SERVICES_SQL, parameters).df(),
            "features": _features(connection, period, ids),
        }


def _after(scratch: Path, period: str, ids: tuple[int, ...]) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(scratch), read_only=True) as connection:
        parameters = {"period": period, "families": list(ids)}
        found = corrections_of(connection, period)
        corrections = (
            found[found.family_id.isin(ids)]
            .groupby("family_id")["correction_id"]
            .agg(lambda cids: sorted(set(cids)))
            .rename("corrections")
            .reset_index()
        )
        return {
            "levels": connection.execute(_LEVELS_SQL, parameters).df(),
            "services": connection.execute(_SERVICES_SQL, parameters).df(),
            "features": _features(connection, period, ids),
            "corrections": corrections,
        }


def _compare(ids: tuple[int, ...], before: dict, after: dict) -> pd.DataFrame:
    """One row per family: level, reasons and listed services before and after, the features
    that changed, and the corrections in force."""
    rows = []
    index = {
        name: {
            side: frame.set_index("family_id")
            for side, frame in (("before", before[name]), ("after", after[name]))
        }
        for name in ("levels", "services", "features")
    }
    corrections = after["corrections"].set_index("family_id")["corrections"]
    for family in ids:
        row: dict[str, object] = {"family_id": family}
        for side in ("before", "after"):
            levels = index["levels"][side]
            services = index["services"][side]
            row[f"level_{side}"] = int(levels.at[family, "level"]) if family in levels.index else None
            row[f"reasons_{side}"] = ", ".join(levels.at[family, "reasons"]) if family in levels.index else ""
            row[f"services_{side}"] = (
                ", ".join(services.at[family, "services"]) if family in services.index else ""
            )
        levels_after = index["levels"]["after"]
        row["region"] = levels_after.at[family, "region"] if family in levels_after.index else None
        row["features_changed"] = _changed_features(
            index["features"]["before"], index["features"]["after"], family
        )
        row["corrections"] = ", ".join(corrections.get(family, [])) if family in corrections.index else ""
        rows.append(row)
    columns = ["family_id", "region", "level_before", "level_after", "reasons_before", "reasons_after",
               "services_before", "services_after", "features_changed", "corrections"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _changed_features(before: pd.DataFrame, after: pd.DataFrame, family: int) -> str:
    if family not in before.index or family not in after.index:
        return "new family" if family in after.index else "no longer a family"
    changed = []
    for column in after.columns:
        if column in _NOT_COMPARED or column.startswith("as_of_") or column not in before.columns:
            continue
        old, new = before.at[family, column], after.at[family, column]
        if not (pd.isna(old) and pd.isna(new)) and old != new:
            changed.append(f"{column} {_shown(old)} -> {_shown(new)}")
    return "; ".join(changed)


def _shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)
