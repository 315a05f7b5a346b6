"""A generated month is byte-identical from one version of the code to the next unless the
generator is meant to change: the checksums of a small month are pinned here. A change that moves
them must be intended (bump GENERATOR_VERSION, say why in the commit, update the pins)."""

from __future__ import annotations

import hashlib

from registry_simulator import GENERATOR_VERSION, generate_month

#: registry_simulator 1.1.0, seed 20261, 2026-11, Shymkent at scale 0.002, default defect rates.
EXTRACTS = "0c5f42465c2a2acd844dd40ec79ba174d0546e57d7fe1d947853fff59ea821d8"
TRUTH = "e5fe3eadbab0ac79e31a84289135caa2d5644fa19249001030a033d1798ecc99"


def test_a_small_month_is_byte_identical_to_the_pinned_one(tmp_path):
    summary = generate_month(
        "2026-11", scale=0.002, regions="79", out=tmp_path / "l", truth_out=tmp_path / "t", progress=False
    )
    extracts = "".join(f"{r.name}:{r.sha256}" for r in summary.registries.values())
    assert GENERATOR_VERSION == "1.1.0"
    assert hashlib.sha256(extracts.encode()).hexdigest() == EXTRACTS
    assert hashlib.sha256(summary.truth_path.read_bytes()).hexdigest() == TRUTH
