"""revision_nowcast: exact computation, coverage on simulated truth, honest about priors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from estimators.revisions import revision_nowcast

RUSSIA = pd.DataFrame({  # Airwars' Russia snapshots and today's record (notebook 01)
    "figure": ["likely 2015-12", "likely 2015-12", "likely 2019-04", "likely 2019-04", "alleged 2019-10", "alleged 2019-10"],
    "published": [1098, 1450, 3270, 4767, 14212, 23062],
    "final": [1055, 1399, 4027, 5973, 14398, 23227],
})


def history(y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"published": 1000.0, "final": 1000.0 * np.exp(y)})


def brute_force(y, level, mu_sd, sigma_scale, n=500):
    """The same posterior predictive on a 2-D (mu, sigma) grid, nothing integrated by hand."""
    mu = np.linspace(-3, 3, n)[:, None]
    sigma = np.linspace(1e-3, 6 * sigma_scale, n)[None, :]
    loglik = sum(norm.logpdf(v, mu, sigma) for v in y)
    logpost = loglik + norm.logpdf(mu, 0, mu_sd) - 0.5 * (sigma / sigma_scale) ** 2
    w = np.exp(logpost - logpost.max())
    w /= w.sum()
    xs = np.linspace(-3, 3, 6001)
    cdf = np.array([(w * norm.cdf(x, mu, sigma)).sum() for x in xs[::10]])
    tail = (1 - level) / 2
    return [float(np.interp(p, cdf, xs[::10])) for p in (tail, 0.5, 1 - tail)]


def test_the_exact_marginalisation_agrees_with_a_brute_force_grid():
    est = revision_nowcast(1, RUSSIA)
    y = list(est.diagnostics["log_factors"].values())
    lo, mid, hi = brute_force(y, 0.95, 0.5, 0.25)
    assert math.log(est.lower) == pytest.approx(lo, abs=2e-3)
    assert math.log(est.value) == pytest.approx(mid, abs=2e-3)
    assert math.log(est.upper) == pytest.approx(hi, abs=2e-3)


def test_ends_of_one_range_are_one_observation_and_the_result_is_deterministic():
    est = revision_nowcast(3270, RUSSIA)
    assert est.diagnostics["figures"] == 3
    assert est.diagnostics["log_factors"]["likely 2019-04"] == pytest.approx(
        (math.log(4027 / 3270) + math.log(5973 / 4767)) / 2)
    again = revision_nowcast(3270, RUSSIA)
    assert (est.value, est.lower, est.upper) == (again.value, again.lower, again.upper)
    assert est.interval == "predictive" and est.lower < est.value < est.upper
    assert revision_nowcast(1, RUSSIA).value * 3270 == pytest.approx(est.value)


def test_few_figures_say_so_and_the_prior_decides_the_width():
    est = revision_nowcast(1, RUSSIA)
    assert est.diagnostics["identification"]["sigma"] > 0.5
    assert any("decided mostly by the prior" in w for w in est.diagnostics["warnings"])
    widths = [row["upper"] / row["lower"] for row in est.diagnostics["prior_sensitivity"]]
    assert widths == sorted(widths) and widths[-1] > 1.5 * widths[0]
    many = revision_nowcast(1, history(np.random.default_rng(0).normal(0.1, 0.05, 60)))
    assert "warnings" not in many.diagnostics and many.diagnostics["identification"]["sigma"] < 0.3


@pytest.mark.parametrize("truth", ["from the prior", "fixed"])
def test_predictive_intervals_cover_the_eventual_figure_95_percent_of_the_time(truth):
    rng = np.random.default_rng(17)
    reps, hits = 400, 0
    for _ in range(reps):
        if truth == "from the prior":
            mu, sigma = rng.normal(0, 0.5), abs(rng.normal(0, 0.25))
        else:
            mu, sigma = 0.2, 0.1
        y = rng.normal(mu, sigma, 4)
        published = 3270.0
        eventual = published * math.exp(rng.normal(mu, sigma))
        est = revision_nowcast(published, history(y), prior_sensitivity=False)
        hits += est.lower <= eventual <= est.upper
    se = math.sqrt(0.95 * 0.05 / reps)
    coverage = hits / reps
    if truth == "from the prior":  # exact calibration: 95% up to Monte Carlo error
        assert abs(coverage - 0.95) < 3 * se
    else:  # one truth, four figures: about 95%, not less than 90%
        assert 0.90 < coverage < 0.95 + 3 * se


@pytest.mark.parametrize("bad, match", [
    (pd.DataFrame({"published": [100, 0], "final": [110, 5]}), "row 2, column 'published'"),
    (pd.DataFrame({"published": [100], "final": [-1]}), "row 1, column 'final'"),
    (pd.DataFrame({"published": [100]}), "column 'final'"),
])
def test_bad_history_is_refused_with_the_row(bad, match):
    with pytest.raises(ValueError, match=match):
        revision_nowcast(1, bad)


def test_bad_arguments():
    with pytest.raises(ValueError, match="level"):
        revision_nowcast(1, RUSSIA, level=1.5)
    with pytest.raises(ValueError, match="published"):
        revision_nowcast(0, RUSSIA)
    with pytest.raises(ValueError, match="prior_sigma_scale"):
        revision_nowcast(1, RUSSIA, prior_sigma_scale=0)
