"""Posterior summaries on draws whose distribution is known exactly."""

import numpy as np
import pytest

from estimators.posterior import convergence, credible_interval, posterior_estimate


def test_equal_tailed_interval_matches_normal_quantiles():
    draws = np.random.default_rng(1).normal(size=400_000)
    lo, hi = credible_interval(draws, level=0.95)
    # Monte Carlo s.e. of a 2.5% quantile with 4e5 draws is about 0.005.
    assert lo == pytest.approx(-1.95996, abs=0.025) and hi == pytest.approx(1.95996, abs=0.025)


def test_hdi_is_narrower_than_equal_tailed_for_skewed_draws():
    draws = np.random.default_rng(2).exponential(size=100_000)
    et = credible_interval(draws, level=0.9)
    hdi = credible_interval(draws, level=0.9, kind="HDI")
    assert hdi[1] - hdi[0] < et[1] - et[0]
    assert hdi[0] == pytest.approx(0.0, abs=0.01)  # an exponential's HDI starts at 0


def test_convergence_flags_chains_that_disagree():
    rng = np.random.default_rng(3)
    good = rng.normal(size=(4, 1000))
    bad = good + np.array([[0.0], [0.0], [3.0], [3.0]])
    assert convergence(good)["r_hat"] < 1.01
    assert convergence(bad)["r_hat"] > 1.5
    assert convergence(good, divergences=0)["divergences"] == 0


def test_posterior_estimate_is_a_credible_estimate():
    est = posterior_estimate(np.arange(1, 1001), method="test", level=0.9)
    assert est.interval == "credible" and est.interval_method == "equal-tailed"
    assert est.value == pytest.approx(500.5) and est.lower == pytest.approx(50.95)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        credible_interval([1, 2], level=0.9, kind="hpd")
    with pytest.raises(ValueError, match="shape \\(chain, draw\\)"):
        convergence(np.zeros(10))
