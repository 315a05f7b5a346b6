"""Kill-safety: a publisher SIGKILLed at any step never exposes a partial snapshot.

Each round forks a publisher process (a plain fork of this process: it starts in milliseconds,
with everything imported). The publisher reports every step it passes (through the `_step` seam
of the snapshot module). In most rounds it stops after a chosen step, cycling through all steps,
and is killed there with SIGKILL; in the other rounds it runs on with short pauses and is killed
at a random moment, which also lands kills inside steps. Meanwhile this process keeps reading the
current snapshot. Then the publication is rerun to completion, which must clear the leftovers.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import random
import time

import pytest

from orchestration.publication import snapshot
from orchestration.publication.snapshot import (
    NoCurrentSnapshot,
    current_version,
    list_versions,
    prepare_snapshot,
    publish_snapshot,
    read_current,
    verify_snapshot,
)
from tests.publication.conftest import PERIOD, REGION, publish_args, service_list

pytestmark = pytest.mark.xdist_group("kill_safety")

ROUNDS = 50
PAUSE_AFTER_STEP_S = 0.003
RANDOM_KILL_SHARE = 0.3
# Steps of a new version, in order; "starting" is before the lock (validating, serialising).
NEW_VERSION_STEPS = (
    "starting",
    "locked",
    "cleaned leftovers",
    "made temp dir",
    "wrote asp.parquet",
    "wrote home_schooling.parquet",
    "wrote manifest",
    "sealed",
    "renamed",
)


def dataset(index: int) -> dict:
    """Round `index`'s lists; every fifth round brings back the lists of three rounds before."""
    source = index - 3 if index % 5 == 4 else index
    return {
        "asp": service_list("asp", 6, amount=10_000.0 + source, with_beneficiary=False),
        "home_schooling": service_list("home_schooling", 3, amount=20_000.0 + source),
    }


def publish_round(root: str, index: int, steps=None, stop_after: str | None = None) -> None:
    """The publisher process's body: reports its steps to `steps`, waits to be killed after
    `stop_after`."""
    lists = dataset(index)
    if steps is not None:

        def report_and_pause(name: str) -> None:
            steps.send(name)
            time.sleep(60 if name == stop_after else PAUSE_AFTER_STEP_S)

        snapshot._step = report_and_pause  # only in this throwaway process
        report_and_pause("starting")
    publish_snapshot(root, PERIOD, REGION, lists, **publish_args(run_id=f"round-{index}"))


def test_sigkilled_publisher_never_exposes_a_partial_snapshot(tmp_path):
    context = multiprocessing.get_context("fork")
    root = tmp_path / "published"
    region_dir = root / PERIOD / REGION
    # The content hash each round must end with.
    args = {key: value for key, value in publish_args().items() if key not in ("run_id", "code_version")}
    expected = [prepare_snapshot(PERIOD, REGION, dataset(i), **args).content_hash for i in range(ROUNDS)]
    publish_round(str(root), 0)

    def check_what_a_reader_sees(index: int) -> None:
        try:
            manifest, tables = read_current(root, PERIOD, REGION)  # checks every sha256
        except NoCurrentSnapshot:
            pytest.fail("CURRENT disappeared")
        assert manifest["content_hash"] in expected[: index + 1]
        assert sum(table.num_rows for table in tables.values()) == manifest["totals"]["rows"] == 9

    rng = random.Random(20260326)
    targets = itertools.cycle(NEW_VERSION_STEPS)
    killed_after: dict[str, int] = {}
    reads = left_temp_dir = left_unflipped_version = 0
    for index in range(1, ROUNDS):
        # A round that brings back earlier lists only flips CURRENT: kill it at random.
        random_kill = index % 5 == 4 or rng.random() < RANDOM_KILL_SHARE
        target = None if random_kill else next(targets)
        receiver, sender = context.Pipe(duplex=False)
        publisher = context.Process(target=publish_round, args=(str(root), index, sender, target))
        publisher.start()
        sender.close()
        last_step, kill_at = None, time.monotonic() + 30
        while publisher.is_alive() and (random_kill or last_step != target) and time.monotonic() < kill_at:
            if receiver.poll(0.001):
                try:
                    last_step = receiver.recv()
                except EOFError:
                    break
                if random_kill and last_step == "starting":  # somewhere in the publication
                    kill_at = time.monotonic() + rng.uniform(0, 0.08)
            check_what_a_reader_sees(index)
            reads += 1
        assert random_kill or last_step == target, "the publisher never reached its step"
        publisher.kill()  # SIGKILL
        publisher.join(10)
        with contextlib.suppress(EOFError):  # the steps it reported before it died
            while receiver.poll():
                last_step = receiver.recv()
        receiver.close()
        if publisher.exitcode == -9:
            killed_after[last_step] = killed_after.get(last_step, 0) + 1
        check_what_a_reader_sees(index)

        # What the kill left behind: a temp dir, or a complete version that is not yet current.
        left_temp_dir += any(entry.name.startswith(".tmp-") for entry in region_dir.iterdir())
        new_version = [
            name for name in list_versions(root, PERIOD, REGION) if name.endswith(expected[index][:12])
        ]
        left_unflipped_version += (
            bool(new_version) and current_version(root, PERIOD, REGION) != new_version[0]
        )

        # The rerun completes the publication and clears the leftovers.
        publish_round(str(root), index)
        check_what_a_reader_sees(index)
        assert read_current(root, PERIOD, REGION)[0]["content_hash"] == expected[index]
        leftovers = [entry.name for entry in region_dir.iterdir() if ".tmp-" in entry.name]
        assert leftovers == []

    # Every version directory ever made visible is complete and matches its manifest.
    for name in list_versions(root, PERIOD, REGION):
        verify_snapshot(region_dir / name)
    print(
        f"\nkill-safety: {sum(killed_after.values())} kills in {ROUNDS - 1} rounds, {reads} verified reads, "
        f"{left_temp_dir} temp dirs left, {left_unflipped_version} versions left unflipped, "
        f"kills after each step: {killed_after}"
    )
    assert set(NEW_VERSION_STEPS) <= set(killed_after), "some step never had a kill land after it"
    assert left_temp_dir >= 3 and left_unflipped_version >= 1
