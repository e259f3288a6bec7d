"""site_sample_total: field samples of strike sites extrapolated to all strikes."""

import math

import pandas as pd
import pytest
from tests.coverage_helpers import load_benchmark

import estimators
from estimators import DataValidationError
from estimators.sampling import site_sample_total
from estimators.checking.simulate import site_sample, strike_population

Z95 = 1.959963984540054


@pytest.fixture
def four_sites():
    return pd.DataFrame({"site": ["a", "b", "c", "d"], "deaths": [0, 2, 5, 1],
                         "acknowledged": [0, 1, 2, 1]})


def test_horvitz_thompson_matches_a_hand_computation(four_sites):
    # 4 of 40 strikes (f = 0.1): total = 40 * mean(0, 2, 5, 1) = 80;
    # s^2 = ((0-2)^2 + 0 + 3^2 + 1) / 3 = 14/3; var = 40^2 (1 - 0.1) s^2 / 4 = 1680.
    res = site_sample_total(four_sites, strikes=40, estimator="horvitz-thompson")
    total = res["total deaths"]
    assert total.value == 80
    assert total.diagnostics["se"] == pytest.approx(math.sqrt(1680))
    # log-normal interval: sigma^2 = log(1 + 1680 / 80^2) = 0.2334
    sigma = math.sqrt(math.log(1 + 1680 / 6400))
    assert total.upper == pytest.approx(80 * math.exp(Z95 * sigma))
    assert total.lower == pytest.approx(80 * math.exp(-Z95 * sigma))
    assert total.observed == 8
    assert total.interval_method == "log-normal, design variance"
    assert res["deaths per strike"].value == pytest.approx(2.0)
    assert total.interval == "confidence"


def test_ratio_estimator_matches_a_hand_computation(four_sites):
    # R = 8 / 4 = 2 deaths found per death acknowledged; X = 50 -> total 100.
    # residuals y - 2x = (0, 0, 1, -1), s_e^2 = 2/3; v = 40^2 * 0.9 * (2/3) / 4 = 240;
    # scaled by (X / X_HT)^2 = (50 / 40)^2: var = 375.
    res = site_sample_total(four_sites, strikes=40, acknowledged_total=50)
    total = res["total deaths"]
    assert total.method == "site_sample_total (ratio, combined)"
    assert total.value == pytest.approx(100)
    assert total.diagnostics["se"] == pytest.approx(math.sqrt(375))
    assert res["ratio to acknowledged"].value == pytest.approx(2.0)
    sigma = math.sqrt(math.log(1 + 375 / 100**2))
    assert res["ratio to acknowledged"].upper == pytest.approx(100 * math.exp(Z95 * sigma) / 50)


def test_stratified_estimates_add_up_over_strata():
    sample = pd.DataFrame({"site": list("abcdef"), "stratum": ["n", "n", "n", "s", "s", "s"],
                           "deaths": [1, 0, 4, 10, 6, 2], "acknowledged": [1, 0, 1, 3, 2, 1]})
    strikes = {"n": 30, "s": 12}
    res = site_sample_total(sample, strikes=strikes, estimator="horvitz-thompson")
    d = res.details.set_index("stratum")
    assert d.loc["n", "estimate"] == pytest.approx(30 * 5 / 3)
    assert d.loc["s", "estimate"] == pytest.approx(12 * 18 / 3)
    assert res["total deaths"].value == pytest.approx(50 + 72)
    assert res["total deaths"].diagnostics["se"] == pytest.approx(math.hypot(*d["se"]))
    # separate ratio: one ratio per stratum, X per stratum
    sep = site_sample_total(sample, strikes=strikes, acknowledged_total={"n": 10, "s": 20})
    assert sep["total deaths"].value == pytest.approx(10 * 5 / 2 + 20 * 18 / 6)


def test_the_deaths_found_are_a_floor_under_the_interval():
    # one site with 30 deaths among many empty ones: the lower end would fall below 30
    sample = pd.DataFrame({"site": [f"s{i}" for i in range(10)], "deaths": [30] + [0] * 9})
    total = site_sample_total(sample, strikes=12)["total deaths"]
    assert total.value == pytest.approx(36)
    assert total.lower == total.observed == 30


def test_result_round_trips_through_json(four_sites):
    res = site_sample_total(four_sites, strikes=40, acknowledged_total=50, interval="bootstrap", random_seed=0)
    back = estimators.EstimateTable.from_json(res.to_json())
    assert str(back) == str(res) and back["total deaths"].details.equals(res.details)


def test_unequal_inclusion_probabilities_weight_each_site():
    sample = pd.DataFrame({"site": ["a", "b", "c"], "deaths": [3, 0, 8],
                           "inclusion_probability": [0.5, 0.1, 0.2]})
    res = site_sample_total(sample, strikes=100, estimator="horvitz-thompson")
    assert res["total deaths"].value == pytest.approx(3 / 0.5 + 0 + 8 / 0.2)


def test_bootstrap_is_reproducible_and_agrees_with_the_design_variance():
    pop = strike_population({"a": 3000, "b": 2000}, share_with_deaths={"a": 0.3, "b": 0.5},
                                     mean_deaths=3.0, dispersion=2.0, random_seed=4)
    sample = site_sample(pop, {"a": 60, "b": 40}, random_seed=5)
    kw = dict(strikes={"a": 3000, "b": 2000}, estimator="horvitz-thompson", interval="bootstrap")
    one = site_sample_total(sample, random_seed=1, **kw)["total deaths"]
    two = site_sample_total(sample, random_seed=1, **kw)["total deaths"]
    assert (one.lower, one.upper) == (two.lower, two.upper)
    assert one.interval_method == "Rao-Wu rescaling bootstrap percentile"
    # Rao-Wu rescaling reproduces the design variance in expectation; with B = 2000
    # replicates the bootstrap s.e. has a relative Monte Carlo error of about
    # 1/sqrt(2B) ~ 1.6% (more with skewed data): 10% is > 5 of those.
    assert one.diagnostics["bootstrap_se"] == pytest.approx(one.diagnostics["se"], rel=0.10)


def test_file_input_is_validated(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site,deaths\ns1,3\ns2,-1\n")
    with pytest.raises(DataValidationError, match="row 2 .*column 'deaths'.*non-negative"):
        estimators.read_site_sample(path)
    path.write_text("site,deaths,victims\ns1,3,1\n")
    with pytest.raises(DataValidationError, match="unknown column"):
        estimators.read_site_sample(path)
    with pytest.raises(TypeError, match="takes a table, not a file name: read .* with estimators.read_site_sample"):
        site_sample_total(path, strikes=10)  # estimators never read files
    path.write_text("site,deaths,inclusion_probability\ns1,3,0\ns2,1,0.5\n")
    with pytest.raises(DataValidationError, match="probability above 0"):
        estimators.read_site_sample(path)


@pytest.mark.parametrize("kwargs, message", [
    (dict(strikes=3), "4 sites sampled but only 3 strikes"),
    (dict(strikes=40, estimator="ratio"), "needs acknowledged_total"),
    (dict(strikes=40, estimator="mean"), "estimator must be one of"),
    (dict(strikes=40, interval="jackknife"), "interval must be one of"),
    (dict(strikes=-5), "non-negative number"),
])
def test_bad_arguments_are_refused(four_sites, kwargs, message):
    with pytest.raises(ValueError, match=message):
        site_sample_total(four_sites, **kwargs)


def test_bad_designs_are_refused(four_sites):
    strat = four_sites.assign(stratum=["n", "n", "n", "s"])
    with pytest.raises(ValueError, match="no value for stratum 's'"):
        site_sample_total(strat, strikes={"n": 10})
    with pytest.raises(ValueError, match="give strikes as a mapping"):
        site_sample_total(strat, strikes=40)
    with pytest.raises(ValueError, match="stratum 's' has one sampled site"):
        site_sample_total(strat, strikes={"n": 10, "s": 5})
    with pytest.raises(ValueError, match="no acknowledged deaths at any sampled site"):
        site_sample_total(four_sites.assign(acknowledged=0), strikes=40, acknowledged_total=9)
    with pytest.raises(ValueError, match="needs an 'acknowledged' count"):
        site_sample_total(four_sites.drop(columns="acknowledged"), strikes=40,
                          acknowledged_total=9, estimator="ratio")


# -- coverage (design-based: one fixed population, repeated samples) ------------------------
# s.e. of an estimated coverage from R samples: sqrt(0.95 * 0.05 / R), 1.78 points at
# R = 150. The quick check allows 3.5 s.e.

def test_coverage_quick_horvitz_thompson():
    cov = load_benchmark().coverage_site_sample(150, "n=100, moderate skew",
                                                estimator="horvitz-thompson",
                                                interval="analytic", seed=31)
    assert abs(cov - 0.95) <= 3.5 * math.sqrt(0.95 * 0.05 / 150)


# The full studies use the benchmark's population (seed 0) and print the same numbers as
# `benchmarks/rates_sampling_backlog.py` (R = 1000, s.e. 0.69 points). Measured: at 100
# sites Horvitz-Thompson covers 94.2% (analytic) / 93.8% (bootstrap); the ratio estimator
# under-covers, 91.6% / 93.6% (its bias and skewness with x only loosely tied to y), as
# it still does at 200 sites (92.5% / 93.2%); with 40 sites and heavy skew all four fall
# to 75-89%. These are properties of design-based intervals, not of the code.

@pytest.mark.slow
@pytest.mark.parametrize("interval", ["analytic", "bootstrap"])
def test_coverage_full_horvitz_thompson_at_100_sites(interval):
    cov = load_benchmark().coverage_site_sample(1000, "n=100, moderate skew",
                                                estimator="horvitz-thompson",
                                                interval=interval, seed=0)
    assert 0.93 <= cov <= 0.97


@pytest.mark.slow
@pytest.mark.parametrize("interval", ["analytic", "bootstrap"])
def test_coverage_full_ratio_at_100_sites_is_slightly_low(interval):
    cov = load_benchmark().coverage_site_sample(1000, "n=100, moderate skew",
                                                estimator="ratio", interval=interval, seed=0)
    assert 0.90 <= cov <= 0.97


@pytest.mark.slow
def test_undercoverage_with_few_sites_and_heavy_skew_is_documented():
    cov = load_benchmark().coverage_site_sample(1000, "n=40, heavy skew",
                                                estimator="horvitz-thompson",
                                                interval="analytic", seed=0)
    assert cov < 0.93
