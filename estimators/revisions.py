"""How a monitor's published figure grows (or shrinks) after publication: a nowcast.

A monitor publishes the range for a period soon after the period ends; incidents are
published late, regraded (weak or contested raised to fair, fair lowered) and recounted
for years after. Airwars' May 2019 range for Russian forces, 3,270–4,767, covered
incidents to the end of April 2019; the same incidents in today's record give a larger
likely range. `revision_nowcast` learns the factor by which published figures end up
revised, from pairs (a figure as first published, the same figure in the mature
record), and predicts where a newly published figure will end up.

The model
---------
Figure ``k`` was published as ``p_k`` and stands at ``f_k`` in the mature record; its
log revision factor ``y_k = log(f_k / p_k)``. The ends of one published range move
together (the same incidents are regraded), so the rows of one ``figure`` are one
observation: the mean of their ``y``. Then

    y_k ~ Normal(mu, sigma^2),  k = 1..K   (revisions of different figures independent)
    mu ~ Normal(0, prior_mu_sd^2)           (no revision expected a priori)
    sigma ~ HalfNormal(prior_sigma_scale)   (how much revisions differ between figures)

and a new figure published as ``p`` ends at ``p * exp(y_new)``, ``y_new ~ Normal(mu,
sigma^2)``. Given ``sigma`` the model is conjugate, so ``mu`` is integrated out exactly;
the posterior of ``sigma`` is computed on a fine grid and the predictive distribution is
the mixture of normals over it, so the result is deterministic (no Monte Carlo error).

What the interval means: a ``level`` posterior *predictive* interval for the figure's
eventual value, under the assumption that the new figure is revised like the figures in
``history`` (the same monitor, the same kind of figure, published about as soon after its
period ends). With few figures (the project holds three to five), ``sigma`` is decided
mostly by its prior; the result says so (``diagnostics["identification"]``) and
``diagnostics["prior_sensitivity"]`` gives the interval under other priors.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .result import Estimate
from ._checks import check_level

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["revision_nowcast"]

_GRID = 2000  # points of the sigma grid
_SENSITIVITY_SCALES = (0.1, 0.25, 0.5, 1.0)


def _log_factors(history: pd.DataFrame) -> tuple[list[str], list[float]]:
    import numpy as np
    import pandas as pd

    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"history must be a DataFrame with columns published and final, got {type(history).__name__}")
    for col in ("published", "final"):
        if col not in history.columns:
            raise ValueError(f"history needs a column {col!r} (got {list(history.columns)})")
    for col in ("published", "final"):
        values = pd.to_numeric(history[col], errors="coerce")
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"history row {pos + 1}, column {col!r}: got {history[col].iloc[pos]!r}; "
                             "expected a positive number (a revision factor needs both figures above 0)")
    groups = history["figure"].astype(str) if "figure" in history.columns else pd.Series(
        [f"row {i + 1}" for i in range(len(history))], index=history.index)
    y = np.log(history["final"].astype(float) / history["published"].astype(float))
    per_figure = y.groupby(groups.to_numpy(), sort=False).mean()
    if len(per_figure) < 1:
        raise ValueError("history has no rows: at least one revised figure is needed")
    return list(per_figure.index), per_figure.to_list()


def _posterior(y: list[float], mu_sd: float, sigma_scale: float):
    """On a grid of sigma: posterior weights, and the normal posterior of mu given sigma
    (mu is integrated out exactly: given sigma the model is conjugate)."""
    import numpy as np

    ys = np.asarray(y, dtype=float)
    K, total, squares = len(ys), ys.sum(), (ys**2).sum()
    sigma = np.linspace(0, 6 * sigma_scale, _GRID + 1)[1:]
    s2, t2 = sigma**2, mu_sd**2
    # log N(y; 0, sigma^2 I + t2 11'): |C| = s2^(K-1) (s2 + K t2)
    quad = (squares - t2 * total**2 / (s2 + K * t2)) / s2
    loglik = -0.5 * ((K - 1) * np.log(s2) + np.log(s2 + K * t2) + quad)
    logpost = loglik - 0.5 * s2 / sigma_scale**2
    w = np.exp(logpost - logpost.max())
    precision = 1 / t2 + K / s2
    return sigma, w / w.sum(), (total / s2) / precision, 1 / precision


def _mixture_quantiles(means, sds, w, probs):
    """Quantiles of the mixture sum_i w_i Normal(means_i, sds_i^2), by bisection."""
    from scipy.special import ndtr

    out = []
    for p in probs:
        lo, hi = float((means - 12 * sds).min()), float((means + 12 * sds).max())
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if float(w @ ndtr((mid - means) / sds)) < p else (lo, mid)
        out.append(0.5 * (lo + hi))
    return out


def _fit(y, published, level, mu_sd, sigma_scale):
    import numpy as np

    sigma, w, m, v = _posterior(y, mu_sd, sigma_scale)
    tail = (1 - level) / 2
    q_lo, q_mid, q_hi = _mixture_quantiles(m, np.sqrt(sigma**2 + v), w, (tail, 0.5, 1 - tail))
    mu_mean = float(w @ m)
    post_mu_sd = math.sqrt(max(float(w @ (v + m**2)) - mu_mean**2, 0.0))
    sigma_mean = float(w @ sigma)
    post_sigma_sd = math.sqrt(max(float(w @ sigma**2) - sigma_mean**2, 0.0))
    prior_sigma_sd = sigma_scale * math.sqrt(1 - 2 / math.pi)
    return {
        "value": published * math.exp(q_mid), "lower": published * math.exp(q_lo),
        "upper": published * math.exp(q_hi),
        "mu_mean": mu_mean, "mu_sd": post_mu_sd, "sigma_mean": sigma_mean, "sigma_sd": post_sigma_sd,
        "mu_narrowing": post_mu_sd / mu_sd, "sigma_narrowing": post_sigma_sd / prior_sigma_sd,
        "factor_median": math.exp(q_mid),
    }


def revision_nowcast(
    published: float,
    history: pd.DataFrame,
    *,
    level: float = 0.95,
    prior_mu_sd: float = 0.5,
    prior_sigma_scale: float = 0.25,
    quantity: str = "the published figure's eventual value",
    prior_sensitivity: bool = True,
) -> Estimate:
    """Where a newly published figure will end up once the record matures.

    Parameters
    ----------
    published
        The figure as published (e.g. one end of a likely range), > 0. Pass 1 for the
        revision factor itself.
    history
        One row per (figure, end) with ``published`` (as first published) and ``final``
        (the same figure in the mature record), both > 0, and optionally ``figure``
        (rows with the same ``figure``, such as the two ends of one range, count as one
        observation) and any other columns (kept in ``details``).
    level
        Level of the predictive interval.
    prior_mu_sd, prior_sigma_scale
        The priors of the model (see the module's docstring): ``mu ~ Normal(0,
        prior_mu_sd^2)``, ``sigma ~ HalfNormal(prior_sigma_scale)``; the default
        scale 0.25 says that two figures' revision factors typically differ by a
        quarter on the log scale.

    Returns
    -------
    Estimate
        ``value`` the predictive median, ``lower``–``upper`` the ``level`` posterior
        predictive interval (``interval="predictive"``). ``diagnostics``: ``figures``
        (K), ``log_factors`` (per figure), ``mu_mean``/``mu_sd`` and
        ``sigma_mean``/``sigma_sd`` (posterior), ``identification`` (posterior sd /
        prior sd for ``mu`` and ``sigma``: near 1 means the prior decides) and
        ``prior_sensitivity`` (the interval under other ``prior_sigma_scale``);
        ``warnings`` (present only then) states in words when the prior decides the spread. ``details``: the
        history with each row's revision factor.
    """
    check_level(level)
    if not (isinstance(published, int | float) and math.isfinite(published) and published > 0):
        raise ValueError(f"published must be a positive number, got {published!r}")
    for name, v in (("prior_mu_sd", prior_mu_sd), ("prior_sigma_scale", prior_sigma_scale)):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be positive, got {v!r}")
    figures, y = _log_factors(history)
    fit = _fit(y, float(published), level, prior_mu_sd, prior_sigma_scale)
    sensitivity = []
    for scale in _SENSITIVITY_SCALES if prior_sensitivity else ():
        alt = _fit(y, float(published), level, prior_mu_sd, scale)
        sensitivity.append({"prior_sigma_scale": scale, "value": alt["value"], "lower": alt["lower"],
                            "upper": alt["upper"]})
    warnings = []
    if fit["sigma_narrowing"] > 0.5:
        warnings.append(
            f"{len(y)} revised figure(s) say little about how much revisions vary: the posterior sd of "
            f"sigma is {fit['sigma_narrowing']:.0%} of its prior's, so the interval's width is decided "
            "mostly by the prior on sigma (see prior_sensitivity)")
    details = history.copy()
    details["factor"] = details["final"].astype(float) / details["published"].astype(float)
    return Estimate(
        value=fit["value"], lower=fit["lower"], upper=fit["upper"], level=level,
        interval="predictive", interval_method="equal-tailed, posterior predictive",
        method="revision_nowcast (log-normal revision factors, grid posterior)", quantity=quantity,
        diagnostics={
            "figures": len(y), "log_factors": dict(zip(figures, y)),
            "factor_median": fit["factor_median"],
            "mu_mean": fit["mu_mean"], "mu_sd": fit["mu_sd"],
            "sigma_mean": fit["sigma_mean"], "sigma_sd": fit["sigma_sd"],
            "identification": {"mu": fit["mu_narrowing"], "sigma": fit["sigma_narrowing"]},
            "prior": {"mu": f"Normal(0, {prior_mu_sd:g}^2)", "sigma": f"HalfNormal({prior_sigma_scale:g})"},
            "prior_sensitivity": sensitivity, **({"warnings": warnings} if warnings else {}),
        },
        details=details,
    )
