"""Ending our long-lived command-line processes quickly."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn


def exit_without_teardown(code: int) -> NoReturn:
    """End the process now with `code`, skipping the interpreter's teardown.

    Freeing every loaded module's objects at exit takes ~1.8 s in `make demo` (Dagster, dbt's
    loader, GX and Numba loaded) and ~0.9 s after a dbt build. Call this only when nothing is left
    to write: logging handlers and the standard streams are flushed here, nothing else is.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
