"""graph_average: dga's published posterior graph weights, the exact enumeration, coverage."""

import numpy as np
import pandas as pd
import pytest
from tests.results.mse_reference import (
    MY_5_DELTA, MY_5_LISTS, MY_5_MISSING, MY_5_README_N_OFFSET, MY_5_TOP_GRAPH_MODE_Q025_Q975,
    MY_5_TOP_GRAPH_PROBABILITIES,
)

from estimators.mse import graph_average
from estimators.mse.graphs import bma_log_weights, decomposable_graphs
from estimators.checking.simulate import capture_histories, graph_model_histories
from tests.coverage_helpers import load_benchmark


def test_number_of_decomposable_graphs():
    # Known counts of labelled chordal graphs: 8, 61, 822 (OEIS A058862).
    assert [len(decomposable_graphs(J)) for J in (3, 4, 5)] == [8, 61, 822]


def test_reproduces_dga_madigan_york_five_lists():
    y = np.array(MY_5_LISTS, dtype=float)
    missing = np.arange(MY_5_MISSING[0], MY_5_MISSING[1] + 1, dtype=float)
    N = y.sum() + missing
    logw = bma_log_weights(y, missing, delta=MY_5_DELTA, log_prior=-np.log(N))
    w = np.exp(logw - logw.max())
    w /= w.sum()
    by_graph = w.sum(axis=1)
    top = np.argsort(-by_graph)[:5]
    # published to 8 decimals
    np.testing.assert_allclose(by_graph[top], MY_5_TOP_GRAPH_PROBABILITIES, atol=5e-9)
    for g, (mode, q025, q975) in zip(top, MY_5_TOP_GRAPH_MODE_Q025_Q975):
        pmf = w[g] / w[g].sum()
        cdf = np.cumsum(pmf)
        ours = (N[np.argmax(pmf)], N[np.searchsorted(cdf, 0.025)], N[np.searchsorted(cdf, 0.975)])
        assert tuple(int(v) + MY_5_README_N_OFFSET for v in ours) == (mode, q025, q975)


def test_independence_graph_alone_is_the_exact_independence_posterior():
    # Independent check of the closed form: for the empty graph the table is a product of
    # J Beta-Binomial marginals, so p(N | x) ~ (1/N) N!/(N-n)! prod_j B(n_j + d, N - n_j + d)
    # / B(d, d)-type terms; compare the shape with a direct computation.
    from scipy.special import betaln, gammaln

    data = capture_histories(400, [0.3, 0.35, 0.25], random_seed=9)
    counts = np.r_[0, data["count"].to_numpy()].astype(float)
    missing = np.arange(0, 2000, dtype=float)
    N = counts.sum() + missing
    graphs = [g for g in decomposable_graphs(3) if not g[0]]
    logw = bma_log_weights(counts, missing, delta=0.125, log_prior=-np.log(N), graphs=graphs)[0]
    x = (np.arange(8)[:, None] >> np.arange(3)) & 1
    nj = (x * counts[:, None]).sum(axis=0)
    a = 0.125 * 4  # prior weight per cell of a one-list marginal: delta * 2**(J-1)
    direct = (-np.log(N) + gammaln(N + 1) - gammaln(missing + 1)
              + sum(betaln(k + a, N - k + a) for k in nj))
    diff = logw - direct
    assert np.ptp(diff) < 1e-8  # equal up to a constant


def test_regression_fixed_data():
    data = capture_histories(1500, [0.3, 0.3, 0.3, 0.3], dependence=[(0, 1, 3.0)], random_seed=31)
    est = graph_average(data)
    assert (est.value, est.lower, est.upper) == REGRESSION
    assert est.lower <= 1500 <= est.upper
    d = est.details
    assert len(d) == 61 and d["posterior_probability"].sum() == pytest.approx(1.0, abs=1e-12)
    assert "L1-L2" in d["graph"].iloc[0]  # the dependent pair is in the most probable graph


REGRESSION = (1497.0, 1432.0, 1571.0)


def test_options_and_errors():
    data = capture_histories(600, 3, random_seed=2)
    flat = graph_average(data, prior="uniform")
    default = graph_average(data)
    assert flat.value >= default.value  # 1/N pulls N down
    custom = graph_average(data, prior=lambda N: -2 * np.log(N))
    assert custom.value <= default.value
    with pytest.warns(UserWarning, match="raise max_missing"):
        graph_average(data, max_missing=20)
    with pytest.raises(ValueError, match="3 to 5 lists"):
        graph_average(capture_histories(600, 2, random_seed=2))
    with pytest.raises(ValueError, match="prior"):
        graph_average(data, prior="jeffreys")
    with pytest.raises(ValueError, match="no weight"):  # a proper prior entirely below n
        graph_average(data, prior=lambda N: np.where(N < 10, 0.0, -np.inf))


def test_coverage_small_version():
    # Data from the model's own assumptions (lists independent given the graph; here the
    # L1-L2 dependent graph). 200 replicates; Monte Carlo sd 0.0154; accept 0.90-0.99.
    hits = 0
    for seed in range(200):
        data = capture_histories(1000, [0.3, 0.25, 0.3], dependence=[(0, 1, 2.0)], random_seed=5000 + seed)
        est = graph_average(data)
        hits += est.lower <= 1000 <= est.upper
    assert 0.90 <= hits / 200 <= 0.99


def test_failure_mode_heterogeneity_biases_it_down():
    # Documented limitation: graphs model list dependence, not heterogeneous catchability
    # shared by all lists; with a hard-to-catch class the posterior sits below the truth.
    classes = {"weights": [0.6, 0.4], "probabilities": [[0.6, 0.5, 0.6], [0.1, 0.1, 0.15]]}
    data = capture_histories(3000, [0.3] * 3, heterogeneity=classes, random_seed=13)
    est = graph_average(data)
    assert est.upper < 3000


# -- graph_model_histories: data from graph_average's own prior and likelihood ------------

def test_graph_model_keeps_the_truth_and_is_seeded():
    a = graph_model_histories((100, 300), 4, random_seed=3)
    b = graph_model_histories((100, 300), 4, random_seed=3)
    assert a.equals(b) and a.attrs["graph"] == b.attrs["graph"]
    assert 100 <= a.attrs["N"] <= 300 and a["count"].sum() + a.attrs["unobserved"] == a.attrs["N"]
    assert a.attrs["probabilities"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="not a decomposable graph"):
        graph_model_histories(100, 4, graph=[(0, 1), (1, 2), (2, 3), (0, 3)], random_seed=0)  # a 4-cycle


def test_graph_model_probabilities_are_markov_on_the_graph():
    # Graph L1-L2, L2-L3 on three lists: L1 and L3 independent given L2, exactly.
    p = graph_model_histories(10, 3, graph=[(0, 1), (1, 2)], random_seed=4).attrs["probabilities"]
    t = p.reshape(2, 2, 2)  # axes: L3, L2, L1 (cell bits)
    for x2 in (0, 1):
        joint = t[:, x2, :] / t[:, x2, :].sum()
        np.testing.assert_allclose(joint, np.outer(joint.sum(axis=1), joint.sum(axis=0)), atol=1e-12)


@pytest.mark.parametrize("edges", [[(0, 1), (0, 2), (1, 2)], [(0, 2)], []])
def test_graph_model_prior_has_dirichlet_marginals(edges):
    # Whatever the graph, the hyper-Dirichlet's marginal on one list is Beta(a, a) with
    # a = delta * 2**(J-1) (here 1/2); under the complete graph every cell is
    # Dirichlet(delta = 1/8): mean 1/8, variance (1/8)(7/8)/(1 + 1). Tolerances: 4 Monte
    # Carlo standard errors of 20,000 draws.
    from estimators.checking.simulate import _hyper_dirichlet

    order = next(o for e, o in decomposable_graphs(3) if list(e) == edges)
    rng = np.random.default_rng(11)
    draws = np.array([_hyper_dirichlet(order, 3, 1 / 8, rng) for _ in range(20_000)])
    assert np.allclose(draws.sum(axis=1), 1)
    on_l3 = draws[:, 4:].sum(axis=1)
    var = 1 / (4 * (2 * 0.5 + 1))
    assert abs(on_l3.mean() - 0.5) < 4 * np.sqrt(var / 20_000)
    assert abs(on_l3.var() - var) < 4 * np.sqrt(np.var((on_l3 - 0.5) ** 2) / 20_000)
    if len(edges) == 3:
        cell_var = (1 / 8) * (7 / 8) / 2
        assert np.all(np.abs(draws.mean(axis=0) - 1 / 8) < 4 * np.sqrt(cell_var / 20_000))
        sq = (draws - 1 / 8) ** 2
        assert np.all(np.abs(sq.mean(axis=0) - cell_var) < 4 * sq.std(axis=0) / np.sqrt(20_000))


def test_graph_model_counts_follow_the_probabilities():
    data = graph_model_histories(200_000, 3, random_seed=5)
    p = data.attrs["probabilities"]
    counts = np.r_[data.attrs["unobserved"], data["count"].to_numpy()]
    # multinomial: each cell within 5 standard deviations
    assert np.all(np.abs(counts - 200_000 * p) <= 5 * np.sqrt(200_000 * p * (1 - p)) + 1e-9)


def _check_sbc(out, reps):
    # Exact check: covered - m has mean 0 (m = the interval's exact posterior mass), so
    # z is about N(0, 1); and the coverage itself is within 4 binomial standard errors of
    # the expected rate E[m] (a little above 0.95 because N is discrete).
    assert out["replicates"] + out["skipped"] == reps
    assert abs(out["z"]) < 3.5
    assert abs(out["coverage"] - out["expected"]) < 4 * np.sqrt(out["expected"] * (1 - out["expected"]) / reps)
    assert 0.95 <= out["expected"] < 0.99


def test_graph_average_is_calibrated_on_its_own_prior_small():
    # Simulation-based calibration, 3 lists, 400 replicates (~10 s); see benchmarks/mse.py.
    _check_sbc(load_benchmark("mse").graph_sbc(3, 400, seed=3_000), 400)


@pytest.mark.slow
@pytest.mark.parametrize("J", [3, 4])
def test_graph_average_is_calibrated_on_its_own_prior(J):
    out = load_benchmark("mse").graph_sbc(J, 1000, seed=1_000_000 * J)
    _check_sbc(out, 1000)
    # the randomised PIT is uniform: each fifth holds 200 +- 4 binomial sd (12.6)
    assert np.all(np.abs(np.histogram(out["pit"], bins=5, range=(0, 1))[0] - 200) < 4 * np.sqrt(1000 * 0.2 * 0.8))
