"""Field samples of strike sites extrapolated to all strikes.

Investigators visit a sample of strike sites and count the civilian deaths there (The
New York Times: about 103 sites near Mosul; Amnesty International and Airwars: more than
200 sites in Raqqa). `site_sample_total` turns such a sample into an estimate of the
total over *all* strikes — the implied total deaths — with a design-based interval, and
into the ratio of that total to what the belligerent acknowledged.

Two estimators (both design-based: the randomness is in which sites were visited):

* **Horvitz–Thompson** (expansion): ``Y_HT = sum_i y_i / pi_i``; each visited site
  stands for ``1 / pi_i`` strikes. Under a simple random sample of ``n_h`` of ``N_h``
  strikes in stratum ``h``, ``pi_i = n_h / N_h``.
* **Ratio**: ``Y_R = X * Y_HT / X_HT``, using a known population total ``X`` of an
  auxiliary count ``x`` (deaths the belligerent acknowledged, strike by strike); it gains
  precision when ``y`` is roughly proportional to ``x``. With strata it is *combined*
  (one ratio, if ``X`` is one number) or *separate* (``sum_h X_h Y_HT,h / X_HT,h``, if
  ``X`` is given per stratum).

Intervals: *analytic* — a log-normal interval from the design variance (Taylor
linearisation for the ratio); *bootstrap* — percentiles of the Rao–Wu rescaling
bootstrap (resample ``n_h - 1`` sites with replacement within each stratum and rescale
the weights so that the bootstrap variance matches the design variance, finite population
correction included).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .result import Estimate, EstimateTable
from ._checks import check_level, require_seed

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["site_sample_total", "ESTIMATORS", "INTERVALS"]

ESTIMATORS = ("horvitz-thompson", "ratio")
INTERVALS = ("analytic", "bootstrap")


def _per_stratum(value: Any, strata: list, name: str) -> dict:
    """A number for one stratum, or a mapping covering every stratum."""
    if isinstance(value, Mapping):
        missing = [s for s in strata if s not in value]
        if missing:
            raise ValueError(f"{name} has no value for stratum {missing[0]!r}; strata are {strata}")
        out = {s: value[s] for s in strata}
    elif len(strata) == 1:
        out = {strata[0]: value}
    else:
        raise ValueError(f"the sample has strata {strata}: give {name} as a mapping stratum -> number")
    for s, v in out.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise ValueError(f"{name} for stratum {s!r} must be a non-negative number, got {v!r}")
    return out


def _design(sample: pd.DataFrame, strikes: Any) -> tuple[list, dict, Any, Any]:
    """Strata, strikes per stratum, the design weights and the finite-population fractions."""
    import numpy as np

    strata = list(dict.fromkeys(sample["stratum"]))
    big_n = _per_stratum(strikes, strata, "strikes")
    n_h = sample.groupby("stratum", sort=False).size()
    weights = np.empty(len(sample))
    fpc = {}
    has_pi = "inclusion_probability" in sample and sample["inclusion_probability"].notna().any()
    if has_pi and sample["inclusion_probability"].isna().any():
        raise ValueError("inclusion_probability must be given for every site or for none")
    for s in strata:
        rows = (sample["stratum"] == s).to_numpy()
        if n_h[s] > big_n[s]:
            raise ValueError(
                f"stratum {s!r}: {n_h[s]} sites sampled but only {big_n[s]:g} strikes in it"
            )
        if has_pi:
            weights[rows] = 1.0 / sample.loc[rows, "inclusion_probability"].to_numpy(float)
            fpc[s] = 0.0  # with-replacement approximation for unequal probabilities
        else:
            weights[rows] = big_n[s] / n_h[s]
            fpc[s] = n_h[s] / big_n[s]
    return strata, big_n, weights, fpc


def _estimate(y, x, w, strata_idx, n_strata, mode, big_x):
    """Point estimate for one or many weight vectors ``w`` (shape (..., n_sites))."""
    import numpy as np

    def by_stratum(v):
        out = np.zeros(w.shape[:-1] + (n_strata,))
        for h in range(n_strata):
            out[..., h] = (w[..., strata_idx == h] * v[strata_idx == h]).sum(axis=-1)
        return out

    y_h = by_stratum(y)
    if mode == "horvitz-thompson":
        return y_h.sum(axis=-1)
    x_h = by_stratum(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "combined":
            return big_x * y_h.sum(axis=-1) / x_h.sum(axis=-1)
        return (big_x * y_h / x_h).sum(axis=-1)  # separate: big_x is an array per stratum


def _linearised_variance(z, w, strata_idx, n_strata, fpc_arr):
    """Design variance of a weighted total of ``z`` (SRSWOR per stratum, or w/r approx)."""
    import numpy as np

    var = 0.0
    for h in range(n_strata):
        u = w[strata_idx == h] * z[strata_idx == h]
        n = len(u)
        var += (1 - fpc_arr[h]) * n / (n - 1) * np.sum((u - u.mean()) ** 2)
    return float(var)


def site_sample_total(
    sample: Any,
    *,
    strikes: int | Mapping[Any, int],
    acknowledged_total: float | Mapping[Any, float] | None = None,
    estimator: str | None = None,
    interval: str = "analytic",
    level: float = 0.95,
    n_boot: int = 2000,
    random_seed: int | None = None,
) -> EstimateTable:
    r"""Extrapolate deaths found at sampled strike sites to all strikes.

    Parameters
    ----------
    sample
        One row per site visited (a DataFrame, not a file name; validated by
        `estimators.data.read_site_sample`): ``site``, ``deaths`` and optionally
        ``stratum``, ``acknowledged``, ``inclusion_probability``.
    strikes
        Number of strikes the sample was drawn from: one number, or a mapping stratum ->
        number for a stratified sample.
    acknowledged_total
        Deaths the belligerent acknowledged over all those strikes (``X``): one number, or
        per stratum. Needed by the ratio estimator; with either estimator it also gives the
        "ratio to acknowledged" row.
    estimator
        ``"horvitz-thompson"`` or ``"ratio"``; default ``"ratio"`` when the sample has an
        ``acknowledged`` column and ``acknowledged_total`` is given, else Horvitz–Thompson.
    interval
        ``"analytic"`` (log-normal, with the design variance below) or ``"bootstrap"``
        (Rao–Wu rescaling bootstrap percentiles, ``n_boot`` replicates; requires an integer
        ``random_seed``).
    level
        Nominal level of the confidence interval.

    Model and assumptions
    ---------------------
    Design-based: the population of strikes and their deaths are fixed; the sites are a
    simple random sample without replacement within each stratum (``pi = n_h / N_h``), or
    were drawn with the given ``inclusion_probability`` (then the variance uses the
    with-replacement approximation, which is conservative). Deaths at a visited site are
    counted without error. The analytic variance of a weighted total of ``z`` is
    ``sum_h (1 - f_h) n_h / (n_h - 1) sum_i (w_i z_i - mean_h(w z))^2`` with
    ``f_h = n_h / N_h`` (``z = y`` for Horvitz–Thompson; for the ratio estimator the
    linearised residual ``z = y - R x``, scaled by ``(X / X_HT)^2``). The analytic
    interval is log-normal with that variance (deaths are skewed and non-negative):
    ``estimate * exp(± z_{(1+level)/2} * sigma)``, ``sigma^2 = log(1 + se^2 / estimate^2)``;
    both interval kinds are cut below at the deaths actually found, a floor under the
    total. A 95% interval covers the population total
    in about 95% of repeated samples when the sample is large enough for the
    estimator to be near-normal; with few sites and skewed deaths it under-covers (see
    ``benchmarks/rates_sampling_backlog.py``).

    Returns
    -------
    EstimateTable
        By ``"quantity"``: ``"total deaths"`` (the implied total over all strikes, with
        ``observed`` = deaths found), ``"deaths per strike"``, and, when
        ``acknowledged_total`` is known, ``"ratio to acknowledged"`` (total / X, the
        under-count multiplier). ``details``: one row per stratum (sites, strikes, deaths
        found, acknowledged found, estimate and standard error).
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import norm

    from .data import read_site_sample, refuse_file

    refuse_file(sample, estimator="site_sample_total", reader="read_site_sample")
    sample = read_site_sample(sample)
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, got {interval!r}")
    check_level(level)
    has_x = "acknowledged" in sample and sample["acknowledged"].notna().all()
    if estimator is None:
        estimator = "ratio" if (has_x and acknowledged_total is not None) else "horvitz-thompson"
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    strata, big_n, w, fpc = _design(sample, strikes)
    index = {s: h for h, s in enumerate(strata)}
    strata_idx = sample["stratum"].map(index).to_numpy()
    n_strata = len(strata)
    fpc_arr = np.array([fpc[s] for s in strata])
    y = sample["deaths"].to_numpy(float)
    n_h = np.bincount(strata_idx, minlength=n_strata)

    mode, big_x, x = "horvitz-thompson", None, None
    x_total = None
    if acknowledged_total is not None:
        if isinstance(acknowledged_total, Mapping):
            x_by = _per_stratum(acknowledged_total, strata, "acknowledged_total")
            x_total = float(sum(x_by.values()))
        else:
            x_total = float(_per_stratum(acknowledged_total, strata[:1], "acknowledged_total")[strata[0]])
    if estimator == "ratio":
        if not has_x:
            raise ValueError("the ratio estimator needs an 'acknowledged' count for every sampled site")
        if acknowledged_total is None:
            raise ValueError("the ratio estimator needs acknowledged_total (X, over all strikes)")
        x = sample["acknowledged"].to_numpy(float)
        if isinstance(acknowledged_total, Mapping):
            mode, big_x = "separate", np.array([x_by[s] for s in strata], dtype=float)
            for h, s in enumerate(strata):
                if x[strata_idx == h].sum() == 0:
                    raise ValueError(
                        f"stratum {s!r}: no acknowledged deaths at any sampled site, so the "
                        "separate ratio is undefined; use estimator='horvitz-thompson' or "
                        "one acknowledged_total for a combined ratio"
                    )
        else:
            mode, big_x = "combined", x_total
            if x.sum() == 0:
                raise ValueError(
                    "no acknowledged deaths at any sampled site: the ratio estimator is "
                    "undefined; use estimator='horvitz-thompson'"
                )

    total = float(_estimate(y, x, w, strata_idx, n_strata, mode, big_x))
    observed = float(y.sum())
    diagnostics: dict[str, Any] = {"estimator": estimator if mode == "horvitz-thompson" else f"ratio, {mode}",
                                   "sites": int(len(y)), "strata": n_strata}

    # Standard errors, per stratum and overall (analytic; reported with either interval).
    def stratum_se(h: int) -> float:
        if n_h[h] < 2:
            return float("nan")
        rows = strata_idx == h
        if mode == "horvitz-thompson":
            z = y
            scale = 1.0
        elif mode == "combined":
            r = total / big_x
            z, scale = y - r * x, (big_x / float((w * x).sum())) ** 2
        else:
            xh = float((w[rows] * x[rows]).sum())
            r = float((w[rows] * y[rows]).sum()) / xh
            z, scale = y - r * x, (big_x[h] / xh) ** 2
        sub = np.where(rows)[0]
        return math.sqrt(scale * _linearised_variance(
            z[sub], w[sub], np.zeros(len(sub), int), 1, fpc_arr[h:h + 1]))

    se_h = [stratum_se(h) for h in range(n_strata)]
    if mode == "combined":  # one ratio across strata: residuals from the pooled ratio
        r = total / big_x
        var = (big_x / float((w * x).sum())) ** 2 * _linearised_variance(
            y - r * x, w, strata_idx, n_strata, fpc_arr) if (n_h >= 2).all() else float("nan")
    else:
        var = float(np.sum(np.square(se_h)))
    se = math.sqrt(var) if math.isfinite(var) else float("nan")
    diagnostics["se"] = se

    if interval == "analytic":
        if (n_h < 2).any():
            s = strata[int(np.argmax(n_h < 2))]
            raise ValueError(f"stratum {s!r} has one sampled site: a variance needs at least two")
        zq = float(norm.ppf((1 + level) / 2))
        if total > 0:
            # log-normal with the design variance: sigma^2 = log(1 + se^2 / total^2)
            sigma = math.sqrt(math.log1p((se / total) ** 2))
            lo, hi = total * math.exp(-zq * sigma), total * math.exp(zq * sigma)
        else:  # no deaths found at any site: nothing to scale
            lo = hi = 0.0
            diagnostics["warnings"] = ["no deaths at any sampled site: the interval is 0-0"]
        interval_method = ("log-normal, linearised design variance" if mode != "horvitz-thompson"
                           else "log-normal, design variance")
    else:
        if (n_h < 2).any():
            s = strata[int(np.argmax(n_h < 2))]
            raise ValueError(f"stratum {s!r} has one sampled site: the bootstrap needs at least two")
        if int(n_boot) != n_boot or n_boot < 200:
            raise ValueError(f"n_boot must be a whole number of at least 200, got {n_boot!r}")
        rng = np.random.default_rng(require_seed(random_seed, "interval='bootstrap'"))
        reps = np.empty((int(n_boot), len(y)))
        for h in range(n_strata):
            rows = np.where(strata_idx == h)[0]
            n, m = len(rows), len(rows) - 1
            lam = math.sqrt(m * (1 - fpc_arr[h]) / (n - 1))
            counts = rng.multinomial(m, np.full(n, 1 / n), size=int(n_boot))
            reps[:, rows] = w[rows] * (1 - lam + lam * (n / m) * counts)
        boot = _estimate(y, x, reps, strata_idx, n_strata, mode, big_x)
        finite = np.isfinite(boot)
        diagnostics["bootstrap_replicates"] = int(n_boot)
        diagnostics["bootstrap_undefined"] = int((~finite).sum())
        diagnostics["bootstrap_se"] = float(np.std(boot[finite], ddof=1))
        lo, hi = np.quantile(boot[finite], [(1 - level) / 2, (1 + level) / 2])
        interval_method = "Rao-Wu rescaling bootstrap percentile"
    lo, hi = max(float(lo), observed), max(float(hi), observed)
    lo, hi = min(lo, total), max(hi, total)

    strikes_total = float(sum(big_n.values()))
    rows = []
    for h, s in enumerate(strata):
        sel = strata_idx == h
        est_h = float((w[sel] * y[sel]).sum())
        if mode == "separate":
            est_h = float(big_x[h] * est_h / (w[sel] * x[sel]).sum())
        rows.append({
            "stratum": s, "sites": int(n_h[h]), "strikes": float(big_n[s]),
            "deaths_found": float(y[sel].sum()),
            "acknowledged_found": (float(sample.loc[sel, "acknowledged"].sum())
                                   if has_x else float("nan")),
            "estimate": est_h if mode != "combined" else float("nan"),
            "se": se_h[h] if mode != "combined" else float("nan"),
        })
    details = pd.DataFrame(rows)
    method = f"site_sample_total ({diagnostics['estimator']})"
    base = dict(level=level, interval="confidence", interval_method=interval_method,
                method=method, diagnostics=diagnostics)
    out = {"total deaths": Estimate(value=total, lower=lo, upper=hi, observed=observed,
                                    quantity="civilian deaths over all strikes",
                                    details=details, **base),
           "deaths per strike": Estimate(value=total / strikes_total, lower=lo / strikes_total,
                                         upper=hi / strikes_total,
                                         quantity="civilian deaths per strike", **base)}
    if x_total is not None:
        if x_total <= 0:
            raise ValueError("acknowledged_total must be positive to form a ratio to it")
        out["ratio to acknowledged"] = Estimate(
            value=total / x_total, lower=lo / x_total, upper=hi / x_total,
            quantity="implied total deaths / acknowledged deaths", **base)
    return EstimateTable(by="quantity", estimates=out, method=method, details=details)
