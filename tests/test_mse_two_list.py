"""Chapman: its closed form exactly, its interval's coverage, its failure under dependence."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from tests.results.mse_reference import SEBER_1982

from estimators.mse import ListDependenceWarning, chapman
from estimators.checking.simulate import capture_histories


def test_closed_form_exactly():
    n1, n2, m = 948, 421, 167  # Seber (1982) p. 107
    est = chapman(n1=n1, n2=n2, m=m)
    assert est.value == (n1 + 1) * (n2 + 1) / (m + 1) - 1
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    assert est.diagnostics["se"] == math.sqrt(var)
    assert est.details.loc[0, "estimate"] == n1 * n2 / m  # Lincoln-Petersen
    f0, r = est.value - (n1 + n2 - m), n1 + n2 - m
    C = math.exp(1.959963984540054 * math.sqrt(math.log(1 + var / f0**2)))
    assert est.lower == pytest.approx(r + f0 / C, rel=1e-12)
    assert est.upper == pytest.approx(r + f0 * C, rel=1e-12)
    assert est.interval == "confidence" and est.observed == r


def test_histories_and_counts_agree():
    table = pd.DataFrame({"A": [1, 1, 0], "B": [1, 0, 1], "count": [SEBER_1982[k] for k in ("11", "10", "01")]})
    assert chapman(table).value == chapman(n1=948, n2=421, m=167).value


def test_bad_input():
    with pytest.raises(ValueError, match="cannot exceed"):
        chapman(n1=10, n2=5, m=6)
    with pytest.raises(ValueError, match="say which two"):
        chapman(capture_histories(100, 3, random_seed=1))
    with pytest.warns(UserWarning, match="only 2 victims"):
        chapman(n1=30, n2=30, m=2)


def test_regression_fixed_data():
    # Pinned numbers for this seed (any change to the simulator or estimator shows here).
    est = chapman(capture_histories(2000, [0.3, 0.4], random_seed=11))
    assert (est.value, est.lower, est.upper) == pytest.approx((2081.9958847736625, 1926.6968619765883, 2270.0326423522006), rel=1e-9)
    assert est.lower <= 2000 <= est.upper


def test_coverage_under_independence():
    # 2000 replicates of N = 1000, p = (0.3, 0.3). Monte Carlo sd of the coverage is
    # sqrt(.95 * .05 / 2000) = 0.0049; 3 sd = 0.015.
    rng = np.random.default_rng(2026)
    N, hits = 1000, 0
    reps = 2000
    for _ in range(reps):
        x = rng.random((N, 2)) < 0.3
        n1, n2, m = int(x[:, 0].sum()), int(x[:, 1].sum()), int((x[:, 0] & x[:, 1]).sum())
        est = chapman(n1=n1, n2=n2, m=m)
        hits += est.lower <= N <= est.upper
    assert abs(hits / reps - 0.95) < 0.015


def test_positive_dependence_biases_it_down_and_is_flagged():
    # Two dependent lists plus a third independent one that reveals the dependence.
    data = capture_histories(5000, [0.3, 0.3, 0.3], dependence=[(0, 1, 4.0)], random_seed=3)
    with pytest.warns(ListDependenceWarning, match="too low"):
        est = chapman(data, lists=("L1", "L2"))
    assert est.upper < 5000  # the interval misses the truth: the failure mode
    with warnings.catch_warnings():
        warnings.simplefilter("error", ListDependenceWarning)
        fine = chapman(data, lists=("L1", "L3"))
    assert fine.lower <= 5000 <= fine.upper
