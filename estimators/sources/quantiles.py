"""Quantiles of N from the exact conditionals, and their Monte Carlo error.

Given each θ draw the engine knows N's whole conditional distribution over its cells, so
the posterior of N is the average of those conditionals (Rao-Blackwellisation): its
quantiles carry only θ's Monte Carlo error, not that of one N drawn per θ. Within a cell
N follows the log-uniform prior, as the engine draws it.

Monte Carlo error of a quantile q̂ (the delta method): the mixture CDF at q̂ is the mean of
the per-draw conditional CDFs ``g_t = F(q̂ | θ_t)``; its standard error is
``sd(g) / sqrt(ESS(g))`` (ArviZ's ESS over chains), and dividing by the posterior density
at q̂ turns it into the standard error of q̂.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ConditionalMixture:
    """N's posterior as the mean of per-draw conditionals over the engine's cells.

    ``pmf``: (chain, draw, cell) conditional probabilities; ``first``, ``last``: each
    cell's integer range."""

    pmf: np.ndarray
    first: np.ndarray
    last: np.ndarray

    def __post_init__(self) -> None:
        self.mean = self.pmf.reshape(-1, self.pmf.shape[-1]).mean(axis=0, dtype=float)
        self.cdf = np.cumsum(self.mean)
        # The same ends are asked for by the chain-extension loop, the rows and the diagnostics.
        self._mcse: dict[float, float] = {}

    def _locate(self, q: float) -> tuple[int, float]:
        """The cell holding quantile q and the fraction of its prior mass below q̂."""
        c = int(min(np.searchsorted(self.cdf, q * self.cdf[-1], side="left"), len(self.cdf) - 1))
        below = self.cdf[c - 1] if c else 0.0
        frac = (q * self.cdf[-1] - below) / self.mean[c] if self.mean[c] > 0 else 0.0
        return c, float(min(max(frac, 0.0), 1.0))

    def quantile(self, q: float) -> float:
        c, frac = self._locate(q)
        first, last = self.first[c], self.last[c]
        if last == first:
            return float(first)
        return float(min(max(np.floor(first * ((last + 1) / first) ** frac), first), last))

    def relative_mcse(self, q: float) -> float:
        """`mcse(q)` as a share of `quantile(q)`."""
        return self.mcse(q) / max(self.quantile(q), 1.0)

    def mcse(self, q: float) -> float:
        """Monte Carlo standard error of `quantile(q)` (NaN with one draw per chain)."""
        if q not in self._mcse:
            self._mcse[q] = self._delta_mcse(q)
        return self._mcse[q]

    def _delta_mcse(self, q: float) -> float:
        from ..posterior import convergence

        c, frac = self._locate(q)
        # Summed in float64 without copying the (float32) per-draw table.
        g = self.pmf[..., :c].sum(axis=-1, dtype=float) + frac * self.pmf[..., c].astype(float)
        if np.ptp(g) == 0:
            return 0.0
        if g.shape[1] < 4:
            return float("nan")
        ess = convergence(g)["ess_bulk"]
        se_cdf = float(np.std(g) / np.sqrt(ess))
        first, last = self.first[c], self.last[c]
        n = self.quantile(q)
        # Density per unit N at q̂: the cell's mass spread log-uniformly over its integers.
        width = np.log((last + 1) / first)
        density = self.mean[c] / (max(n, 1.0) * width) if last > first else self.mean[c]
        return se_cdf / density if density > 0 else float("inf")
