"""`platform-dbt`: dbt's own command line, ended without the interpreter's teardown.

The warehouse assets start dbt through this entry point (see `dbt_executable()`). It runs exactly
what the `dbt` script runs -- `dbt.cli.main.cli` in click's standalone mode, which ends with
SystemExit(dbt's exit code: 0 success, 1 failed nodes, 2 dbt could not run) -- and then leaves
with `exit_without_teardown`. By then dbt has written its logs and target files and dbt-duckdb
has closed the warehouse; what remains is Python freeing dbt's modules and manifest, ~0.9 s after
a monthly build, three dbt commands a month.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from orchestration.process import exit_without_teardown


def exit_code(code: object) -> int:
    """The process exit status for a SystemExit code, as the interpreter maps it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # a message, as `sys.exit("...")` prints it
    return 1


def run_dbt_cli() -> int:
    """Run dbt's command line on `sys.argv` in this process; dbt's exit status."""
    from dbt.cli.main import cli

    try:
        cli(prog_name=os.path.basename(sys.argv[0]))
        return 0
    except SystemExit as finished:
        return exit_code(finished.code)


def main() -> NoReturn:
    """Run dbt with this process's arguments and exit with its status."""
    exit_without_teardown(run_dbt_cli())
