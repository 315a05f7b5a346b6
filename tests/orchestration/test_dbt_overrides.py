"""PlatformDbtCliResource overrides two private methods of dagster-dbt's DbtCliResource
(orchestration/warehouse/resources.py). Private methods change without notice: this test pins
the source of each, and of `cli` (the public method that calls them), as they were when the
overrides were written, so that a dagster-dbt upgrade that changes any of them fails here, not
silently in production."""

from __future__ import annotations

import hashlib
import inspect

import pytest
from dagster_dbt import DbtCliResource

from orchestration.warehouse.resources import PlatformDbtCliResource

#: sha256 (first 16 hex digits) of each method's source in dagster-dbt 0.29.27.
CHECKED_SOURCES = {
    "_initialize_dbt_core_adapter": "f033303d9d777bff",
    "_cli_version": "b06b86a642ba8bcd",
    "cli": "a9ca99daf92597e3",
}


def source_digest(cls: type, name: str) -> str:
    member = inspect.getattr_static(cls, name)
    function = getattr(member, "func", member)  # a cached_property holds its function in .func
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(CHECKED_SOURCES))
def test_dagster_dbts_methods_we_override_or_rely_on_are_as_checked(name):
    assert source_digest(DbtCliResource, name) == CHECKED_SOURCES[name], (
        f"dagster-dbt changed DbtCliResource.{name}: check PlatformDbtCliResource's overrides against it, "
        "then record its new digest here"
    )


def test_the_platform_resource_overrides_exactly_those_private_methods():
    own = {
        name for name in vars(PlatformDbtCliResource) if name.startswith("_") and not name.startswith("__")
    }
    assert own - {"_abc_impl"} <= set(CHECKED_SOURCES)
