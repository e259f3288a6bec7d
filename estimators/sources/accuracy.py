"""`grid_error`: what summing N in cells costs, against the sum over every whole N."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .layout import table_layout
from .priors import Priors, logit_of, resolve_priors

if TYPE_CHECKING:
    import pandas as pd


def grid_error(
    counts: Any,
    *,
    calibration: Any = None,
    priors: Priors | str | Mapping[str, Any] | None = None,
    about_tolerance: float = 0.1,
    n_min: float = 1.0,
    n_max: float = 20000,
    exact_until: int = 500,
    level: float = 0.95,
) -> pd.DataFrame:
    """The error of summing N in cells, measured against the exact integer-by-integer sum.

    With θ fixed at the prior centre (each kind's prior mean completeness, concentration
    at its median), the posterior of each event's N is computed twice: exactly, one term per
    whole N in ``[floor, n_max]``, and as `multi_source` does (one term per integer up to
    ``exact_until``, 1%-wide cells above). Returns, per event, the quantiles both ways
    and their largest difference in deaths and as a share of the exact interval's width.
    """
    import pandas as pd
    from scipy.special import logsumexp

    from .engine import Engine

    priors = resolve_priors(priors)
    lay = table_layout(counts, calibration=calibration, about_tolerance=about_tolerance, n_min=n_min)
    z = []
    for k in lay.kinds:
        z += [logit_of(priors.completeness_mean[k]), math.log(priors.concentration_median)]
    z = np.array(z)
    q = np.array([(1 - level) / 2, 0.5, (1 + level) / 2])
    results = {}
    for label, until in (("exact", int(n_max)), ("cells", exact_until)):
        engine = Engine(lay, priors, n_min=n_min, n_max=n_max, exact_until=until)
        logs = engine.log_source_vectors(z)
        out = []
        for e in range(len(lay.events)):
            lp = logsumexp(engine.event_logpost(e, logs), axis=0)  # κ summed out
            w = np.exp(lp - logsumexp(lp))
            first, last, _ = engine.cells[e]
            # Quantiles: within a cell, spread its mass over its integers as the prior does.
            cdf = np.cumsum(w)
            idx = np.searchsorted(cdf, q)
            frac = (q - (cdf[idx] - w[idx])) / np.maximum(w[idx], 1e-300)
            qs = np.floor(np.exp(np.log(first[idx]) + frac * (np.log(last[idx] + 1) - np.log(first[idx]))))
            out.append(np.clip(qs, first[idx], last[idx]))
        results[label] = out
    rows = []
    for e, ev in enumerate(lay.events):
        ex, ce = results["exact"][e], results["cells"][e]
        width = max(ex[2] - ex[0], 1.0)
        rows.append({"event": ev, "exact_lower": ex[0], "exact_median": ex[1], "exact_upper": ex[2],
                     "cells_lower": ce[0], "cells_median": ce[1], "cells_upper": ce[2],
                     "max_abs_difference": float(np.max(np.abs(ce - ex))),
                     "max_difference_share_of_width": float(np.max(np.abs(ce - ex)) / width)})
    return pd.DataFrame(rows)
