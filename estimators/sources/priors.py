"""The stated priors of the multi-source model, with their densities and draws.

The grid engine uses the functions below; `build_model` states the same priors as PyMC
distributions (a symbolic graph cannot call them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Priors:
    """Stated priors of the multi-source model (all overridable).

    completeness_mean
        Prior mean of each kind's mean completeness ``m_k``; for ``acknowledged`` this is
        the share of deaths in incidents the belligerent accepts (before ``κ``).
    completeness_strength
        ``m_k ~ Beta(mean * strength, (1 - mean) * strength)``; 4 is weak (Beta(1, 3) for
        a mean of 0.25).
    concentration_median, concentration_sd
        ``φ_k ~ LogNormal(log(median), sd)``: how alike sources of one kind are across
        events (φ = 10 with m = 0.5 gives a between-source sd of 0.15).
    overcount
        ``o_s ~ Beta(*overcount)``: the spurious share of a monitor's count.
    conceded
        ``κ ~ Beta(*conceded)`` before the calibration data.
    calibration_icc
        ``ρ ~ Beta(*calibration_icc)``: how alike the deaths of one calibration incident
        are in being conceded (0: independent deaths; 1: incidents conceded whole). Totals
        cannot teach it, so it stays this prior (mean 1/3).
    """

    completeness_mean: Mapping[str, float] = field(default_factory=lambda: {
        "acknowledged": 0.25,
        "named": 0.5,
        "field sample": 0.5,
        "monitor count": 0.75,
        "monitor range": 0.75,
    })
    completeness_strength: float = 4.0
    concentration_median: float = 10.0
    concentration_sd: float = 0.75
    overcount: tuple[float, float] = (1.0, 9.0)
    conceded: tuple[float, float] = (1.0, 1.0)
    calibration_icc: tuple[float, float] = (1.0, 2.0)

    def __post_init__(self) -> None:
        for kind, mean in self.completeness_mean.items():
            if not 0 < mean < 1:
                raise ValueError(f"completeness_mean[{kind!r}] must be in (0, 1), got {mean}")
        for name in ("completeness_strength", "concentration_median", "concentration_sd"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("overcount", "conceded", "calibration_icc"):
            a, b = getattr(self, name)
            if not (a > 0 and b > 0):
                raise ValueError(f"{name} must be two positive Beta parameters, got {(a, b)}")

    def shifted(self, logit: float) -> Priors:
        """Every kind's prior mean completeness moved by ``logit`` on the logit scale."""
        return replace(self, completeness_mean={k: expit(logit_of(m) + logit)
                                                for k, m in self.completeness_mean.items()})

    def describe(self) -> str:
        means = ", ".join(f"{k} {m:.2g}" for k, m in self.completeness_mean.items())
        return (f"completeness means {means} (strength {self.completeness_strength:g}); "
                f"concentration median {self.concentration_median:g}; "
                f"over-count Beta{tuple(self.overcount)}; conceded Beta{tuple(self.conceded)}; "
                f"calibration intra-incident correlation Beta{tuple(self.calibration_icc)}")


#: The prior-sensitivity settings every fit reports (name -> function of the base priors).
DEFAULT_SENSITIVITY = {
    "sources less complete (logit -1)": lambda p: p.shifted(-1.0),
    "sources more complete (logit +1)": lambda p: p.shifted(+1.0),
    "sources less alike (concentration 3)": lambda p: replace(p, concentration_median=3.0),
}

def logit_of(m: float) -> float:
    return math.log(m / (1 - m))


def expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


#: Named settings for ``priors=`` (the package's convention, `estimators._priors`): the
#: defaults, and the sensitivity settings applied to them.
PRIOR_SETTINGS: dict[str, Priors] = {"default": Priors(),
                                     **{name: shift(Priors()) for name, shift in DEFAULT_SENSITIVITY.items()}}


def override_priors(base: Priors, entries: dict) -> Priors:
    """``base`` with some fields replaced; ``completeness_mean`` entries replace those kinds only."""
    from dataclasses import fields

    known = {f.name for f in fields(Priors)}
    unknown = sorted(set(entries) - known)
    if unknown:
        raise ValueError(f"unknown prior {unknown[0]!r}; expected some of {sorted(known)}")
    if "completeness_mean" in entries:
        entries = {**entries, "completeness_mean": {**base.completeness_mean, **entries["completeness_mean"]}}
    return replace(base, **entries)


def resolve_priors(priors: Priors | str | Mapping[str, Any] | None) -> Priors:
    """``Priors``, a name in `PRIOR_SETTINGS`, or a mapping overriding fields of one
    (``{"base": "default", "concentration_median": 3}``)."""
    from .._priors import resolve

    out = resolve(priors, PRIOR_SETTINGS, override=override_priors, what="multi_source prior")
    if not isinstance(out, Priors):
        raise TypeError(f"priors must be Priors, a setting name or a mapping, got {type(priors).__name__}")
    return out


def check_kinds(priors: Priors, kinds: Sequence[str]) -> None:
    """Every source kind in the table needs a prior mean completeness."""
    missing = [k for k in kinds if k not in priors.completeness_mean]
    if missing:
        raise ValueError(f"priors.completeness_mean has no entry for kinds {missing}")


def kind_mean_beta(priors: Priors, kind: str) -> tuple[float, float]:
    """``(a, b)`` of the Beta prior of the kind's mean completeness ``m_k``."""
    mean = priors.completeness_mean[kind]
    return mean * priors.completeness_strength, (1 - mean) * priors.completeness_strength


# θ on the sampler's scale: per kind the block (logit m_k, log φ_k).

def log_prior_block(priors: Priors, kind: str, zk: np.ndarray) -> float:
    """Log prior density of one kind's block, up to a constant: the Beta density of ``m_k``
    and the LogNormal one of ``φ_k``, each times the Jacobian of its transform."""
    a, b = kind_mean_beta(priors, kind)
    m = expit(zk[0])
    return (a * math.log(m) + b * math.log1p(-m)
            - 0.5 * ((zk[1] - math.log(priors.concentration_median)) / priors.concentration_sd) ** 2)


def draw_theta(priors: Priors, kinds: Sequence[str], rng: Any) -> np.ndarray:
    """θ drawn from its prior, every kind's block in turn."""
    z = []
    for k in kinds:
        m = rng.beta(*kind_mean_beta(priors, k))
        m = min(max(m, 1e-6), 1 - 1e-6)  # a finite logit
        z += [logit_of(m), rng.normal(math.log(priors.concentration_median), priors.concentration_sd)]
    return np.array(z)


def beta_grid_weights(a: float, b: float, log_x: np.ndarray, log_1mx: np.ndarray) -> np.ndarray:
    """Beta(a, b) on a grid evenly spaced in logit, as weights summing to one.

    ``a log x + b log(1 - x)`` is the Beta log density plus the log Jacobian
    ``log(x (1 - x))`` of the logit, so the weights need no spacing correction.
    """
    lw = a * log_x + b * log_1mx
    w = np.exp(lw - lw.max())
    return w / w.sum()
