"""Ratios of two rates: how many times more often something happens in one group.

The field-sample comparison is the use we have in mind: The New York Times examined
about 103 strike sites near Mosul and found civilian deaths at about 1 in 5; the
coalition's own records said 89 of its more than 14,000 strikes in Iraq killed civilians.
The ratio of the two rates (about 31) says how much more often strikes kill civilians
than the coalition acknowledges.

`proportion_ratio` gives that ratio with a Katz log interval (frequentist) or a Bayesian
beta–binomial credible interval; `proportion_ratio_sensitivity` shows how either moves
when approximate inputs ("about 1 in 5", "~103 sites", "more than 14,000") take each of
their plausible values.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._checks import check_level, prior_pair, require_seed
from .result import Estimate, EstimateTable

if TYPE_CHECKING:
    import pymc as pm

__all__ = ["proportion_ratio", "proportion_ratio_sensitivity", "build_model", "katz_interval"]

METHODS = ("katz", "bayes")


def _check_counts(x1: Any, n1: Any, x2: Any, n2: Any) -> tuple[int, int, int, int]:
    out = []
    for name, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2)):
        if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:  # numpy scalar
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v != int(v):
            raise ValueError(f"{name} must be a whole number, got {v!r}")
        if v < 0:
            raise ValueError(f"{name} must not be negative, got {v!r}")
        out.append(int(v))
    x1, n1, x2, n2 = out
    for x, n, i in ((x1, n1, 1), (x2, n2, 2)):
        if n == 0:
            raise ValueError(f"n{i} must be at least 1 (a rate needs a denominator), got 0")
        if x > n:
            raise ValueError(f"x{i} ({x}) is larger than n{i} ({n}): a count cannot exceed its total")
    return x1, n1, x2, n2



def katz_interval(
    x1: int, n1: int, x2: int, n2: int, *, level: float = 0.95, zero_correction: float = 0.5
) -> tuple[float, float, float, bool]:
    """Katz log interval for ``(x1/n1) / (x2/n2)``: ``(ratio, lower, upper, corrected)``.

    ``log RR ± z * sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)``. If either count is zero the log is
    undefined; then ``zero_correction`` is added to both counts and both totals
    (Haldane–Anscombe) and ``corrected`` is True.
    """
    from scipy.stats import norm

    corrected = x1 == 0 or x2 == 0
    if corrected:
        if zero_correction <= 0:
            raise ValueError("a zero count needs zero_correction > 0 for the Katz interval")
        x1, n1, x2, n2 = (v + zero_correction for v in (x1, n1, x2, n2))
    ratio = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = float(norm.ppf((1 + level) / 2))
    return ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se), corrected


def build_model(
    x1: int, n1: int, x2: int, n2: int, *, prior1: tuple[float, float] = (1.0, 1.0),
    prior2: tuple[float, float] = (1.0, 1.0),
) -> pm.Model:
    """The beta–binomial model `proportion_ratio(method="bayes")` samples exactly, in PyMC.

    ``p1 ~ Beta(*prior1)``, ``p2 ~ Beta(*prior2)``, ``x1 ~ Binomial(n1, p1)``,
    ``x2 ~ Binomial(n2, p2)``, ``ratio = p1 / p2`` (a Deterministic).
    """
    import pymc as pm

    x1, n1, x2, n2 = _check_counts(x1, n1, x2, n2)
    a1, b1 = prior_pair(prior1, "prior1")
    a2, b2 = prior_pair(prior2, "prior2")
    with pm.Model() as model:
        p1 = pm.Beta("p1", a1, b1)
        p2 = pm.Beta("p2", a2, b2)
        pm.Binomial("x1", n=n1, p=p1, observed=x1)
        pm.Binomial("x2", n=n2, p=p2, observed=x2)
        pm.Deterministic("ratio", p1 / p2)
    return model


def proportion_ratio(
    x1: int,
    n1: int,
    x2: int,
    n2: int,
    *,
    level: float = 0.95,
    method: str = "katz",
    prior1: tuple[float, float] = (1.0, 1.0),
    prior2: tuple[float, float] = (1.0, 1.0),
    draws: int = 20_000,
    random_seed: int | None = None,
    zero_correction: float = 0.5,
    quantity: str = "ratio of rates",
) -> Estimate:
    r"""The ratio of two rates, ``(x1 / n1) / (x2 / n2)``, with an interval.

    Parameters
    ----------
    x1, n1
        Events and trials in the first group (e.g. strike sites where civilians died, of
        the sites examined on the ground).
    x2, n2
        Events and trials in the second group (e.g. strikes the coalition's records say
        killed civilians, of all its strikes).
    level
        Nominal level of the interval.
    method
        ``"katz"`` (default) or ``"bayes"``.

        **katz** — a frequentist confidence interval. The counts are independent
        binomials, ``x_i ~ Binomial(n_i, p_i)``; the estimate is the ratio of observed
        rates and the interval is ``exp(log RR ± z_{(1+level)/2} * se)`` with
        ``se² = 1/x1 - 1/n1 + 1/x2 - 1/n2`` (Katz et al. 1978, the delta method on the log
        scale). Its coverage is close to nominal when both counts are moderate (≥ ~10);
        with few events it is uneven (see ``benchmarks/rates_sampling_backlog.py``). If a
        count is zero, ``zero_correction`` (default 0.5) is added to all four numbers and
        ``diagnostics["warnings"]`` says so.

        **bayes** — a credible interval. ``p1 ~ Beta(*prior1)`` and ``p2 ~ Beta(*prior2)``
        independently (default uniform, Beta(1, 1)), ``x_i ~ Binomial(n_i, p_i)``; the
        posteriors are ``Beta(a_i + x_i, b_i + n_i - x_i)``, exactly. ``draws`` independent
        draws of ``p1 / p2`` from them (exact Monte Carlo, no MCMC) give the posterior
        median and the equal-tailed ``level`` credible interval: given the model and data,
        the ratio lies in it with probability ``level``. `build_model` gives the same
        model in PyMC.
    prior1, prior2
        Beta prior parameters ``(a, b)`` for ``p1`` and ``p2`` (``method="bayes"``).
    draws, random_seed
        Monte Carlo draws for ``method="bayes"``, which requires an integer ``random_seed``
        (same seed, same numbers); the closed-form methods take none.
    zero_correction
        Added to counts and totals for the Katz interval when a count is zero.
    quantity
        What is estimated, in words, carried into the result.

    Returns
    -------
    Estimate
        ``value`` the ratio (observed ratio for Katz, posterior median for Bayes),
        ``lower``/``upper``, ``interval`` ``"confidence"`` or ``"credible"``; ``details``
        has one row per group (count, total, rate); ``diagnostics`` for Bayes carry the
        draws and the Monte Carlo error of the interval ends.

    Examples
    --------
    >>> est = proportion_ratio(21, 103, 89, 14000)
    >>> round(est.value, 1)
    32.1
    """
    import numpy as np
    import pandas as pd

    x1, n1, x2, n2 = _check_counts(x1, n1, x2, n2)
    check_level(level)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    details = pd.DataFrame(
        {"group": ["1", "2"], "count": [x1, x2], "total": [n1, n2], "rate": [x1 / n1, x2 / n2]}
    )
    if method == "katz":
        ratio, lo, hi, corrected = katz_interval(
            x1, n1, x2, n2, level=level, zero_correction=zero_correction
        )
        warnings = (
            [f"a count is zero: {zero_correction} added to every count and total"]
            if corrected else []
        )
        return Estimate(
            value=ratio, lower=lo, upper=hi, level=level, interval="confidence",
            interval_method="Katz log" + (" (zero-corrected)" if corrected else ""),
            method="proportion_ratio (katz)", quantity=quantity,
            diagnostics={"warnings": warnings, "zero_corrected": corrected}, details=details,
        )

    from .posterior import convergence, credible_interval

    a1, b1 = prior_pair(prior1, "prior1")
    a2, b2 = prior_pair(prior2, "prior2")
    if int(draws) != draws or draws < 400:
        raise ValueError(f"draws must be a whole number of at least 400, got {draws!r}")
    draws = int(draws)
    rng = np.random.default_rng(require_seed(random_seed, "method='bayes' (posterior draws)"))
    p1 = rng.beta(a1 + x1, b1 + n1 - x1, size=draws)
    p2 = rng.beta(a2 + x2, b2 + n2 - x2, size=draws)
    ratio = p1 / p2
    lo, hi = credible_interval(ratio, level=level, kind="equal-tailed")
    chains = 4 if draws % 4 == 0 else 1
    diag = convergence(ratio.reshape(chains, -1))
    diag.update(_quantile_mcse(ratio, level))
    diag["sampler"] = "exact independent draws from the Beta posteriors"
    details["posterior_a"] = [a1 + x1, a2 + x2]
    details["posterior_b"] = [b1 + n1 - x1, b2 + n2 - x2]
    return Estimate(
        value=float(np.median(ratio)), lower=lo, upper=hi, level=level, interval="credible",
        interval_method="equal-tailed", method="proportion_ratio (bayes beta-binomial)",
        quantity=quantity, diagnostics=diag, details=details,
    )


def _quantile_mcse(draws: Any, level: float) -> dict[str, float]:
    """Monte Carlo standard error of the interval ends from independent draws.

    For a quantile q of n independent draws, sd = sqrt(q (1 - q) / n) / f(x_q); we
    read the density off the draws' own quantiles (a finite difference over ±1%).
    """
    import numpy as np

    flat = np.asarray(draws, dtype=float).ravel()
    n = flat.size
    out = {}
    for name, q in (("mcse_lower", (1 - level) / 2), ("mcse_upper", (1 + level) / 2)):
        h = min(0.01, q / 2, (1 - q) / 2)
        lo, hi = np.quantile(flat, [q - h, q + h])
        out[name] = float(math.sqrt(q * (1 - q) / n) * (hi - lo) / (2 * h))
    return out


def _as_values(name: str, v: Any) -> list:
    if isinstance(v, str):
        raise ValueError(f"{name} must be a number or a list of numbers, got {v!r}")
    if isinstance(v, Sequence) or hasattr(v, "__iter__"):
        values = list(v)
        if not values:
            raise ValueError(f"{name} must hold at least one value")
        return values
    return [v]


def proportion_ratio_sensitivity(
    x1: int | Sequence[int],
    n1: int | Sequence[int],
    x2: int | Sequence[int],
    n2: int | Sequence[int],
    *,
    level: float = 0.95,
    method: str = "katz",
    random_seed: int | None = None,
    **options: Any,
) -> EstimateTable:
    """`proportion_ratio` over every combination of plausible values of approximate inputs.

    Give each input as one number (if it is known exactly) or a list of the values it
    could take (if it is approximate); every combination is estimated with the same
    ``method``, ``level``, ``random_seed`` and ``options`` (passed on to
    `proportion_ratio`). For the NYT comparison: "about 1 in 5" of "about 103" sites is
    20, 21 or 22 deaths-causing sites; "more than 14,000" strikes is 14,000 or somewhat
    more; 89 is exact::

        proportion_ratio_sensitivity([20, 21, 22], [100, 103, 106], 89, [14000, 15000, 16000])

    Returns
    -------
    EstimateTable
        By ``"inputs"`` (labels such as ``"21/103 vs 89/14,000"``); ``details`` has one
        row per combination with ``x1, n1, x2, n2, value, lower, upper, width`` and
        ``value_vs_first`` (each ratio over the first combination's), so the spread is
        read at a glance.
    """
    import pandas as pd

    grid = list(itertools.product(*(
        _as_values(name, v) for name, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2))
    )))
    estimates: dict[str, Estimate] = {}
    rows = []
    for a, b, c, d in grid:
        a, b, c, d = _check_counts(a, b, c, d)
        est = proportion_ratio(a, b, c, d, level=level, method=method,
                               random_seed=random_seed, **options)
        label = f"{a}/{b:,} vs {c}/{d:,}"
        estimates[label] = est
        rows.append({"inputs": label, "x1": a, "n1": b, "x2": c, "n2": d,
                     "value": est.value, "lower": est.lower, "upper": est.upper})
    details = pd.DataFrame(rows)
    details["width"] = details["upper"] - details["lower"]
    details["value_vs_first"] = details["value"] / details["value"].iloc[0]
    return EstimateTable(by="inputs", estimates=estimates,
                         method=f"proportion_ratio ({method}) sensitivity", details=details)
