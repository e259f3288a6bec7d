"""Estimators of true civilian deaths from partial counts.

Every estimator returns an `Estimate` (or an `EstimateTable`): a central value and an
interval whose kind (range, credible, confidence, predictive) is always explicit.

The public API is re-exported here lazily: ``import estimators`` loads no numerical
library; each name imports its module on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it. The one list of the public API.
_EXPORTS = {
    "Estimate": "result",
    "EstimateTable": "result",
    "DataValidationError": "data",
    "read_published_figures": "data",
    "load_published_figures": "datasets",
    "multi_source": "sources",
    "read_source_counts": "data",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from .data import DataValidationError, read_published_figures
    from .datasets import load_published_figures
    from .result import Estimate, EstimateTable
    from .data import read_source_counts
    from .sources import multi_source


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'estimators' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # cache: later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
