"""Benchmark: the month end to end through Dagster, on the path users take (prints figures).

Goals (issue 23), on a 2-core / 24 GB machine, through the daemon: the pilot month (regions 79,
35) from launch to both regions published in at most 60 s and analytics done in at most 75 s;
the national month published in at most 300 s with at most 8 GB peak memory.

**Daemon path** (the headline): a fresh Dagster instance (DAGSTER_HOME in the scratch root, the
platform's dagster.yaml) and `dagster-daemon run -w workspace.yaml`, with the landing month in
place. The landing sensor (running by default) sees the complete drop and requests
monthly_scoring_job; the run queue launches it (each run in its own process, as in a deployment);
the run-status sensor chain_month_runs chains each region's regional_publication_job and then
monthly_analytics_job. The clock starts when the daemon is started; "launch" is the moment the
sensor created the month's first run. Reported: launch -> last region published, launch ->
analytics done, each run's queue wait (created -> started), start-up (started -> first step),
steps, and the gaps between runs (sensor latency).

**In-process reference**: the same runs executed in one process in their order
(`orchestration.runner.run_month`, what `make demo` does), as before; no user takes this path,
it is printed beside the daemon figure only as a reference.

Both run against a fresh scratch root data/bench/pipeline/<scope>/ (warehouse, published lists,
reports and Dagster instance are wiped first); logs go to <scope>/pipeline.log (and
<scope>/daemon.log). The landing month is read where it lies:

* pilot: regions 79,35 at scale 1.0, generated once into data/bench/pipeline/landing_pilot/;
* national: the national month, data/bench/dbt/landing_scale1/ (benchmarks/landing.py: generated
  if absent, never deleted).

Peak memory is the larger of the process tree's summed RSS (sampled from /proc) and the largest
single process.

    .venv/bin/python -m benchmarks.bench_pipeline                      # pilot, daemon + reference (`make bench`)
    .venv/bin/python -m benchmarks.bench_pipeline --path daemon        # the daemon path only
    .venv/bin/python -m benchmarks.bench_pipeline --scope national --path daemon
    .venv/bin/python -m benchmarks.bench_pipeline --landing DIR [--truth DIR] --month 2026-10
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import kz_domain.regions
from benchmarks import landing as bench_landing
from benchmarks.machine import reference_line

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_ROOT = REPO_ROOT / "data" / "bench" / "pipeline"
PILOT_REGIONS = list(kz_domain.regions.PILOT_REGIONS)
#: launch -> every region published, through the daemon (issue 23)
TARGET_SECONDS = {"pilot": 60.0, "national": 300.0}
#: launch -> analytics done, through the daemon
TARGET_ANALYTICS_SECONDS = {"pilot": 75.0}
TARGET_GB = 8.0
#: a daemon-path month that has not finished by then is reported as failed
DAEMON_TIMEOUT_SECONDS = 1800
SAMPLE_SECONDS = 0.2
# Paths the child must derive from its scratch DATA_ROOT, and a publication target it must not load.
_UNSET_IN_CHILD = ("WAREHOUSE_PATH", "PUBLISH_ROOT", "PUBLISH_PG_DSN", "CORRECTIONS_ROOT", "RESCORING_PATH")
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- pure parts (unit-tested)
@dataclass(frozen=True)
class StepTiming:
    """One step of a run: its status, its start after the run's first event, and its duration."""

    step_key: str
    status: str  # success | failure | skipped | unfinished
    start_offset: float
    seconds: float


_STEP_ENDS = {"STEP_SUCCESS": "success", "STEP_FAILURE": "failure"}


def step_timings(records: Iterable) -> list[StepTiming]:
    """Per-step durations from a run's event log (`DagsterInstance.all_logs`), in order of start.

    A step lasts from its last STEP_START to its STEP_SUCCESS / STEP_FAILURE. A step skipped for
    missing upstream outputs has no start: it counts as zero seconds. A step that started and
    never ended (the run crashed) lasts until the log's last record, status "unfinished".
    Records without a Dagster event (plain log lines) only mark time.
    """
    records = list(records)
    if not records:
        return []
    first, last = records[0].timestamp, records[-1].timestamp
    started: dict[str, float] = {}
    timings: dict[str, StepTiming] = {}
    for record in records:
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        kind, key = event.event_type_value, event.step_key
        if kind == "STEP_START":
            started[key] = record.timestamp
        elif kind in _STEP_ENDS and key in started:
            timings[key] = StepTiming(
                key, _STEP_ENDS[kind], started[key] - first, record.timestamp - started[key]
            )
        elif kind == "STEP_SKIPPED":
            timings[key] = StepTiming(key, "skipped", record.timestamp - first, 0.0)
    for key, start in started.items():
        if key not in timings:
            timings[key] = StepTiming(key, "unfinished", start - first, last - start)
    return sorted(timings.values(), key=lambda timing: timing.start_offset)


def tree_pids(parent_of: Mapping[int, int], root: int) -> set[int]:
    """`root` and every process descending from it, given each process's parent pid."""
    children: dict[int, list[int]] = {}
    for pid, parent in parent_of.items():
        children.setdefault(parent, []).append(pid)
    tree, frontier = {root}, [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in tree:
                tree.add(child)
                frontier.append(child)
    return tree


# ---------------------------------------------------------------- memory and CPU of the process tree
def cpu_between(timeline: list[tuple[float, dict[str, float]]], start: float, end: float) -> dict[str, float]:
    """CPU seconds by role between two moments, from cumulative samples (time, CPU so far by role):
    the last sample at or before each moment (the first sample if none is)."""

    def at(moment: float) -> dict[str, float]:
        earlier = [cpu for sampled, cpu in timeline if sampled <= moment]
        return earlier[-1] if earlier else (timeline[0][1] if timeline else {})

    before, after = at(start), at(end)
    return {
        role: after[role] - before.get(role, 0.0) for role in after if after[role] > before.get(role, 0.0)
    }


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

#: (role, what its command line holds), first match wins: where the tree's CPU goes.
PROCESS_ROLES = (
    ("dbt", "platform-dbt"),
    ("dbt", "/dbt "),
    # the code server starts each run in a child of its own (multiprocessing's spawn)
    ("run process", "multiprocessing.spawn"),
    ("run process", "execute_run"),
    ("code server", "grpc"),
    ("daemon", "dagster-daemon"),
)


def process_role(command_line: str) -> str:
    """The role of a process of the tree, from its command line (`other` if none matches)."""
    for role, marker in PROCESS_ROLES:
        if marker in command_line + " ":
            return role
    return "other"


def _processes() -> dict[int, tuple[int, int, float]]:
    """{pid: (parent pid, RSS bytes, CPU seconds so far)} of every process visible in /proc."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # the command name may hold spaces and parens
        cpu = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime
        processes[int(entry.name)] = (int(fields[1]), int(fields[21]) * _PAGE_BYTES, cpu)
    return processes


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped; keeps the peak,
    and each descendant's last CPU time by role (a process's CPU after its last sample is lost:
    at most SAMPLE_SECONDS of it).

    getrusage gives only the largest single process; dbt runs beside the pipeline process, so
    the memory the machine must hold is their sum. Shared pages count once per process.
    """

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.peak_bytes = 0
        self._cpu: dict[int, float] = {}
        self._roles: dict[int, str] = {}
        #: (epoch seconds, CPU seconds by role so far) at each sample
        self.timeline: list[tuple[float, dict[str, float]]] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            processes = _processes()
            tree = tree_pids({pid: parent for pid, (parent, _, _) in processes.items()}, self.root_pid)
            total = sum(processes[pid][1] for pid in tree if pid in processes)
            self.peak_bytes = max(self.peak_bytes, total)
            for pid in tree & processes.keys():
                if pid not in self._roles:
                    self._roles[pid] = process_role(_command_line(pid))
                self._cpu[pid] = processes[pid][2]
            self.timeline.append((time.time(), self.cpu_by_role()))
            self._stopping.wait(SAMPLE_SECONDS)

    def cpu_between(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds by role spent between two moments (epoch seconds), to the nearest sample."""
        return cpu_between(self.timeline, start, end)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds (user + system) of the tree's processes, summed by role."""
        by_role: dict[str, float] = {}
        for pid, seconds in self._cpu.items():
            by_role[self._roles[pid]] = by_role.get(self._roles[pid], 0.0) + seconds
        return by_role

    def stop(self) -> None:
        self._stopping.set()
        self.join()


# ---------------------------------------------------------------- the child: the demo's runs
def run_child(month: str, regions: list[str], result_path: Path) -> int:
    """Run the month's jobs as `make demo` does and write their timings and peak memory as JSON.

    Before the clock starts, dbt's parse state is prepared for the benchmark's scratch paths, as
    `make` prepares it for the platform's paths: the figure is a month in a stable environment,
    and the preparation is reported apart."""
    from orchestration.settings import PlatformPaths
    from orchestration.warehouse.prepare import prepare_dbt

    paths = PlatformPaths.from_env()
    prepare_seconds = prepare_dbt(paths)
    started = time.perf_counter()
    from orchestration.definitions import build_definitions
    from orchestration.instance import local_instance
    from orchestration.runner import run_month

    defs = build_definitions(paths)
    instance = local_instance(paths)
    setup_seconds = time.perf_counter() - started
    results = run_month(defs, instance, month, regions)
    runs = []
    for result in results:
        records = instance.all_logs(result.run_id)
        runs.append(
            {
                "job": result.job_def.name,
                "partition": str(result.dagster_run.tags.get("dagster/partition", "")),
                "success": result.success,
                "seconds": records[-1].timestamp - records[0].timestamp if records else 0.0,
                "steps": [asdict(timing) for timing in step_timings(records)],
            }
        )
    own, waited = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {
        "setup_seconds": setup_seconds,
        "prepare_seconds": prepare_seconds,
        # CPU time is what a busy shared machine changes least: a floor for the wall time on 2 cores
        "cpu_seconds": own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime,
        "cpu_children_seconds": waited.ru_utime + waited.ru_stime,  # the dbt subprocesses
        "runs": runs,
        # KB on Linux; RUSAGE_CHILDREN: the largest waited-for descendant (the dbt subprocesses)
        "self_peak_kb": own.ru_maxrss,
        "children_peak_kb": waited.ru_maxrss,
    }
    result_path.write_text(json.dumps(report, indent=1))
    return 0 if all(result.success for result in results) else 1


# ---------------------------------------------------------------- the daemon path
@dataclass(frozen=True)
class RunTiming:
    """One run of the daemon path, from the instance's records (epoch seconds)."""

    job: str
    partition: str
    status: str  # the run's DagsterRunStatus name
    created: float  # the sensor (or a user) created it
    started: float | None  # its process started executing
    ended: float | None
    first_step: float | None  # its first step started
    steps: tuple[StepTiming, ...]


_FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def month_finished(runs: list[RunTiming], regions: int) -> bool:
    """True once the month's chain has nothing more to do: the scoring failed, a region failed,
    or the analytics finished after every region published."""
    scoring = [run for run in runs if run.job == "monthly_scoring_job"]
    regional = [run for run in runs if run.job == "regional_publication_job"]
    analytics = [run for run in runs if run.job == "monthly_analytics_job"]
    if any(run.status in ("FAILURE", "CANCELED") for run in scoring + regional + analytics):
        return all(run.status in _FINISHED for run in runs)
    return len(regional) == regions and bool(analytics) and all(run.status in _FINISHED for run in runs)


def daemon_figures(runs: list[RunTiming], regions: int) -> dict[str, float | None]:
    """Seconds from launch (the scoring run's creation) to every region published and to the
    analytics done; None where that did not happen."""
    scoring = [run for run in runs if run.job == "monthly_scoring_job"]
    if not scoring:
        return {"published": None, "analytics": None}
    launch = min(run.created for run in scoring)
    regional = [run for run in runs if run.job == "regional_publication_job"]
    analytics = [run for run in runs if run.job == "monthly_analytics_job"]
    published = None
    if len(regional) == regions and all(run.status == "SUCCESS" and run.ended for run in regional):
        published = max(run.ended or 0.0 for run in regional) - launch
    analysed = None
    if analytics and all(run.status == "SUCCESS" and run.ended for run in analytics):
        analysed = max(run.ended or 0.0 for run in analytics) - launch
    return {"published": published, "analytics": analysed}


def step_window(run: RunTiming, step: StepTiming) -> tuple[float, float]:
    """A step's start and end (epoch seconds): its offset counts from the run's first step."""
    start = (run.first_step or run.created) + step.start_offset - min(s.start_offset for s in run.steps)
    return start, start + step.seconds


def collect_runs(instance) -> list[RunTiming]:
    """Every run of the instance, oldest first, with its steps."""
    timings = []
    for record in instance.get_run_records():
        run = record.dagster_run
        logs = instance.all_logs(run.run_id)
        starts = [
            entry.timestamp
            for entry in logs
            if entry.dagster_event is not None and entry.dagster_event.event_type_value == "STEP_START"
        ]
        timings.append(
            RunTiming(
                job=run.job_name,
                partition=str(run.tags.get("dagster/partition", "")),
                status=run.status.value,
                created=record.create_timestamp.timestamp(),
                started=record.start_time,
                ended=record.end_time,
                first_step=min(starts) if starts else None,
                steps=tuple(step_timings(logs)),
            )
        )
    return sorted(timings, key=lambda timing: timing.created)


def run_daemon_path(
    scope: str, month: str, landing_root: Path, truth_root: Path
) -> tuple[float, int, list[RunTiming], dict]:
    """Start a daemon on a fresh scratch instance with the landing month in place and wait for
    the month's chain; return (seconds from daemon start to launch, peak tree RSS bytes, runs,
    extra figures)."""
    scratch = fresh_scratch(scope, landing_root, truth_root)
    env = child_environment(scratch, landing_root, truth_root)
    prepare = subprocess.run(
        [sys.executable, "-c", "from orchestration.settings import PlatformPaths as P\n"
         "from orchestration.warehouse.prepare import prepare_dbt\nprepare_dbt(P.from_env())"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if prepare.returncode != 0:
        raise SystemExit(f"preparing dbt's parse state failed: {prepare.stderr[-2000:]}")
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    from dagster import DagsterInstance

    from orchestration.instance import prepare_dagster_home

    prepare_dagster_home()
    instance = DagsterInstance.get()
    daemon_command = [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", "workspace.yaml"]
    with open(scratch / "daemon.log", "w") as log:
        started = time.time()
        daemon = subprocess.Popen(
            daemon_command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        sampler = TreeSampler(daemon.pid)
        sampler.start()
        try:
            runs: list[RunTiming] = []
            while time.time() - started < DAEMON_TIMEOUT_SECONDS:
                runs = collect_runs(instance)
                if month_finished(runs, len(PILOT_REGIONS)):
                    break
                time.sleep(0.5)
        finally:
            os.killpg(daemon.pid, signal.SIGINT)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                daemon.wait()
            sampler.stop()
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    launch = min((run.created for run in runs if run.job == "monthly_scoring_job"), default=time.time())
    extra = {
        "cpu_seconds": waited.ru_utime + waited.ru_stime,
        "largest_process_kb": waited.ru_maxrss,
        "cpu_by_role": sampler.cpu_by_role(),
        # where the CPU went while each dbt step ran (dbt shares the 2 cores with Dagster)
        "dbt_step_cpu": {
            f"{run.job} [{run.partition}] {step.step_key}": (
                step.seconds,
                sampler.cpu_between(*step_window(run, step)),
            )
            for run in runs
            for step in run.steps
            if step.step_key.endswith("dbt_models")
        },
    }
    return launch - started, sampler.peak_bytes, runs, extra


def print_daemon_report(
    scope: str, month: str, to_launch: float, tree_bytes: int, runs: list[RunTiming], extra: dict
) -> bool:
    """Print the daemon path's figures against the goals; True when the whole chain succeeded."""
    figures = daemon_figures(runs, len(PILOT_REGIONS))
    peak_gb = max(tree_bytes / 1024**3, extra["largest_process_kb"] / 1024**2)
    published, analysed = figures["published"], figures["analytics"]
    analytics_goal = TARGET_ANALYTICS_SECONDS.get(scope)
    print(
        f"daemon path {scope} {month}: launch -> every region published "
        + (f"{published:6.1f} s" if published is not None else "NOT PUBLISHED")
        + f" (goal {TARGET_SECONDS[scope]:.0f} s); launch -> analytics done "
        + (f"{analysed:6.1f} s" if analysed is not None else "NOT DONE")
        + (f" (goal {analytics_goal:.0f} s)" if analytics_goal else "")
        + f"; peak RSS {peak_gb:5.2f} GB (goal {TARGET_GB:.0f} GB)",
        flush=True,
    )
    print(
        f"    daemon start -> launch (code location loaded, the landing sensor's first tick verified the drop): "
        f"{to_launch:.1f} s, not counted; CPU of the whole tree {extra['cpu_seconds']:.0f} s"
    )
    print(f"    CPU by process (s, sampled): {_cpu_text(extra['cpu_by_role'])}")
    for label, (seconds, cpu) in extra["dbt_step_cpu"].items():
        print(f"    CPU during {label} ({seconds:.1f} s wall, 2 cores): {_cpu_text(cpu)}")
    if not runs:
        print(f"    no run was created: see {BENCH_ROOT / scope / 'daemon.log'}")
        return False
    launch = min(run.created for run in runs)
    print(_row("run / step", "status", "at s", "seconds"))
    previous_end: dict[str, float] = {}
    for run in runs:
        label = f"{run.job} [{run.partition}]"
        upstream = {
            "regional_publication_job": "monthly_scoring_job",
            "monthly_analytics_job": "regional_publication_job",
        }
        if run.job in upstream and upstream[run.job] in previous_end:
            print(
                _row(
                    f"sensor: {upstream[run.job]} ended -> run created",
                    "",
                    "",
                    run.created - previous_end[upstream[run.job]],
                )
            )
        print(_row(label, run.status.lower(), run.created - launch, (run.ended or run.created) - run.created))
        if run.started is not None:
            print(
                _row("queued and launched (created -> started)", "", "", run.started - run.created, indent=6)
            )
            if run.first_step is not None:
                print(
                    _row(
                        "run process start-up (started -> first step)",
                        "",
                        "",
                        run.first_step - run.started,
                        indent=6,
                    )
                )
        for step in run.steps:
            print(
                _row(step.step_key, step.status, step_window(run, step)[0] - launch, step.seconds, indent=6)
            )
        if run.ended is not None:
            previous_end[run.job] = max(previous_end.get(run.job, 0.0), run.ended)
    print(f"    logs: {BENCH_ROOT / scope / 'daemon.log'}", flush=True)
    return published is not None and analysed is not None


# ---------------------------------------------------------------- the parent: set up, measure, print
def landing_and_truth(scope: str, month: str, landing: Path | None, truth: Path | None) -> tuple[Path, Path]:
    """The landing root and truth root to read; generates the default landing month if missing."""
    if landing is not None:
        if not (landing / month / "manifest.json").exists():
            raise SystemExit(f"no landing month {month} under {landing}")
        # without the generator's truth the targeting audit skips itself
        return landing, truth or BENCH_ROOT / scope / "truth"
    landing_root, default_truth = (
        bench_landing.national_landing(month) if scope == "national" else bench_landing.pilot_landing(month)
    )
    return landing_root, truth or default_truth


def fresh_scratch(scope: str, landing_root: Path, truth_root: Path) -> Path:
    """An empty scratch root for the scope (the landing and truth must lie outside it)."""
    scratch = BENCH_ROOT / scope
    if scratch in landing_root.resolve().parents or scratch in truth_root.resolve().parents:
        raise SystemExit(f"the landing and truth must lie outside the scratch root {scratch}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    return scratch


def child_environment(scratch: Path, landing_root: Path, truth_root: Path) -> dict[str, str]:
    """The environment of the benchmark's platform: every path under the scratch root."""
    env = {key: value for key, value in os.environ.items() if key not in _UNSET_IN_CHILD}
    env.update(
        DATA_ROOT=str(scratch),
        DAGSTER_HOME=str(scratch / "dagster_home"),
        LANDING_ROOT=str(landing_root),
        TRUTH_ROOT=str(truth_root),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
    )
    return env


def run_pipeline(
    scope: str, month: str, landing_root: Path, truth_root: Path
) -> tuple[float, int, dict | None]:
    """Run the child on a fresh scratch root; return (wall seconds, peak tree RSS bytes, its report)."""
    scratch = fresh_scratch(scope, landing_root, truth_root)
    env = child_environment(scratch, landing_root, truth_root)
    result_path = scratch / "result.json"
    command = [sys.executable, "-m", "benchmarks.bench_pipeline", "--month", month]
    command += ["--child-result", str(result_path)]
    with open(scratch / "pipeline.log", "w") as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = TreeSampler(child.pid)
        sampler.start()
        child.wait()
        seconds = time.perf_counter() - started
        sampler.stop()
    report = json.loads(result_path.read_text()) if result_path.exists() else None
    if report is not None:  # the child prepared dbt's parse state before its clock started
        seconds -= report["prepare_seconds"]
    return seconds, sampler.peak_bytes, report


def print_report(scope: str, month: str, seconds: float, tree_bytes: int, report: dict | None) -> bool:
    """Print the figures against the targets; True when every expected run succeeded."""
    expected = 2 + len(PILOT_REGIONS)  # scoring, each region's publication, analytics
    runs = report["runs"] if report else []
    succeeded = len(runs) == expected and all(run["success"] for run in runs)
    single_gb = max(report["self_peak_kb"], report["children_peak_kb"]) / 1024**2 if report else 0.0
    peak_gb = max(tree_bytes / 1024**3, single_gb)
    verdict = f"all {expected} runs succeeded" if succeeded else f"FAILED: {_failure(runs, expected)}"
    print(
        f"in process {scope} {month}: {seconds:7.1f} s, peak RSS {peak_gb:5.2f} GB | {verdict}",
        flush=True,
    )
    if report is None:
        print(f"    the pipeline process wrote no report: see {BENCH_ROOT / scope / 'pipeline.log'}")
        return False
    print(
        f"    memory: process tree (sampled every {SAMPLE_SECONDS:g} s) {tree_bytes / 1024**3:.2f} GB; "
        f"largest single process: pipeline {report['self_peak_kb'] / 1024**2:.2f} GB, "
        f"its largest subprocess (dbt) {report['children_peak_kb'] / 1024**2:.2f} GB"
    )
    print(
        f"    CPU: {report['cpu_seconds']:.0f} s user+system over the process tree (2 cores: wall >= half of it), "
        f"of which the dbt subprocesses {report['cpu_children_seconds']:.0f} s"
    )
    print(_row("run / step", "status", "start s", "seconds"))
    print(_row("(not counted) dbt parse state for the scratch paths", "", "", report["prepare_seconds"]))
    print(_row("start-up (imports, definitions, instance)", "", "", report["setup_seconds"]))
    for run in runs:
        label = f"{run['job']} [{run['partition']}]"
        print(_row(label, "success" if run["success"] else "failure", "", run["seconds"]))
        if run["steps"]:  # Dagster writes a planned-materialization event per dbt model before any step
            first_start = min(step["start_offset"] for step in run["steps"])
            print(_row("(run start: planned events, resources)", "", 0.0, first_start, indent=6))
        for step in run["steps"]:
            print(_row(step["step_key"], step["status"], step["start_offset"], step["seconds"], indent=6))
    between = seconds - report["setup_seconds"] - sum(run["seconds"] for run in runs)
    print(_row("rest (interpreter start, between runs, exit)", "", "", between))
    print(f"    log: {BENCH_ROOT / scope / 'pipeline.log'}", flush=True)
    return succeeded


def _cpu_text(cpu: Mapping[str, float]) -> str:
    """CPU seconds by role, the largest first."""
    return ", ".join(f"{role} {used:.1f}" for role, used in sorted(cpu.items(), key=lambda item: -item[1]))


def _row(label: str, status: str, start: float | str, seconds: float | str, indent: int = 4) -> str:
    """One line of the timing table (numbers with one decimal, headers as given)."""
    start, seconds = (f"{value:.1f}" if isinstance(value, float) else value for value in (start, seconds))
    return f"{' ' * indent}{label:<{62 - indent}} {status:<10} {start:>8} {seconds:>8}"


def _failure(runs: list[dict], expected: int) -> str:
    problems = [f"{run['job']} [{run['partition']}] failed" for run in runs if not run["success"]]
    if len(runs) < expected:
        problems.append(f"{expected - len(runs)} of {expected} runs not started")
    return "; ".join(problems)


def main(argv: list[str] | None = None) -> int:
    """Run the pilot (default) or national month end to end and print time, memory and steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", choices=list(TARGET_SECONDS), default="pilot")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument(
        "--path",
        choices=("both", "daemon", "in-process"),
        default="both",
        help="daemon: the headline; in-process: the reference",
    )
    parser.add_argument("--landing", type=Path, default=None, help="landing root holding <month>/")
    parser.add_argument("--truth", type=Path, default=None, help="the generator's truth root (for the audit)")
    parser.add_argument("--child-result", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child_result is not None:
        from orchestration.process import exit_without_teardown  # the child ends as `make demo` does

        exit_without_teardown(run_child(args.month, PILOT_REGIONS, args.child_result))

    landing_root, truth_root = landing_and_truth(args.scope, args.month, args.landing, args.truth)
    print(f"landing {landing_root / args.month}, truth {truth_root}", flush=True)
    print(reference_line("before"), flush=True)
    succeeded = True
    if args.path in ("daemon", "both"):
        to_launch, tree_bytes, runs, extra = run_daemon_path(args.scope, args.month, landing_root, truth_root)
        succeeded &= print_daemon_report(args.scope, args.month, to_launch, tree_bytes, runs, extra)
    if args.path in ("in-process", "both"):
        print("in-process reference (no user takes this path):", flush=True)
        seconds, tree_bytes, report = run_pipeline(args.scope, args.month, landing_root, truth_root)
        succeeded &= print_report(args.scope, args.month, seconds, tree_bytes, report)
    print(reference_line("after"), flush=True)
    return 0 if succeeded else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
