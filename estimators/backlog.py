"""Pending allegations: how many further deaths a belligerent is likely to acknowledge.

A belligerent that assesses allegations of civilian harm one by one publishes, at any
time, a running total of acknowledged deaths and a backlog of allegations still open.
From its own assessment history (how many allegations it assessed, how many it found
credible, how many deaths it conceded in those) `pending_allegations` projects how many
more deaths it will concede once the backlog is cleared, and so the eventual
acknowledged total — a *predictive* interval for a future count, not an estimate of the
true toll (which the acknowledged total under-counts; see `estimators.proportion_ratio`).

Example: in April 2019 the coalition completed 18 assessments, found 3 credible with 5
deaths, had 111 reports still open and had acknowledged 1,302 deaths::

    pending_allegations(18, 3, 5, 111, acknowledged=1302)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._checks import check_level, prior_pair, require_seed
from .result import Estimate

if TYPE_CHECKING:
    import pymc as pm

__all__ = ["pending_allegations", "build_model", "further_deaths_pmf"]

#: Largest number of (pending + 1) x (further deaths + 1) terms computed exactly; above it
#: the predictive distribution is drawn by exact Monte Carlo instead.
_EXACT_LIMIT = 20_000_000


def _whole(name: str, v: Any) -> int:
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v != int(v):
        raise ValueError(f"{name} must be a whole number, got {v!r}")
    if v < 0:
        raise ValueError(f"{name} must not be negative, got {v!r}")
    return int(v)


def _history(name: str, v: Any) -> list[int]:
    if isinstance(v, str):
        raise ValueError(f"{name} must be a whole number or a list of them, got {v!r}")
    values = list(v) if isinstance(v, Sequence) or hasattr(v, "__iter__") else [v]
    if not values:
        raise ValueError(f"{name} must hold at least one period")
    return [_whole(name, x) for x in values]


def _check_inputs(assessed, credible, credible_deaths, pending, acknowledged):
    a = _history("assessed", assessed)
    c = _history("credible", credible)
    d = _history("credible_deaths", credible_deaths)
    if not len(a) == len(c) == len(d):
        raise ValueError(
            "assessed, credible and credible_deaths must have one value per period each, "
            f"got {len(a)}, {len(c)} and {len(d)}"
        )
    for i, (ai, ci, di) in enumerate(zip(a, c, d, strict=True)):
        where = f" (period {i + 1})" if len(a) > 1 else ""
        if ci > ai:
            raise ValueError(f"credible ({ci}) is larger than assessed ({ai}){where}")
        if ci == 0 and di > 0:
            raise ValueError(
                f"credible_deaths is {di} but no allegation was found credible{where}: "
                "deaths are conceded only in credible allegations"
            )
    return sum(a), sum(c), sum(d), _whole("pending", pending), _whole("acknowledged", acknowledged)



def build_model(
    assessed: int | Sequence[int],
    credible: int | Sequence[int],
    credible_deaths: int | Sequence[int],
    pending: int,
    *,
    prior_credible: tuple[float, float] = (1.0, 1.0),
    prior_deaths: tuple[float, float] = (1.0, 0.1),
    dispersion: float | None = None,
) -> pm.Model:
    """The model of `pending_allegations` in PyMC (continuous parameters only).

    ``theta ~ Beta(*prior_credible)``, ``lam ~ Gamma(alpha, rate=beta)``,
    ``credible ~ Binomial(assessed, theta)``, ``credible_deaths ~ Poisson(credible * lam)``;
    ``expected_further_deaths = pending * theta * lam`` is a Deterministic. The discrete
    predictive quantities (credible allegations among the pending ones, further deaths) are
    left out, so that NUTS samples the model; draw them with
    ``K ~ Binomial(pending, theta)``, ``F ~ Poisson(K * lam)`` per posterior draw. With
    ``dispersion=k`` the deaths are ``NegativeBinomial(mu=credible * lam, alpha=credible * k)``.
    """
    import pymc as pm

    a, c, d, pending, _ = _check_inputs(assessed, credible, credible_deaths, pending, 0)
    ta, tb = prior_pair(prior_credible, "prior_credible")
    la, lb = prior_pair(prior_deaths, "prior_deaths")
    with pm.Model() as model:
        theta = pm.Beta("theta", ta, tb)
        lam = pm.Gamma("lam", alpha=la, beta=lb)
        pm.Binomial("credible", n=a, p=theta, observed=c)
        if dispersion is None:
            pm.Poisson("credible_deaths", mu=c * lam, observed=d)
        elif c > 0:  # with no credible allegation the deaths (0) carry no information
            pm.NegativeBinomial("credible_deaths", mu=c * lam, alpha=c * float(dispersion),
                                observed=d)
        pm.Deterministic("expected_further_deaths", pending * theta * lam)
    return model


def further_deaths_pmf(
    pending: int, *, credible_post: tuple[float, float], deaths_post: tuple[float, float],
    tail: float = 1e-10,
):
    """Exact predictive distribution of further acknowledged deaths ``F``.

    ``K ~ BetaBinomial(pending, *credible_post)`` credible allegations among the pending
    ones; given ``K = k``, integrating ``lam ~ Gamma(alpha, rate=beta)`` out of
    ``Poisson(k * lam)`` gives ``F ~ NegativeBinomial(alpha, beta / (beta + k))``. Returns
    ``(f, pmf_f, pmf_k)``, with ``f = 0 .. fmax`` covering all but ``tail`` of the mass,
    or ``None`` if that table would be too large to compute exactly.
    """
    import numpy as np
    from scipy.special import gammaln
    from scipy.stats import betabinom, nbinom

    alpha, beta = deaths_post
    k = np.arange(pending + 1)
    pmf_k = betabinom.pmf(k, pending, *credible_post)
    fmax = int(nbinom.ppf(1 - tail, alpha, beta / (beta + max(pending, 1)))) + 1
    if (pending + 1) * (fmax + 1) > _EXACT_LIMIT:
        return None
    f = np.arange(fmax + 1)
    # log NB(f; alpha, p_k) = lgamma(f + alpha) - lgamma(alpha) - lgamma(f + 1)
    #                         + alpha log p_k + f log(1 - p_k),  p_k = beta / (beta + k)
    base = gammaln(f + alpha) - gammaln(alpha) - gammaln(f + 1)
    pmf_f = np.zeros(fmax + 1)
    pmf_f[0] += pmf_k[0]  # no credible allegation among the pending: no further deaths
    kk = k[1:][pmf_k[1:] > 0]
    for start in range(0, len(kk), 64):  # in blocks, to bound memory
        block = kk[start:start + 64]
        log_p = np.log(beta / (beta + block))[:, None]
        log_q = np.log(block / (beta + block))[:, None]
        pmf_f += pmf_k[block] @ np.exp(base[None, :] + alpha * log_p + f[None, :] * log_q)
    return f, pmf_f, pmf_k


def _lam_grid_posterior(d: int, c: int, k: float, alpha: float, beta: float, *, points: int = 8000):
    """Posterior of ``lam`` on a log-spaced grid when deaths are negative binomial.

    ``lam ~ Gamma(alpha, rate=beta)``; the ``c`` credible allegations' total deaths ``d``
    is ``NegativeBinomial(shape c * k, p = k / (k + lam))``. The grid spans the prior's
    central 1 - 2e-12 and the data's scale; returns ``(grid, probabilities)``.
    """
    import numpy as np
    from scipy.stats import gamma as gamma_dist

    prior = gamma_dist(alpha, scale=1 / beta)
    lo = min(float(prior.ppf(1e-12)), 1e-3 * (d + 1) / max(c, 1))
    hi = max(float(prior.ppf(1 - 1e-12)), 100.0 * (d + 1) / max(c, 1))
    grid = np.geomspace(max(lo, 1e-12), hi, points)
    log_post = prior.logpdf(grid) + np.log(grid)  # density x Jacobian of the log grid
    if c > 0:
        log_post += c * k * np.log(k / (k + grid)) + d * np.log(grid / (k + grid))
    prob = np.exp(log_post - log_post.max())
    return grid, prob / prob.sum()


def _pmf_summary(values, pmf, level: float) -> tuple[float, float, float, float]:
    """Median and equal-tailed interval of a discrete distribution (integer ends)."""
    import numpy as np

    cdf = np.cumsum(pmf) / np.sum(pmf)
    q = lambda p: float(values[min(np.searchsorted(cdf, p - 1e-12), len(values) - 1)])  # noqa: E731
    mean = float(np.sum(values * pmf) / np.sum(pmf))
    return q(0.5), q((1 - level) / 2), q((1 + level) / 2), mean


def pending_allegations(
    assessed: int | Sequence[int],
    credible: int | Sequence[int],
    credible_deaths: int | Sequence[int],
    pending: int,
    *,
    acknowledged: int = 0,
    prior_credible: tuple[float, float] = (1.0, 1.0),
    prior_deaths: tuple[float, float] = (1.0, 0.1),
    dispersion: float | None = None,
    level: float = 0.95,
    draws: int = 20_000,
    random_seed: int | None = None,
    quantity: str = "eventual acknowledged deaths",
) -> Estimate:
    r"""Projected acknowledged total once the open allegations are assessed.

    Parameters
    ----------
    assessed, credible, credible_deaths
        The belligerent's assessment history: allegations assessed, found credible, and
        deaths conceded in the credible ones. One number each, or one per period (lists
        of equal length; they are pooled).
    pending
        Allegations still open.
    acknowledged
        Deaths acknowledged so far (the floor under the eventual total).
    prior_credible
        Beta prior ``(a, b)`` on the credible share ``theta``; default uniform Beta(1, 1).
    prior_deaths
        Gamma prior ``(alpha, beta)`` (shape, rate) on ``lam``, the mean deaths conceded
        per credible allegation; default Gamma(1, 0.1): exponential with mean 10, weak on
        the scale of the data. To carry a longer history in, use it as the prior, e.g.
        "The Credibles" (1,410 deaths conceded in 344 credible incidents):
        ``prior_deaths=(1 + 1410, 0.1 + 344)``.
    dispersion
        ``None`` (default): deaths in each credible allegation are Poisson around ``lam``.
        A number ``k > 0``: they are negative binomial with mean ``lam`` and shape ``k``
        (variance ``lam + lam^2 / k``), for incidents whose sizes vary more than Poisson
        (a few strikes kill dozens); smaller ``k``, wider predictive interval. Then the
        posterior of ``lam`` is computed on a fine grid (8,000 log-spaced points) and the
        predictive by ``draws`` exact Monte Carlo draws given that grid.
    level
        Nominal level of the predictive interval.
    draws, random_seed
        Used only when the predictive table would be too large to compute exactly
        (``(pending + 1) x (further deaths + 1)`` above 20 million cells): then ``draws``
        exact Monte Carlo draws from the same model give it, and ``random_seed`` (an
        integer; same seed, same numbers) is required.

    Model
    -----
    ::

        theta ~ Beta(a, b)                       share of allegations found credible
        lam   ~ Gamma(alpha, rate=beta)          deaths conceded per credible allegation
        credible        ~ Binomial(assessed, theta)
        credible_deaths ~ Poisson(credible * lam)
        K ~ Binomial(pending, theta)             credible allegations among the open ones
        F ~ Poisson(K * lam)                     further deaths conceded
        eventual acknowledged total = acknowledged + F

    Both priors are conjugate: ``theta | data ~ Beta(a + credible, b + assessed -
    credible)`` and ``lam | data ~ Gamma(alpha + credible_deaths, beta + credible)``.
    Integrating them out, ``K`` is beta-binomial and ``F | K = k`` negative binomial
    (gamma–Poisson), so the predictive distribution of ``F`` is computed *exactly* as a
    finite mixture — no MCMC, no Monte Carlo error in the headline interval.

    With ``dispersion=k`` the two Poisson lines become negative binomial: a sum of ``c``
    allegations' deaths is ``NegativeBinomial(mean c * lam, shape c * k)``.

    Assumptions: the open allegations are like the assessed ones (same credible share,
    same deaths per credible allegation) and are all eventually assessed; deaths per
    credible allegation vary as a Poisson count around ``lam`` (or with the stated extra
    dispersion); the acknowledged total changes only through the backlog.

    Returns
    -------
    Estimate
        ``value``: predictive median of the eventual acknowledged total; ``lower`` /
        ``upper``: the equal-tailed ``level`` *predictive* interval (integer ends; given
        model and data, the eventual total falls in it with probability at least
        ``level``); ``observed`` = ``acknowledged``. ``details`` has one row per quantity
        (credible share, deaths per credible allegation, credible among pending, further
        deaths, eventual total) with median, mean and interval; ``diagnostics`` the
        posterior parameters.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import beta as beta_dist
    from scipy.stats import gamma as gamma_dist

    a, c, d, pending, acknowledged = _check_inputs(
        assessed, credible, credible_deaths, pending, acknowledged
    )
    check_level(level)
    ta, tb = prior_pair(prior_credible, "prior_credible")
    la, lb = prior_pair(prior_deaths, "prior_deaths")
    if int(draws) != draws or draws < 400:
        raise ValueError(f"draws must be a whole number of at least 400, got {draws!r}")
    credible_post = (ta + c, tb + a - c)
    deaths_post = (la + d, lb + c)
    lo_p, hi_p = (1 - level) / 2, (1 + level) / 2

    if dispersion is not None:
        k_disp = float(dispersion)
        if not (k_disp > 0 and math.isfinite(k_disp)):
            raise ValueError(f"dispersion must be a positive number or None, got {dispersion!r}")
        exact = None
        grid, prob = _lam_grid_posterior(d, c, k_disp, la, lb)
        lam_summary = _pmf_summary(grid, prob, level)
        lam_row = {"value": lam_summary[0], "mean": lam_summary[3], "lower": lam_summary[1],
                   "upper": lam_summary[2], "computed": f"grid ({len(grid):,} points)"}
    else:
        exact = further_deaths_pmf(pending, credible_post=credible_post, deaths_post=deaths_post)
        dist = gamma_dist(deaths_post[0], scale=1 / deaths_post[1])
        lam_row = {"value": float(dist.median()), "mean": float(dist.mean()),
                   "lower": float(dist.ppf(lo_p)), "upper": float(dist.ppf(hi_p)),
                   "computed": "exact"}
    theta_dist = beta_dist(*credible_post)
    rows = [
        {"quantity": "credible share (theta)", "value": float(theta_dist.median()),
         "mean": float(theta_dist.mean()), "lower": float(theta_dist.ppf(lo_p)),
         "upper": float(theta_dist.ppf(hi_p)), "interval": "credible", "computed": "exact"},
        {"quantity": "deaths per credible allegation (lam)", **lam_row, "interval": "credible"},
    ]
    if exact is not None:
        f, pmf_f, pmf_k = exact
        k_summary = _pmf_summary(np.arange(pending + 1), pmf_k, level)
        f_summary = _pmf_summary(f, pmf_f, level)
        computed = "exact"
    else:  # exact draws from the model (given the grid posterior of lam, if dispersed)
        rng = np.random.default_rng(require_seed(random_seed, "a backlog too large for the exact sum (draws from the model)"))
        theta = rng.beta(*credible_post, size=int(draws))
        k_draws = rng.binomial(pending, theta)
        if dispersion is None:
            lam = rng.gamma(deaths_post[0], 1 / deaths_post[1], size=int(draws))
            f_draws = rng.poisson(k_draws * lam)
        else:
            step = np.log(grid[1] / grid[0])
            lam = grid[rng.choice(len(grid), size=int(draws), p=prob)]
            lam = lam * np.exp(rng.uniform(-step / 2, step / 2, size=int(draws)))
            f_draws = np.zeros(int(draws), dtype=np.int64)
            some = k_draws > 0
            f_draws[some] = rng.negative_binomial(k_draws[some] * k_disp,
                                                  k_disp / (k_disp + lam[some]))
        k_summary = _pmf_summary(*np.unique(k_draws, return_counts=True), level)
        f_summary = _pmf_summary(*np.unique(f_draws, return_counts=True), level)
        computed = f"Monte Carlo ({int(draws)} exact draws)"
    for name, (med, lo, hi, mean), shift in (
        ("credible among pending (K)", k_summary, 0),
        ("further deaths acknowledged (F)", f_summary, 0),
        ("eventual acknowledged total", f_summary, acknowledged),
    ):
        rows.append({"quantity": name, "value": med + shift, "mean": mean + shift,
                     "lower": lo + shift, "upper": hi + shift, "interval": "predictive",
                     "computed": computed})
    details = pd.DataFrame(rows)
    med, lo, hi, _ = f_summary
    diagnostics = {
        "posterior_credible_share": list(credible_post),
        "posterior_deaths_per_credible": list(deaths_post) if dispersion is None else None,
        "dispersion": dispersion,
        "predictive": computed,
        "pooled_history": {"assessed": a, "credible": c, "credible_deaths": d},
        "pending": pending,
        "draws": int(draws),
    }
    return Estimate(
        value=acknowledged + med, lower=acknowledged + lo, upper=acknowledged + hi,
        level=level, interval="predictive", interval_method="equal-tailed",
        method="pending_allegations (beta-binomial x "
               + ("gamma-Poisson)" if dispersion is None else f"negative binomial, shape {dispersion:g})"),
        quantity=quantity,
        observed=acknowledged, diagnostics=diagnostics, details=details,
    )
