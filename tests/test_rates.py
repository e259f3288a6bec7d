"""proportion_ratio: the ratio of two rates, Katz and Bayesian beta-binomial."""

import math

import numpy as np
import pytest
from tests.coverage_helpers import load_benchmark as _benchmark

import estimators
from estimators.rates import build_model, proportion_ratio, proportion_ratio_sensitivity


def test_katz_interval_matches_a_hand_computation():
    # NYT "The Uncounted": 21 of 103 sites vs 89 of 14,000 strikes.
    # RR = (21/103) / (89/14000) = 294000 / 9167 = 32.0716
    # se(log RR) = sqrt(1/21 - 1/103 + 1/89 - 1/14000) = sqrt(0.0490748) = 0.221528
    # 95%: 32.0716 * exp(-/+ 1.959964 * 0.221528) = 20.776 .. 49.509
    est = proportion_ratio(21, 103, 89, 14000)
    assert est.value == pytest.approx(294000 / 9167, rel=1e-12)
    assert est.lower == pytest.approx(20.7757, abs=5e-4)
    assert est.upper == pytest.approx(49.5091, abs=5e-4)
    assert (est.interval, est.interval_method, est.level) == ("confidence", "Katz log", 0.95)
    # and at another level, from the same formula
    se = math.sqrt(1 / 21 - 1 / 103 + 1 / 89 - 1 / 14000)
    est90 = proportion_ratio(21, 103, 89, 14000, level=0.9)
    assert est90.lower == pytest.approx(est.value * math.exp(-1.6448536 * se), rel=1e-6)


@pytest.mark.parametrize("method", ["katz", "bayes"])
def test_nyt_comparison_gives_about_31(method):
    est = estimators.proportion_ratio(21, 103, 89, 14000, method=method, random_seed=0)
    assert 29 < est.value < 35  # the NYT's "more than 31 times"
    assert est.lower < 31 < est.upper
    assert est.lower > 15 and est.upper < 60


def test_bayes_is_reproducible_and_labelled():
    a = proportion_ratio(21, 103, 89, 14000, method="bayes", random_seed=7)
    b = proportion_ratio(21, 103, 89, 14000, method="bayes", random_seed=7)
    c = proportion_ratio(21, 103, 89, 14000, method="bayes", random_seed=8)
    assert (a.value, a.lower, a.upper) == (b.value, b.lower, b.upper)
    assert a.value != c.value
    assert (a.interval, a.interval_method) == ("credible", "equal-tailed")
    assert a.details["posterior_a"].tolist() == [22.0, 90.0]  # Beta(1 + x, 1 + n - x)
    assert a.diagnostics["r_hat"] < 1.01


def test_bayes_interval_matches_the_exact_posterior():
    # Reference quantiles of p1/p2 from 2e6 draws of the exact Beta posteriors; the
    # estimator's 20,000 draws agree within 4 Monte Carlo standard errors (its own
    # diagnostics' mcse_lower/upper, from the quantiles' asymptotic variance).
    from scipy.stats import beta

    rng = np.random.default_rng(123)
    ratio = (beta(1.5 + 21, 0.5 + 82).rvs(2_000_000, random_state=rng)
             / beta(1.5 + 89, 0.5 + 13911).rvs(2_000_000, random_state=rng))
    ref_lo, ref_hi = np.quantile(ratio, [0.025, 0.975])
    est = proportion_ratio(21, 103, 89, 14000, method="bayes", prior1=(1.5, 0.5),
                           prior2=(1.5, 0.5), random_seed=3)
    assert est.lower == pytest.approx(ref_lo, abs=4 * est.diagnostics["mcse_lower"])
    assert est.upper == pytest.approx(ref_hi, abs=4 * est.diagnostics["mcse_upper"])


def test_zero_count_uses_a_stated_correction():
    est = proportion_ratio(0, 20, 3, 200)
    assert est.diagnostics["zero_corrected"] and "0.5 added" in est.diagnostics["warnings"][0]
    assert est.interval_method == "Katz log (zero-corrected)"
    assert est.value == pytest.approx((0.5 / 20.5) / (3.5 / 200.5))
    assert proportion_ratio(0, 20, 3, 200, method="bayes", random_seed=0).lower >= 0


@pytest.mark.parametrize("args, kwargs, message", [
    ((-1, 103, 89, 14000), {}, "x1 must not be negative"),
    ((21, 103, 89, 14000.5), {}, "n2 must be a whole number"),
    ((104, 103, 89, 14000), {}, "x1 \\(104\\) is larger than n1"),
    ((21, 103, 89, 0), {}, "n2 must be at least 1"),
    ((21, 103, 89, 14000), {"method": "wald"}, "method must be one of"),
    ((21, 103, 89, 14000), {"method": "bayes", "prior1": (0, 1)}, "prior1 must have both"),
    ((21, 103, 89, 14000), {"level": 95}, "level must be in"),
    (("21", 103, 89, 14000), {}, "x1 must be a whole number"),
])
def test_bad_inputs_are_refused(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        proportion_ratio(*args, **kwargs)


def test_sensitivity_covers_every_combination_and_moves_the_right_way():
    table = proportion_ratio_sensitivity([20, 21, 22], [100, 103, 106], 89, [14000, 15000])
    d = table.details
    assert len(table) == len(d) == 18
    assert table["21/103 vs 89/14,000"].value == proportion_ratio(21, 103, 89, 14000).value
    # more sites with deaths -> larger ratio; more sites visited -> smaller; more strikes -> larger
    at = d.set_index(["x1", "n1", "n2"])["value"]
    assert at[(20, 103, 14000)] < at[(21, 103, 14000)] < at[(22, 103, 14000)]
    assert at[(21, 100, 14000)] > at[(21, 103, 14000)] > at[(21, 106, 14000)]
    assert at[(21, 103, 14000)] < at[(21, 103, 15000)]
    assert d["value_vs_first"].iloc[0] == 1.0
    bayes = proportion_ratio_sensitivity(21, 103, 89, [14000, 15000], method="bayes",
                                         draws=4000, random_seed=0)
    assert all(e.interval == "credible" for _, e in bayes.items())


def test_build_model_is_the_same_posterior():
    # The PyMC model's log density at a point equals Beta priors + binomial likelihoods.
    from scipy.stats import beta, binom

    model = build_model(21, 103, 89, 14000, prior1=(2.0, 3.0))
    assert {v.name for v in model.free_RVs} == {"p1", "p2"}
    assert "ratio" in model.named_vars
    point = {"p1_logodds__": np.log(0.2 / 0.8), "p2_logodds__": np.log(0.006 / 0.994)}
    logp = model.compile_logp(jacobian=False)(point)
    expected = (beta(2, 3).logpdf(0.2) + beta(1, 1).logpdf(0.006)
                + binom(103, 0.2).logpmf(21) + binom(14000, 0.006).logpmf(89))
    assert logp == pytest.approx(expected, rel=1e-6)  # PyTensor's gammaln vs SciPy's


# -- coverage -----------------------------------------------------------------------------
# A correct 95% interval covers with probability 0.95; with R replicates the estimated
# coverage has s.e. sqrt(0.95 * 0.05 / R): 2.18 points at R = 100, 0.69 at R = 1000. The
# quick checks allow 3.5 s.e. (a correct method fails 1 run in ~2,000); the slow ones
# require the acceptance band 93-97% at R = 1000 (2.9 s.e. either side).

def test_bayes_coverage_quick():
    cov = _benchmark().coverage_ratio_bayes(100, draws=2000, seed=11)
    assert abs(cov - 0.95) <= 3.5 * math.sqrt(0.95 * 0.05 / 100)


def test_katz_coverage_quick_at_nyt_like_rates():
    cov = _benchmark().coverage_ratio_katz(400, n1=103, p1=0.2, n2=14000, p2=0.00636, seed=5)
    assert abs(cov - 0.95) <= 3.5 * math.sqrt(0.95 * 0.05 / 400)


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [{}, {"prior2": (1.0, 100.0)}, {"n1": 20, "n2": 200}])
def test_bayes_coverage_full(kwargs):
    cov = _benchmark().coverage_ratio_bayes(1000, seed=21, **kwargs)
    assert 0.93 <= cov <= 0.97


@pytest.mark.slow
def test_katz_coverage_full_at_moderate_counts():
    cov = _benchmark().coverage_ratio_katz(1000, n1=200, p1=0.3, n2=500, p2=0.1, seed=22)
    assert 0.93 <= cov <= 0.97


@pytest.mark.slow
def test_katz_is_conservative_at_very_small_counts():
    # A documented deviation: with about one event per group the zero-corrected Katz
    # interval is very wide and covers far more often than 95%.
    cov = _benchmark().coverage_ratio_katz(1000, n1=20, p1=0.05, n2=200, p2=0.01, seed=23)
    assert cov > 0.97


def test_a_random_method_requires_a_stated_seed():
    with pytest.raises(TypeError, match="random_seed is required for method='bayes'"):
        proportion_ratio(21, 103, 89, 14000, method="bayes")
    proportion_ratio(21, 103, 89, 14000, method="katz")  # closed form: no seed needed
