"""The likelihood of one row of counts: its source's count distribution, censored by the
row's qualifier.

A lower-bound source counts ``Y ~ Binomial(N, p)``, a monitor ``Y ~ Poisson(N p / (1 - o))``.
An exact figure contributes ``P(Y = y)``; a censored one the probability of its interval
``[lo, hi]`` (`Layout`: ``lo >= 1`` is a lower end, ``hi == NO_UPPER`` no upper end).

`binomial_row` and `poisson_row` serve the grid engine (whole N, NumPy arrays). The PyMC
model needs `row_loglik_tensor`, which cannot share their code: it is a symbolic graph
over every row at once, so each branch is computed for every row and chosen with
``switch`` (and must stay finite, or its gradient is NaN); N is real there, so censored
lower-bound counts use the Poisson tail (``gammainc`` has a gradient, SciPy's binomial
cdf has none); and single-figure named counts integrate p out as a beta-binomial, where
the engine keeps p on its grid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .layout import NO_UPPER, Layout


def _censored(lay: Layout, r: int, logpmf: Callable, cdf: Callable, sf: Callable) -> np.ndarray:
    """P(row r's figure) under a count distribution given by its log pmf, cdf and sf."""
    y, lo, hi = lay.row_y[r], lay.row_lo[r], lay.row_hi[r]
    if lay.row_point[r]:
        return np.exp(logpmf(y))
    if lo >= 1 and hi < NO_UPPER:
        return np.clip(cdf(hi) - cdf(lo - 1), 0, 1)
    if lo >= 1:
        return sf(lo - 1)
    return cdf(hi)


def binomial_row(lay: Layout, r: int, n: Any, p: Any) -> np.ndarray:
    """P(row r | Y ~ Binomial(n, p)), broadcast over ``n`` and ``p``."""
    from scipy import stats

    return _censored(lay, r, lambda k: stats.binom.logpmf(k, n, p), lambda k: stats.binom.cdf(k, n, p),
                     lambda k: stats.binom.sf(k, n, p))


def poisson_row(lay: Layout, r: int, n: Any, p: Any, o: Any) -> np.ndarray:
    """P(row r | Y ~ Poisson(n p / (1 - o))), broadcast over ``n``, ``p`` and ``o``: a
    monitor that detects a share p of the deaths and adds o / (1 - o) spurious ones per
    detected death."""
    from scipy import special as sp
    from scipy import stats

    mu = n * p / (1 - o)
    return _censored(lay, r, lambda k: stats.poisson.logpmf(k, mu), lambda k: sp.pdtr(k, mu),
                     lambda k: sp.pdtrc(k, mu))


def row_loglik_tensor(pt, *, n, pi, y, lo, hi, point, kind, monitor_factor):
    """Log-likelihood of each row as a PyTensor graph (vectorised; every branch is kept
    finite for gradients).

    ``n``: N of the row's event; ``pi``: ``(a, b, p)``, the Beta parameters of the
    source's kind (beta-binomial rows) and its completeness (binomial and Poisson rows);
    ``kind`` as `Layout.row_kind`; ``monitor_factor``: ``1 / (1 - o)`` on monitor rows.
    """
    a, b, p = pi
    n_safe = pt.maximum(n, y)
    log_choose = pt.gammaln(n_safe + 1) - pt.gammaln(y + 1) - pt.gammaln(n_safe - y + 1)
    ll_binom = log_choose + y * pt.log(p) + (n_safe - y) * pt.log1p(-p)

    def betaln(u, v):
        return pt.gammaln(u) + pt.gammaln(v) - pt.gammaln(u + v)

    ll_bb = log_choose + betaln(y + a, n_safe - y + b) - betaln(a, b)
    mu = n * p * monitor_factor
    ll_pois = y * pt.log(mu) - mu - pt.gammaln(y + 1)
    has_lo = lo >= 1
    has_hi = hi < NO_UPPER
    lo_safe = pt.switch(has_lo, lo, 1.0)
    hi_safe = pt.switch(has_hi, hi, 1.0)
    p_ge = pt.gammainc(lo_safe, mu)  # P(Y >= lo)
    p_le = pt.gammaincc(hi_safe + 1, mu)  # P(Y <= hi)
    # P(lo <= Y <= hi), computed from the tail that keeps precision.
    upper_side = mu > (lo_safe + hi_safe) / 2
    between = pt.switch(upper_side, p_ge - pt.gammainc(hi_safe + 1, mu), p_le - pt.gammaincc(lo_safe, mu))
    prob = pt.switch(has_lo & has_hi, between, pt.switch(has_lo, p_ge, p_le))
    ll_cens = pt.log(pt.maximum(prob, 1e-300))
    ll_point = pt.switch(pt.eq(kind, 2), ll_pois, pt.switch(pt.eq(kind, 1), ll_bb, ll_binom))
    # A lower-bound source cannot have counted more than N.
    point = np.asarray(point, dtype=bool)
    impossible = pt.and_(pt.neq(kind, 2), pt.or_(pt.and_(point, n < y), pt.and_(~point, n < lo)))
    return pt.switch(impossible, -np.inf, pt.switch(point, ll_point, ll_cens))
