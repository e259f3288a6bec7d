"""Posterior summaries and the plumbing every Bayesian result shares: the one place that
calls ArviZ, and the one set of convergence keys and warnings (`convergence_report`).

Every call passes the interval probability and kind explicitly, so that a later move to
ArviZ 1.x (``hdi_prob=`` becomes ``prob=``, default 0.89 equal-tailed) is one change here.
Estimators turn posterior draws into an `Estimate` with `posterior_estimate`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .result import Estimate
from ._checks import check_level

__all__ = ["credible_interval", "convergence", "convergence_report", "posterior_estimate", "to_idata", "CREDIBLE_KINDS"]

CREDIBLE_KINDS = ("equal-tailed", "HDI")


def credible_interval(draws: Any, *, level: float, kind: str = "equal-tailed") -> tuple[float, float]:
    """Ends of a ``level`` credible interval of a scalar's draws (any shape, pooled).

    ``kind="equal-tailed"`` cuts ``(1 - level) / 2`` from each tail (invariant under
    monotone transforms: the interval of N / acknowledged is that of N, divided);
    ``kind="HDI"`` is the narrowest interval holding ``level`` of the draws.
    """
    flat = np.asarray(draws, dtype=float).ravel()
    check_level(level)
    if kind == "equal-tailed":
        lo, hi = np.quantile(flat, [(1 - level) / 2, (1 + level) / 2])
    elif kind == "HDI":
        import arviz as az

        lo, hi = az.hdi(flat, hdi_prob=level)
    else:
        raise ValueError(f"kind must be one of {CREDIBLE_KINDS}, got {kind!r}")
    return float(lo), float(hi)


def convergence(draws: Any, *, divergences: int | None = None) -> dict[str, float]:
    """R-hat (rank-normalised, split) and bulk/tail ESS of one scalar's draws.

    ``draws`` has shape ``(chain, draw)``: an ``xarray.DataArray`` from InferenceData or a
    plain array from one of our own samplers.
    """
    import arviz as az

    values = np.asarray(draws, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"draws must have shape (chain, draw), got {values.shape}")
    out = {
        "r_hat": float(az.rhat(values, method="rank")),
        "ess_bulk": float(az.ess(values, method="bulk")),
        "ess_tail": float(az.ess(values, method="tail")),
        "chains": int(values.shape[0]),
        "draws": int(values.shape[1]),
    }
    if divergences is not None:
        out["divergences"] = int(divergences)
    return out


#: The thresholds every Bayesian result is checked against (Vehtari et al. 2021).
R_HAT_MAX, ESS_MIN = 1.01, 400


def convergence_report(per_quantity: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The one set of convergence keys on every Bayesian result, from `convergence`
    records per quantity: ``r_hat_max``, ``ess_bulk_min``, ``ess_tail_min``,
    ``convergence`` (the records) and, only when there is something to say (the
    convention of every result's diagnostics), ``warnings``: in words, where R-hat
    exceeds 1.01 or a bulk ESS falls below 400. A quantity with one chain
    has no R-hat and is not judged on it."""
    warnings = []
    for name, c in per_quantity.items():
        if c.get("chains", 2) > 1 and c["r_hat"] > R_HAT_MAX:
            warnings.append(f"R-hat of {name} is {c['r_hat']:.3f} > {R_HAT_MAX}: the chains disagree; draw more "
                            "(more draws, tuning or thinning)")
        if c["ess_bulk"] < ESS_MIN:
            warnings.append(f"bulk ESS of {name} is {c['ess_bulk']:.0f} < {ESS_MIN}: its interval ends are noisy; "
                            "draw more")
    report = {
        "r_hat_max": max((c["r_hat"] for c in per_quantity.values()), default=float("nan")),
        "ess_bulk_min": min((c["ess_bulk"] for c in per_quantity.values()), default=float("nan")),
        "ess_tail_min": min((c["ess_tail"] for c in per_quantity.values()), default=float("nan")),
        "convergence": per_quantity,
    }
    if warnings:
        report["warnings"] = warnings
    return report


def posterior_estimate(
    draws: Any,
    *,
    level: float = 0.95,
    kind: str = "equal-tailed",
    method: str,
    quantity: str = "",
    observed: float | None = None,
    diagnostics: dict[str, Any] | None = None,
    details: Any = None,
    idata: Any = None,
) -> Estimate:
    """The posterior median and a ``level`` credible interval of ``draws`` as an `Estimate`."""
    lo, hi = credible_interval(draws, level=level, kind=kind)
    return Estimate(
        value=float(np.median(np.asarray(draws, dtype=float))),
        lower=lo,
        upper=hi,
        level=level,
        interval="credible",
        interval_method=kind,
        method=method,
        quantity=quantity,
        observed=observed,
        diagnostics=diagnostics or {},
        details=details,
        idata=idata,
    )


def to_idata(
    posterior: dict[str, Any],
    *,
    coords: dict[str, Any] | None = None,
    dims: dict[str, list[str]] | None = None,
) -> Any:
    """ArviZ ``InferenceData`` from arrays of shape ``(chain, draw, ...)`` (our own samplers),
    with optional named ``coords`` and per-variable ``dims`` for the trailing axes."""
    import arviz as az

    return az.from_dict(posterior={k: np.asarray(v) for k, v in posterior.items()},
                        coords=coords, dims=dims)
