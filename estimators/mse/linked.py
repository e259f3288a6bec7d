"""MSE from linked lists without pretending the links are certain.

Every MSE estimator accepts a `estimators.linkage.Linkage` in place of capture
histories (`accepts_linkage`): it is then run on each of the linkage's drawn clusterings
(`Linkage.clusterings`) and the results are pooled, as multiple imputation pools
imputed data sets (the clusterings are imputations of the unknown true links):

* a Bayesian estimator that keeps posterior draws of N (``idata.posterior["N"]``):
  the draws of every clustering are pooled with equal weight, and the interval is the
  equal-tailed interval of the pooled draws (the posterior of N averaged over
  clusterings);
* any other: Rubin's rules on log N. With estimates ``q_m`` and standard errors
  ``s_m`` read off each interval (``(log upper - log lower) / (2 z)``), the pooled
  estimate is ``q = mean(q_m)``, the total variance ``T = mean(s_m^2) + (1 + 1/M) var(q_m)``,
  and the interval ``exp(q ± t_nu sqrt(T))`` with Rubin's degrees of freedom
  ``nu = (M - 1) (1 + mean(s_m^2) / ((1 + 1/M) var(q_m)))^2``.

The estimate at the linkage's fixed threshold is kept in ``diagnostics["at_threshold"]``
for comparison, and ``details`` has one row per clustering.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..result import Estimate


def _is_linkage(x: Any) -> bool:
    from ..linkage.result import Linkage

    return isinstance(x, Linkage)


def accepts_linkage(estimator: Callable[..., Estimate]) -> Callable[..., Estimate]:
    """Let ``estimator(histories, ...)`` take a `Linkage` as ``histories`` (see module)."""

    @functools.wraps(estimator)
    def wrapper(histories: Any = None, *args: Any, **options: Any) -> Estimate:
        if histories is not None and _is_linkage(histories):
            if args:
                raise TypeError(f"{estimator.__name__}(linkage, ...) takes its options by keyword")
            return pooled_over_clusterings(estimator, histories, **options)
        return estimator(histories, *args, **options)

    return wrapper


def _seeds(random_seed: int, draws: int) -> list[int]:
    return [int(s) for s in np.random.SeedSequence(random_seed).generate_state(draws)]


def pooled_over_clusterings(estimator: Callable[..., Estimate], linkage: Any, *, draws: int | None = None,
                            **options: Any) -> Estimate:
    """Run ``estimator`` on ``draws`` clusterings of ``linkage`` (default its own number)
    and pool the results (see the module docstring). A ``random_seed`` in ``options``
    is turned into one seed per clustering, so the pooled result is reproducible."""
    import pandas as pd

    from .._checks import check_level
    from ..posterior import posterior_estimate

    level = check_level(options.get("level", 0.95))
    estimator = getattr(estimator, "__wrapped__", estimator)
    seed = options.pop("random_seed", None)
    labels = list(linkage.clusterings(draws))
    seeds = _seeds(seed if seed is not None else linkage.random_seed, len(labels))

    def run(histories: Any, m: int | None) -> Estimate:
        extra = {} if seed is None else {"random_seed": seeds[m] if m is not None else seed}
        return estimator(histories, **options, **extra)

    fixed = run(linkage.capture_histories(), None)
    results, rows = [], []
    for m, lab in enumerate(labels):
        table = linkage.capture_histories(lab)
        est = run(table, m)
        results.append(est)
        rows.append({"clustering": m, "people": int(table["count"].sum()), "value": est.value,
                     "lower": est.lower, "upper": est.upper})
    details = pd.DataFrame(rows)
    M = len(results)
    diag: dict[str, Any] = {
        "clusterings": M,
        "at_threshold": {"threshold": linkage.threshold, "value": fixed.value, "lower": fixed.lower,
                         "upper": fixed.upper, "observed": fixed.observed},
        "observed_range": [int(details["people"].min()), int(details["people"].max())],
        "warnings": sorted({w for r in results for w in r.diagnostics.get("warnings", [])}),
    }
    method = f"{fixed.method}, pooled over {M} drawn clusterings of the linkage"
    N_draws = [_posterior_N(r) for r in results]
    if all(d is not None for d in N_draws):
        pooled = np.concatenate(N_draws)
        return posterior_estimate(pooled, level=level, method=method, quantity=fixed.quantity,
                                  observed=float(details["people"].median()), diagnostics=diag,
                                  details=details)
    return _rubin(results, level, method, fixed, diag, details)


def _posterior_N(est: Estimate, *, flat: bool = True) -> np.ndarray | None:
    """The posterior draws of N an estimator kept (``idata.posterior["N"]``), chains
    flattened (or of shape (chain, draw) with ``flat=False``); None if it kept none."""
    idata = est.idata
    if idata is None or not hasattr(idata, "posterior") or "N" not in idata.posterior:
        return None
    draws = np.asarray(idata.posterior["N"])
    return draws.ravel() if flat else draws


def _rubin(results: list[Estimate], level: float, method: str, fixed: Estimate, diag: dict[str, Any],
           details: Any) -> Estimate:
    from scipy import stats

    z = stats.norm.ppf((1 + level) / 2)
    q = np.log([r.value for r in results])
    se = np.array([(np.log(r.upper) - np.log(r.lower)) / (2 * z) for r in results])
    M = len(q)
    within = float(np.mean(se**2))
    between = float(np.var(q, ddof=1)) if M > 1 else 0.0
    total = within + (1 + 1 / M) * between
    if between > 0:
        nu = (M - 1) * (1 + within / ((1 + 1 / M) * between)) ** 2
        t = stats.t.ppf((1 + level) / 2, nu)
    else:
        nu, t = float("inf"), z
    centre = float(q.mean())
    diag.update(rubin={"within": within, "between": between, "df": nu,
                       "fraction_missing_information": (1 + 1 / M) * between / total if total > 0 else 0.0})
    return Estimate(value=float(np.exp(centre)), lower=float(np.exp(centre - t * np.sqrt(total))),
                    upper=float(np.exp(centre + t * np.sqrt(total))), level=level, interval=fixed.interval,
                    interval_method=f"Rubin's rules on log N over {M} clusterings", method=method,
                    quantity=fixed.quantity, observed=float(details["people"].median()), diagnostics=diag,
                    details=details)
