"""``python -m registry_simulator``: see :mod:`registry_simulator.cli`."""

from .cli import main

raise SystemExit(main())
