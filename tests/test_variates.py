"""The compiled samplers' random variates against their distributions.

Each check draws from a fixed seed, so it is deterministic; the thresholds are what a
correct generator passes with probability 0.999 (Kolmogorov–Smirnov or chi-square p-value
above 0.001, moments within 4 Monte Carlo standard errors).
"""

import numpy as np
import pytest
from numba import njit
from scipy import stats

from estimators.mse import _variates as V

DRAWS = 200_000
TABLE = V.log_factorials(50_000)


@njit(cache=True)
def _draw(kind, a, b, size, state, table):
    out = np.empty(size)
    for i in range(size):
        if kind == 0:
            out[i] = V.uniform(state)
        elif kind == 1:
            out[i] = V.normal(state)
        elif kind == 2:
            out[i] = V.gamma(state, a)
        elif kind == 3:
            out[i] = V.beta(state, a, b)
        elif kind == 6:
            out[i] = V.exponential(state)
        elif kind == 4:
            out[i] = V.binomial(state, int(a), b, table)
        else:
            out[i] = V.poisson(state, a, table)
    return out


def draw(kind, a=0.0, b=0.0, seed=1, size=DRAWS, table=TABLE):
    return _draw(kind, float(a), float(b), size, V.new_state(np.random.SeedSequence(seed)), table)


def _moments_agree(x, dist):
    mean, var = dist.mean(), dist.var()
    assert abs(x.mean() - mean) < 4 * np.sqrt(var / x.size)
    # the variance's standard error from the fourth central moment
    m4 = dist.moment(4) - 4 * mean * dist.moment(3) + 6 * mean**2 * dist.moment(2) - 3 * mean**4
    assert abs(x.var() - var) < 4 * np.sqrt(max(m4 - var**2, 1e-300) / x.size)


@pytest.mark.parametrize("kind, a, b, dist", [
    (0, 0, 0, stats.uniform()),
    (6, 0, 0, stats.expon()),
    (1, 0, 0, stats.norm()),
    (2, 0.3, 0, stats.gamma(0.3)),
    (2, 1.0, 0, stats.gamma(1.0)),
    (2, 7.5, 0, stats.gamma(7.5)),
    (2, 4400.0, 0, stats.gamma(4400.0)),
    (3, 1.0, 1.0, stats.beta(1, 1)),
    (3, 3.0, 1.0, stats.beta(3, 1)),
    (3, 1.0, 0.4, stats.beta(1, 0.4)),
    (3, 2.5, 40.0, stats.beta(2.5, 40)),
    (3, 300.0, 2000.0, stats.beta(300, 2000)),
])
def test_continuous_variates(kind, a, b, dist):
    x = draw(kind, a, b)
    assert stats.kstest(x, dist.cdf).pvalue > 1e-3
    _moments_agree(x, dist)


def test_uniforms_are_in_the_open_interval_and_streams_differ():
    x = draw(0, size=1_000_000)
    assert 0.0 < x.min() and x.max() < 1.0
    assert not np.array_equal(draw(0, seed=1, size=100), draw(0, seed=2, size=100))
    assert np.array_equal(draw(0, seed=1, size=100), draw(0, seed=1, size=100))


def test_normal_tail_beyond_the_ziggurat_base():
    # P(|Z| > 3.654) = 2.6e-4: the tail algorithm must give it, within 4 standard errors
    x = draw(1, size=4_000_000, seed=5)
    p = 2 * stats.norm.sf(3.6541528853610088)
    assert abs(np.mean(np.abs(x) > 3.6541528853610088) - p) < 4 * np.sqrt(p * (1 - p) / x.size)


def _chi_square_p(x, dist):
    """Chi-square goodness of fit, cells pooled so that each expects at least 20."""
    values, observed = np.unique(x.astype(np.int64), return_counts=True)
    lo, hi = int(dist.ppf(1e-7)), int(dist.isf(1e-7)) + 1
    assert values.min() >= 0
    support = np.arange(lo, hi + 1)
    expected = dist.pmf(support) * x.size
    counts = np.zeros(support.size)
    inside = (values >= lo) & (values <= hi)
    counts[values[inside] - lo] = observed[inside]
    assert observed[~inside].sum() <= 2  # beyond 1e-7 tails: at most a couple of draws
    # pool from the left until each pooled cell expects >= 20
    pooled_e, pooled_o, e_acc, o_acc = [], [], 0.0, 0.0
    for e, o in zip(expected, counts):
        e_acc, o_acc = e_acc + e, o_acc + o
        if e_acc >= 20:
            pooled_e.append(e_acc)
            pooled_o.append(o_acc)
            e_acc = o_acc = 0.0
    pooled_e[-1] += e_acc
    pooled_o[-1] += o_acc
    pooled_e = np.array(pooled_e) * x.size / np.sum(pooled_e)
    return stats.chisquare(pooled_o, pooled_e).pvalue


@pytest.mark.parametrize("n, p", [(10, 0.05), (40, 0.2), (1000, 0.003), (50, 0.4), (1000, 0.3), (6000, 0.9),
                                  (200_000, 0.45)])
@pytest.mark.parametrize("table", ["table", "no table"])
def test_binomial(n, p, table):
    dist = stats.binom(n, p)
    x = draw(4, n, p, table=TABLE if table == "table" else np.zeros(0))
    assert x.min() >= 0 and x.max() <= n
    assert _chi_square_p(x, dist) > 1e-3
    _moments_agree(x, dist)


def test_binomial_edges():
    assert np.all(draw(4, 0, 0.3, size=10) == 0)
    assert np.all(draw(4, 7, 0.0, size=10) == 0)
    assert np.all(draw(4, 7, 1.0, size=10) == 7)


@pytest.mark.parametrize("mu", [0.2, 3.0, 9.9, 10.0, 45.0, 6000.0])
def test_poisson(mu):
    dist = stats.poisson(mu)
    x = draw(5, mu)
    assert _chi_square_p(x, dist) > 1e-3
    _moments_agree(x, dist)
    assert np.all(draw(5, 0.0, size=10) == 0)
