"""Priors of the incident model: Beta credibilities per grade, ordered, and their exact draws."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._checks import prior_pair
from .._priors import resolve

__all__ = ["PRIOR_SETTINGS", "resolve_priors", "override_priors", "truncated_beta", "ordered_prior_draws", "free_grades"]

#: Beta(a, b) priors on each grade's credibility theta_g = P(the deaths happened and one of
#: the named belligerents caused them), restricted jointly to the ordered region
#: theta_confirmed >= theta_fair >= theta_weak >= theta_contested >= theta_discounted, and
#: on the belligerent's assessment: sensitivity = P(says "credible" | genuine),
#: specificity = P(says "non-credible" | not genuine).
PRIOR_SETTINGS: dict[str, dict[str, tuple[float, float]]] = {
    "default": {
        "confirmed": (19.0, 1.0), "fair": (8.0, 2.0), "weak": (4.0, 4.0),
        "contested": (3.0, 4.0), "discounted": (1.0, 9.0),
        "sensitivity": (2.0, 3.0), "specificity": (9.0, 1.0),
    },
    "sceptical": {
        "confirmed": (9.0, 1.0), "fair": (6.0, 4.0), "weak": (2.0, 6.0),
        "contested": (2.0, 8.0), "discounted": (1.0, 19.0),
        "sensitivity": (2.0, 3.0), "specificity": (9.0, 1.0),
    },
    "generous": {
        "confirmed": (49.0, 1.0), "fair": (18.0, 2.0), "weak": (7.0, 3.0),
        "contested": (6.0, 4.0), "discounted": (1.0, 4.0),
        "sensitivity": (2.0, 3.0), "specificity": (9.0, 1.0),
    },
    "flat": {
        "confirmed": (1.0, 1.0), "fair": (1.0, 1.0), "weak": (1.0, 1.0),
        "contested": (1.0, 1.0), "discounted": (1.0, 1.0),
        "sensitivity": (1.0, 1.0), "specificity": (1.0, 1.0),
    },
}


def resolve_priors(priors: str | Mapping[str, Any] | None = "default") -> dict[str, tuple[float, float]]:
    """A named setting of `PRIOR_SETTINGS`, or a mapping overriding some of its entries
    (``{"base": "sceptical", "contested": (1, 9)}``; ``base`` defaults to "default"): the
    package's one convention for priors (`estimators._priors`)."""
    return dict(resolve(priors, PRIOR_SETTINGS, override=override_priors, what="prior"))


def override_priors(base: Mapping[str, tuple[float, float]], entries: dict) -> dict[str, tuple[float, float]]:
    """``base`` with some grades' (or the assessment's) Beta pairs replaced."""
    out = dict(base)
    for key, value in entries.items():
        if key not in out:
            raise ValueError(f"unknown prior {key!r}; expected some of {sorted(out)}")
        out[key] = prior_pair(value, f"prior {key!r}")
    return out


def truncated_beta(rng: np.random.Generator, a: np.ndarray, b: np.ndarray,
                    lo: np.ndarray, hi: np.ndarray, *, tries: int = 64) -> np.ndarray:
    """Exact draws from Beta(a, b) restricted to [lo, hi], elementwise.

    First ``tries`` independent Beta(a, b) proposals per element, keeping the first that
    lands in [lo, hi] (rejection sampling: exact and cheap when the interval holds a fair
    share of the mass); elements where none landed fall back to the inverse CDF, worked
    in whichever tail keeps the CDF values small, for precision."""
    a, b, lo, hi = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, b, lo, hi)))
    cand = rng.beta(a[..., None], b[..., None], size=a.shape + (tries,))
    ok = (cand >= lo[..., None]) & (cand <= hi[..., None])
    first = np.argmax(ok, axis=-1)
    out = np.take_along_axis(cand, first[..., None], axis=-1)[..., 0]
    missed = ~ok.any(axis=-1)
    if missed.any():
        out[missed] = truncated_beta_icdf(rng, a[missed], b[missed], lo[missed], hi[missed])
    return out


def truncated_beta_icdf(rng: np.random.Generator, a: np.ndarray, b: np.ndarray,
                         lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    from scipy.special import betainc, betaincinv

    flip = betainc(a, b, lo) > 0.5
    a2, b2 = np.where(flip, b, a), np.where(flip, a, b)
    lo2, hi2 = np.where(flip, 1 - hi, lo), np.where(flip, 1 - lo, hi)
    f_lo, f_hi = betainc(a2, b2, lo2), betainc(a2, b2, hi2)
    x = betaincinv(a2, b2, f_lo + rng.random(a.shape) * (f_hi - f_lo))
    x = np.clip(np.nan_to_num(x, nan=0.5 * (lo2 + hi2)), lo2, hi2)
    return np.where(flip, 1 - x, x)


def ordered_prior_draws(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """Exact draws of decreasing (theta_1 >= ... >= theta_K) from the product of Betas
    restricted to the ordered region: rejection from the unrestricted product."""
    out, need = [], size
    for _ in range(10_000):
        cand = rng.beta(a, b, size=(max(4 * need, 64), len(a)))
        ok = np.all(np.diff(cand, axis=1) <= 0, axis=1)
        out.append(cand[ok][:need])
        need -= int(ok.sum())
        if need <= 0:
            return np.concatenate(out)[:size]
    raise RuntimeError("the ordered prior has almost no mass; check the Beta parameters")


def free_grades(confirmed_genuine: bool) -> list[int]:
    return list(range(1, 5)) if confirmed_genuine else list(range(5))
