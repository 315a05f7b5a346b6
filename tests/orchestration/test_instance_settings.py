"""The instance settings every deployment copies (orchestration/dagster.yaml): one run touching the
warehouse at a time, through every path the queue serves, and no daemon the platform does not use."""

from __future__ import annotations

import shutil

import pytest
from dagster._core.instance import DagsterInstance
from dagster._core.instance.config import PoolGranularity

from orchestration.definitions import defs
from orchestration.instance import INSTANCE_SETTINGS
from orchestration.resources import WAREHOUSE_POOL


@pytest.fixture
def instance(tmp_path):
    shutil.copyfile(INSTANCE_SETTINGS, tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as platform_instance:
        yield platform_instance


def test_the_warehouse_pool_admits_one_run_at_a_time(instance):
    pools = instance.get_concurrency_config().pool_config
    assert pools.default_pool_limit == 1
    # per run: a second warehouse run stays queued instead of spinning while it waits for a step
    assert pools.pool_granularity == PoolGranularity.RUN


def test_the_daemon_runs_the_sensors_the_schedule_and_the_queue_and_nothing_else(instance):
    assert set(instance.get_required_daemon_types()) == {
        "SENSOR",
        "SCHEDULER",
        "QUEUED_RUN_COORDINATOR",
        "BACKFILL",
    }


def test_every_step_that_opens_the_warehouse_is_in_its_pool():
    graph = defs.resolve_asset_graph()
    steps = {
        node.assets_def.node_def.name: node.assets_def.node_def.pool
        for node in (graph.get(key) for key in graph.get_all_asset_keys())
        if node.assets_def.is_executable
    }
    steps |= {check.node_def.name: check.node_def.pool for check in defs.asset_checks or []}
    assert "warehouse_dbt_models" in steps and "gx_eligibility_list" in steps
    assert {name for name, pool in steps.items() if pool != WAREHOUSE_POOL} == set()
