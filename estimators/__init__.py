"""Estimators of true civilian deaths from partial counts.

Every estimator returns an `Estimate` (or an `EstimateTable`): a central value and an
interval whose kind (range, credible, confidence, predictive) is always explicit.

The public API is re-exported here lazily: ``import estimators`` loads no numerical
library; each name imports its module on first use.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# ArviZ warns about its refactor on its first import of each calendar day (a stamp file in
# the user's cache): a notebook's output would then depend on the date and on what else ran
# that day, and carry an absolute path. The message says nothing about our results.
warnings.filterwarnings("ignore", message=r"\s*ArviZ is undergoing a major refactor", category=FutureWarning)

# name -> module that defines it. The one list of the public API.
_EXPORTS = {
    "Estimate": "result",
    "EstimateTable": "result",
    "DataValidationError": "data",
    "read_published_figures": "data",
    "load_published_figures": "datasets",
    # issue 3: incident tables, graded ranges, the Bayesian incident model
    "read_incidents": "data",
    "read_monitor_export": "data",
    "read_grade_summary": "data",
    "load_grade_snapshots": "datasets",
    "load_airwars_syria": "datasets",
    "graded_range": "ranges",
    "incident_model": "incidents",
    # issue 4: rates, field samples, assessment backlog
    "proportion_ratio": "rates",
    "proportion_ratio_sensitivity": "rates",
    "site_sample_total": "sampling",
    "read_site_sample": "data",
    "pending_allegations": "backlog",
    "revision_nowcast": "revisions",
    "read_capture_histories": "data",
    "chapman": "mse.two_list",
    "loglinear": "mse.loglinear",
    "mth": "mse.loglinear",
    "latent_class": "mse.latent_class",
    "graph_average": "mse.graphs",
    "stratified": "mse.stratified",
    "multi_source": "sources",
    "read_source_counts": "data",
    # issue 18: named lists linked into capture histories
    "read_named_list": "data",
    "link_lists": "linkage",
    "Linkage": "linkage",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from .data import DataValidationError, read_published_figures
    from .data import read_capture_histories
    from .datasets import load_published_figures
    from .mse import chapman, graph_average, latent_class, loglinear, mth, stratified
    from .result import Estimate, EstimateTable
    from .data import read_grade_summary, read_incidents, read_monitor_export
    from .datasets import load_airwars_syria, load_grade_snapshots
    from .incidents import incident_model
    from .ranges import graded_range
    from .backlog import pending_allegations
    from .revisions import revision_nowcast
    from .data import read_site_sample
    from .rates import proportion_ratio, proportion_ratio_sensitivity
    from .sampling import site_sample_total
    from .data import read_source_counts
    from .sources import multi_source
    from .data import read_named_list
    from .linkage import Linkage, link_lists


#: Modules that moved into subpackages, still reachable as ``estimators.<name>``.
_MODULES = {"simulate": "checking.simulate", "scenarios": "checking.scenarios", "calibration": "checking.calibration"}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(f".{_MODULES[name]}", __name__)
        globals()[name] = value
        return value
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'estimators' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # cache: later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
