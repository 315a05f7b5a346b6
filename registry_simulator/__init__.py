"""Synthetic national registry generator: monthly Parquet extracts, a manifest and the latent truth.

Python API: :func:`generate_month` with :class:`DefectRates`; CLI: ``python -m registry_simulator``.
The landing contract (one Arrow schema per registry) is :mod:`registry_simulator.schemas`.
"""

from .defects import DefectRates
from .generator import GENERATOR_VERSION, GenerationSummary, generate_month

__all__ = ["DefectRates", "GENERATOR_VERSION", "GenerationSummary", "generate_month"]
