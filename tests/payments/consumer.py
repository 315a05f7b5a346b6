"""The example payment system of docs/examples (not a package: loaded from its file, as a reader
would copy it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "payment_consumer.py"


def load_consumer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("payment_consumer", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
