"""The C++ speed baseline (benchmarks/lcmcr_baseline.cpp) samples latent_class's posterior.

Its speed only means something if it runs the same sampler on the same model: its draws of
N must match the exact K = 1 posterior and our data-augmentation sampler's for K = 10.
"""

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from estimators.mse._common import cell_counts
from estimators.mse.latent_class import sample_latent_class
from estimators.posterior import convergence
from estimators.checking.simulate import capture_histories
from tests.test_mse_latent_class import _exact_one_class

_spec = importlib.util.spec_from_file_location(
    "lcmcr_baseline", Path(__file__).parents[1] / "benchmarks" / "lcmcr_baseline.py")
baseline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(baseline)

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed")
# both builds: the standard library's random variates, and GSL's where libgsl-dev is installed
RNGS = ["std", pytest.param("gsl", marks=pytest.mark.skipif(shutil.which("gsl-config") is None,
                                                            reason="GSL (libgsl-dev) is not installed"))]

# two latent classes on four lists (the model's own assumption); 2,705 observed of 3,000. (With
# fewer records the exact sampler now and then spends thousands of sweeps with every victim
# in one class and alpha near 0, a real but rare corner of the posterior that short runs
# cannot average over.)
FOUR_LISTS = {"weights": [0.7, 0.3], "probabilities": [[0.6, 0.7, 0.5, 0.6], [0.25, 0.3, 0.2, 0.35]]}


def _quantile_mcse(draws, pooled, q, ess):
    """Monte Carlo s.e. of the q-quantile: sqrt(q (1 - q) / ESS) / f(x_q), the density f
    estimated from the pooled draws of both samplers as 2h / (x_{q+h} - x_{q-h})."""
    h = min(q, 1 - q) / 2
    spread = max(np.quantile(pooled, q + h) - np.quantile(pooled, q - h), 1.0)
    return np.sqrt(q * (1 - q) / ess) * spread / (2 * h)


@needs_gxx
@pytest.mark.parametrize("rng", RNGS)
def test_one_class_matches_the_exact_posterior(rng):
    _, counts = cell_counts(capture_histories(500, [0.3, 0.4, 0.25], random_seed=3))
    N, pmf = _exact_one_class(counts)
    cdf = np.cumsum(pmf)
    draws = baseline.run_baseline(counts, K=1, burn=500, draws=4000, thin=2, chains=2, random_seed=5,
                                  rng=rng)["N"]
    ess = convergence(draws)
    for q in (0.025, 0.5, 0.975):
        exact = N[np.searchsorted(cdf, q)]
        mcse = _quantile_mcse(draws, draws, q, ess["ess_bulk" if q == 0.5 else "ess_tail"])
        assert abs(np.quantile(draws, q) - exact) < 4 * mcse + 1  # +1: N is discrete


@needs_gxx
@pytest.mark.parametrize("rng", RNGS)
def test_same_posterior_as_our_data_augmentation_sampler(rng):
    # Same model, priors and K; independent random streams. Each quantile (median with the
    # bulk ESS, 2.5% and 97.5% with the tail ESS) agrees within 4 combined Monte Carlo s.e.
    _, counts = cell_counts(capture_histories(3000, [0.3] * 4, heterogeneity=FOUR_LISTS, random_seed=11))
    settings = dict(K=10, burn=2000, draws=4000, thin=5, chains=2, random_seed=3)
    ours = sample_latent_class(counts, sampler="data-augmentation", **settings)
    cpp = baseline.run_baseline(counts, rng=rng, **settings)
    assert cpp["N"].shape == ours["N"].shape == (2, 4000)
    assert int(cpp["iterations"]) == int(ours["iterations"]) == 2 * (2000 + 4000 * 5)
    assert float(cpp["cpu_seconds"]) > 0 and float(cpp["seconds"]) > 0
    pooled = np.r_[cpp["N"].ravel(), ours["N"].ravel()]
    for q, kind in ((0.025, "ess_tail"), (0.5, "ess_bulk"), (0.975, "ess_tail")):
        se = [_quantile_mcse(d, pooled, q, convergence(d)[kind]) for d in (cpp["N"], ours["N"])]
        assert abs(np.quantile(cpp["N"], q) - np.quantile(ours["N"], q)) < 4 * np.hypot(*se) + 1


def test_clear_errors(monkeypatch):
    with pytest.raises(ValueError, match="2\\*\\*J"):
        baseline.run_baseline(np.ones(6, int), burn=1, draws=1, thin=1, chains=1, random_seed=0)
    with pytest.raises(ValueError, match="optimize"):
        baseline.compile_baseline("O9")
    with pytest.raises(ValueError, match="rng"):
        baseline.compile_baseline(rng="boost")
    monkeypatch.setattr(baseline.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="g\\+\\+ is not installed"):
        baseline.compile_baseline()
