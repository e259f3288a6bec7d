"""Multiple systems estimation (capture–recapture) on linked victim lists.

* `chapman` — two lists: Lincoln–Petersen / Chapman with Chao's log-normal interval;
* `loglinear` — hierarchical log-linear models, ranked, profile-likelihood interval;
* `mth` — heterogeneity models M_th (Chao lower bound, Poisson2, Darroch);
* `latent_class` — the LCMCR Bayesian non-parametric latent-class model;
* `graph_average` — Bayesian model averaging over decomposable graphs (dga).

Names resolve lazily: importing this package loads no numerical library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "chapman": "two_list",
    "ListDependenceWarning": "two_list",
    "loglinear": "loglinear",
    "mth": "loglinear",
    "latent_class": "latent_class",
    "graph_average": "graphs",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .graphs import graph_average
    from .latent_class import latent_class
    from .loglinear import loglinear, mth
    from .two_list import ListDependenceWarning, chapman


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'estimators.mse' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
