"""Synthetic national registry generator: monthly Parquet extracts, a manifest and the latent truth.

Python API: :func:`generate_month` with :class:`DefectRates`; CLI: ``python -m registry_simulator``.
The landing contract (one Arrow schema per registry) is :mod:`kz_domain.landing_contract`.
"""

from .defects import DefectRates
from .generator import GENERATOR_VERSION, GenerationSummary, generate_month

__all__ = ["DefectRates", "GENERATOR_VERSION", "GenerationSummary", "generate_month"]
