"""What the data identify and what the priors decide, for one `multi_source` fit.

With one total per source and no overlap between sources, N is not identified by the data
alone: each count says ``N >= y`` and "N p ≈ y" for an unknown completeness p, so the
upper end of N's interval comes from the completeness priors. This module puts prior and
posterior side by side and names the interval ends the priors decide.

- **Narrowing**: ``1 - (posterior width / prior width)`` of the central interval, on the
  log scale for N and the logit scale for completeness (0: the data taught nothing).
- **An end decided by the priors**: across the base priors and the prior-sensitivity
  settings, the end moves by a factor of `PRIOR_DECIDES` or more. (Short sensitivity
  refits move an end by some percent from Monte Carlo error alone; a factor of 2 is far
  beyond that.)
- **An end set by the population bound**: the upper end lies within 10% of the largest
  population allowed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .priors import Priors, kind_mean_beta

#: An interval end that moves by this factor across the prior settings is decided by them.
PRIOR_DECIDES = 2.0


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 1e-12, 1 - 1e-12)
    return np.log(x / (1 - x))


def _narrowing(prior: tuple[float, float], post: tuple[float, float], scale) -> float:
    pw = scale(np.array(prior[1])) - scale(np.array(prior[0]))
    qw = scale(np.array(post[1])) - scale(np.array(post[0]))
    return float(1 - qw / pw) if pw > 0 else float("nan")


def completeness_prior(priors: Priors, kind: str, rng: Any, size: int = 20000) -> np.ndarray:
    """Draws of one source's completeness from the hierarchical prior of its kind."""
    m = rng.beta(*kind_mean_beta(priors, kind), size=size)
    phi = np.exp(rng.normal(math.log(priors.concentration_median), priors.concentration_sd, size=size))
    return rng.beta(np.maximum(m * phi, 1e-9), np.maximum((1 - m) * phi, 1e-9))


def rows(*, lay, cond, priors: Priors, n_prior: list, n_post: list, level: float, rng: Any,
         kappa_posterior=None) -> list[dict[str, Any]]:
    """Per event, the prior-vs-posterior rows (``table == "identification"``)."""
    from scipy import stats

    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2

    def row(event, quantity, prior, post, scale):
        return {"event": event, "table": "identification", "quantity": quantity, "setting": "default",
                "prior_lower": prior[0], "prior_upper": prior[1], "lower": post[0], "upper": post[1],
                "narrowed": _narrowing(prior, post, scale)}

    out = []
    for e, ev in enumerate(lay.events):
        prior = (n_prior[e].quantile(lo_q), n_prior[e].quantile(hi_q))
        post = (n_post[e].quantile(lo_q), n_post[e].quantile(hi_q))
        out.append(row(ev, "N", prior, post, np.log))
    for s, (ev, label) in enumerate(lay.sources):
        kind = lay.kinds[lay.source_kind[s]]
        p = completeness_prior(priors, kind, rng)
        prior = tuple(np.quantile(p, [lo_q, hi_q]))
        post = tuple(np.quantile(cond["completeness"][..., s], [lo_q, hi_q]))
        out.append(row(ev, f"completeness: {label}", prior, post, _logit))
    for k, kind in enumerate(lay.kinds):
        prior = tuple(stats.beta(*kind_mean_beta(priors, kind)).ppf([lo_q, hi_q]))
        post = tuple(np.quantile(cond["completeness_mean"][..., k], [lo_q, hi_q]))
        for ev in lay.events:
            out.append(row(ev, f"kind mean completeness: {kind}", prior, post, _logit))
    if kappa_posterior is not None:
        prior = tuple(stats.beta(*priors.conceded).ppf([lo_q, hi_q]))
        post = kappa_posterior.interval(level)
        for ev in lay.events:
            out.append(row(ev, "conceded share κ (calibration)", prior, post, _logit))
    return out


def verdict(ends: dict[str, list[float]] | None, *, upper: float, population_top: float | None) -> dict[str, str]:
    """Who decides each interval end: ``"data"``, ``"priors"``, ``"population bound"`` or
    ``"not assessed"`` (no sensitivity refits). ``ends``: each end under every setting."""
    out = {}
    for end in ("lower", "upper"):
        if ends is None or len(ends[end]) < 2:
            out[end] = "not assessed"
            continue
        # An end of 0 under one setting and 500 under another is decided by the priors too.
        ratio = max(ends[end]) / max(min(ends[end]), 1.0)
        out[end] = "priors" if ratio >= PRIOR_DECIDES else "data"
    if population_top is not None and upper >= 0.9 * population_top:
        out["upper"] = "population bound"
    return out


def statement(*, who: dict[str, str], ends: dict[str, list[float]] | None, floor: float | None,
              estimate_text: str) -> str:
    """The publishable sentence: the documented floor first, then the modelled range as
    conditional on the stated priors, naming the ends the priors decide."""
    parts = []
    if floor:
        parts.append(f"The counts establish at least {floor:,.0f} deaths (the largest lower-bound count).")
    parts.append(f"Conditional on the stated priors the model gives {estimate_text}.")
    for end in ("lower", "upper"):
        if who[end] == "priors":
            lo, hi = min(ends[end]), max(ends[end])
            parts.append(f"Its {end} end is decided by the completeness priors, not the data: the prior "
                         f"settings tried move it from {lo:,.0f} to {hi:,.0f}.")
        elif who[end] == "population bound":
            parts.append(f"Its {end} end is set by the population bound.")
    if "not assessed" in who.values():
        parts.append("Which ends the priors decide was not assessed (no prior-sensitivity refits).")
    return " ".join(parts)
