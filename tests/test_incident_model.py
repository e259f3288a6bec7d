"""incident_model: the contract, exactness of its pieces, calibration on simulated truth."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimators import incident_model, read_incidents, simulate
from estimators.data import GRADES
from estimators.incidents import MEDIAN_UPPER_FACTOR, PRIOR_SETTINGS, build_model
from estimators.incidents.prepare import _prepare
from estimators.incidents.priors import ordered_prior_draws, truncated_beta

FAST = dict(chains=2, draws=300, tune=100, sensitivity=())


@pytest.fixture(scope="module")
def sim():
    return simulate.incidents(200, p_assessed=0.6, random_seed=11)


@pytest.fixture(scope="module")
def fit(sim):
    return incident_model(sim.table, belligerent=sim.belligerent, chains=4, draws=1000, tune=300,
                          sensitivity=("sceptical", "default", "generous"), random_seed=5)


def test_result_contract(fit, sim):
    assert fit.interval == "credible" and fit.interval_method == "equal-tailed" and fit.level == 0.95
    assert fit.lower <= fit.value <= fit.upper
    assert fit.details["grade"].tolist() == list(GRADES)
    assert {"credibility_mean", "credibility_lower", "true_deaths_median"} <= set(fit.details.columns)
    p = fit.diagnostics["p_above_likely_upper"]
    assert 0 <= p <= 1 and fit.diagnostics["likely_range"][1] == int(
        sim.table[sim.table.grade.isin(["confirmed", "fair"])].deaths_max.sum())
    table = pd.DataFrame(fit.diagnostics["prior_sensitivity"])
    assert table["prior"].tolist() == ["sceptical", "default", "generous"]
    # More credulous priors on every grade can only move the total up (each incident's
    # genuineness is stochastically larger); tolerance: the medians differ by hundreds
    # of deaths here, their Monte Carlo error is a few.
    assert table["median"].is_monotonic_increasing
    assert fit.idata.posterior["total"].shape == (4, 1000)
    assert fit.diagnostics["r_hat_max"] < 1.05
    assert fit.observed == sim.table[sim.table.grade == "confirmed"].deaths_min.sum()


def test_same_seed_same_numbers(sim):
    a = incident_model(sim.table, belligerent=sim.belligerent, random_seed=3, **FAST)
    b = incident_model(sim.table, belligerent=sim.belligerent, random_seed=3, **FAST)
    c = incident_model(sim.table, belligerent=sim.belligerent, random_seed=4, **FAST)
    assert (a.value, a.lower, a.upper) == (b.value, b.lower, b.upper)
    assert a.details.equals(b.details)
    assert (a.value, a.lower, a.upper) != (c.value, c.lower, c.upper)


def test_bad_options_are_refused(sim):
    with pytest.raises(TypeError, match="random_seed must be an integer"):
        incident_model(sim.table, random_seed=1.5, **FAST)
    with pytest.raises(ValueError, match="unknown prior setting"):
        incident_model(sim.table, priors="optimistic", random_seed=1, **FAST)
    with pytest.raises(ValueError, match="no incident names"):
        incident_model(sim.table, belligerent="Nobody", random_seed=1, **FAST)
    with pytest.raises(ValueError, match="contested_share"):
        incident_model(sim.table, contested_share=2.0, random_seed=1, **FAST)


def test_truncated_beta_is_exact():
    """Mean of Beta(2, 5) restricted to [0.3, 0.6] against numerical integration.
    Tolerance: 5 Monte Carlo standard errors (sd of the truncated law / sqrt(n))."""
    from scipy import integrate, stats

    rng = np.random.default_rng(0)
    n = 20_000
    x = truncated_beta(rng, np.full(n, 2.0), np.full(n, 5.0), np.full(n, 0.3), np.full(n, 0.6))
    assert x.min() >= 0.3 and x.max() <= 0.6
    mass = stats.beta.cdf(0.6, 2, 5) - stats.beta.cdf(0.3, 2, 5)
    mean = integrate.quad(lambda t: t * stats.beta.pdf(t, 2, 5), 0.3, 0.6)[0] / mass
    assert abs(x.mean() - mean) < 5 * x.std() / np.sqrt(n)
    # far in a tail, where the inverse-CDF fallback does the work
    y = truncated_beta(rng, np.full(2000, 30.0), np.full(2000, 2.0), np.full(2000, 0.0), np.full(2000, 0.5))
    assert y.max() <= 0.5 and y.min() > 0.2


def test_without_assessments_the_credibilities_stay_at_their_ordered_prior():
    """Nothing but assessments informs theta; a table with none returns the prior. The
    ordered prior's means come from 200,000 exact draws (MC error ~0.001); the fit's
    from 4,000 independent draws: tolerance 5 x sd / sqrt(4000) < 0.02."""
    sim = simulate.incidents(100, p_assessed=0.0, random_seed=2)
    est = incident_model(sim.table, belligerent=sim.belligerent, chains=4, draws=1000, tune=0,
                         sensitivity=(), random_seed=8)
    prior = PRIOR_SETTINGS["default"]
    a = np.array([prior[g][0] for g in GRADES[1:]])
    b = np.array([prior[g][1] for g in GRADES[1:]])
    draws = ordered_prior_draws(np.random.default_rng(1), a, b, 200_000)
    got = est.details.set_index("grade").loc[list(GRADES[1:]), "credibility_mean"].to_numpy()
    assert np.all(np.abs(got - draws.mean(axis=0)) < 5 * draws.std(axis=0) / np.sqrt(4000) + 0.001)
    assert np.all(np.diff(draws, axis=1) <= 0)


def test_assessments_move_credibility_the_right_way():
    """With the assessment's accuracy pinned by strong priors (se, sp ~ 0.9), "credible"
    raises a grade's credibility and "non-credible" lowers it. (With vague priors on
    se and sp, a grade whose incidents are all rejected is also explained by a
    belligerent that rejects everything: the data cannot tell these apart.)"""
    sharp = {"sensitivity": (90, 10), "specificity": (90, 10)}
    base = simulate.incidents(300, p_assessed=0.0, random_seed=4).table
    cred, noncred = base.copy(), base.copy()
    fair = base.grade == "fair"
    cred.loc[fair, "assessment"] = "credible"
    noncred.loc[fair, "assessment"] = "non-credible"
    fits = [incident_model(t, priors=sharp, random_seed=1, **FAST) for t in (base, cred, noncred)]
    means = [f.details.set_index("grade").loc["fair", "credibility_mean"] for f in fits]
    assert means[2] < means[0] < means[1]


def test_build_model_is_the_same_posterior():
    """The PyMC model's log density differs from ours by a constant: compare differences
    between random points (exact up to floating point)."""
    from estimators.incidents import resolve_priors
    from estimators.incidents.model import _log_posterior

    sim = simulate.incidents(80, p_assessed=0.7, random_seed=3)
    model = build_model(sim.table, belligerent=sim.belligerent)
    prep = _prepare(sim.table, belligerent=sim.belligerent, contested_share="equal", confirmed_genuine=True)
    prior = resolve_priors("default")
    logp = model.compile_logp(jacobian=False)
    rng = np.random.default_rng(0)
    values = []
    for _ in range(3):
        x = rng.uniform(0.05, 0.95, 4)  # discounted, contested, weak, fair
        th, prev = [], None
        for xi in x:
            prev = xi if prev is None else prev + (1 - prev) * xi
            th.append(prev)
        theta = np.array([1.0, th[3], th[2], th[1], th[0]])
        se, sp = rng.uniform(0.1, 0.9, 2)
        point = {"x_interval__": np.log(x / (1 - x)), "sensitivity_logodds__": np.log(se / (1 - se)),
                 "specificity_logodds__": np.log(sp / (1 - sp))}
        ours = _log_posterior(prep, prior, theta, se, sp)
        jac = np.log(1 - np.array(th[:3])).sum()  # d theta / d x of the ordered map
        values.append(float(logp(point)) - (ours + jac))
    assert np.ptp(values) < 1e-8


def test_small_coverage_study():
    """40 tables from the model's own generative process: the 95% interval should miss
    about 2. P(at least 6 misses | coverage 0.95) = 0.014 (binomial 40, 0.05), so 6+
    misses flags a real defect; the full 500-table study is in the slow test and in
    benchmarks/incident_model.py."""
    misses = 0
    for r in range(40):
        sim = simulate.incidents(60, p_assessed=0.5, random_seed=1000 + r)
        est = incident_model(sim.table, belligerent=sim.belligerent, chains=2, draws=400, tune=100,
                             sensitivity=(), random_seed=r)
        misses += not (est.lower <= sim.true_total <= est.upper)
    assert misses <= 5


@pytest.mark.slow
def test_coverage_on_500_simulated_tables():
    """Coverage in [93%, 97%]; MC s.e. of a true 95% over 500 tables is 0.97 points, so
    the band is +-2.06 s.e. (a correct sampler passes 96% of the time)."""
    hits = 0
    for r in range(500):
        sim = simulate.incidents(150, p_assessed=0.5, random_seed=50_000 + r)
        est = incident_model(sim.table, belligerent=sim.belligerent, chains=4, draws=500, tune=200,
                             sensitivity=(), random_seed=r)
        hits += est.lower <= sim.true_total <= est.upper
    assert 0.93 <= hits / 500 <= 0.97


incident_rows = st.lists(
    st.tuples(st.sampled_from(GRADES), st.integers(0, 30), st.integers(0, 30),
              st.sampled_from(["none", "credible", "non-credible"])),
    min_size=1, max_size=25,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incident_rows, st.sampled_from(["default", "sceptical", "generous", "flat"]))
def test_median_lies_between_confirmed_minima_and_a_multiple_of_all_maxima(rows, priors):
    """Floor: confirmed incidents are genuine and die at least their minimum, in every
    draw. Ceiling: MEDIAN_UPPER_FACTOR (2) x the sum of maxima, by Markov's inequality on
    the excess beyond the maxima (see estimators.incidents.MEDIAN_UPPER_FACTOR)."""
    frame = pd.DataFrame({
        "incident_id": [str(i) for i in range(len(rows))], "date": "2016-03-01",
        "belligerents": "A", "country": "Syria", "grade": [r[0] for r in rows],
        "deaths_min": [r[1] for r in rows], "deaths_max": [r[1] + r[2] for r in rows],
        "assessment": [r[3] for r in rows]})
    table = read_incidents(frame)
    est = incident_model(table, priors=priors, chains=2, draws=200, tune=50, sensitivity=(), random_seed=0)
    floor = table[table.grade == "confirmed"].deaths_min.sum()
    assert floor <= est.value <= MEDIAN_UPPER_FACTOR * table.deaths_max.sum()
