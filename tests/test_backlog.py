"""pending_allegations: further deaths a belligerent will acknowledge from its backlog."""

import math

import numpy as np
import pytest
from tests.coverage_helpers import load_benchmark

import estimators
from estimators import backlog
from estimators.backlog import build_model, pending_allegations


@pytest.fixture(scope="module")
def april_2019():
    # Coalition monthly report, April 2019: 18 assessed, 3 credible (5 deaths), 111 open,
    # 1,302 acknowledged in total.
    return estimators.pending_allegations(18, 3, 5, 111, acknowledged=1302)


def test_conjugate_posteriors_by_hand(april_2019):
    # theta | data ~ Beta(1 + 3, 1 + 15); lam | data ~ Gamma(1 + 5, rate 0.1 + 3)
    assert april_2019.diagnostics["posterior_credible_share"] == [4.0, 16.0]
    assert april_2019.diagnostics["posterior_deaths_per_credible"] == [6.0, 3.1]
    d = april_2019.details.set_index("quantity")
    assert d.loc["credible share (theta)", "mean"] == pytest.approx(4 / 20)
    assert d.loc["deaths per credible allegation (lam)", "mean"] == pytest.approx(6 / 3.1)


def test_exact_predictive_mean_is_pending_times_share_times_rate(april_2019):
    # theta and lam are independent a posteriori, so E[F] = 111 * E[theta] * E[lam].
    d = april_2019.details.set_index("quantity")
    expected = 111 * (4 / 20) * (6 / 3.1)
    assert d.loc["further deaths acknowledged (F)", "mean"] == pytest.approx(expected, rel=1e-6)
    assert d.loc["eventual acknowledged total", "mean"] == pytest.approx(1302 + expected, rel=1e-9)
    assert d.loc["credible among pending (K)", "mean"] == pytest.approx(111 * 0.2, rel=1e-9)


def test_result_is_a_predictive_interval_above_the_floor(april_2019):
    est = april_2019
    assert (est.interval, est.interval_method, est.level) == ("predictive", "equal-tailed", 0.95)
    assert est.observed == 1302
    assert 1302 <= est.lower < est.value < est.upper
    assert all(float(v).is_integer() for v in (est.value, est.lower, est.upper))
    assert 1320 < est.value < 1360  # about 111 * 0.2 * 1.9 = 43 further deaths
    assert "predictive interval" in str(est)


def test_monte_carlo_fallback_agrees_with_the_exact_table(monkeypatch, april_2019):
    # When the table is too big the predictive is drawn exactly by Monte Carlo. With
    # 200,000 draws its 2.5% and 97.5% quantiles have Monte Carlo s.d. of about 0.3 and
    # 1 death here (q(1-q)/n / density); 3 deaths is a generous bound.
    monkeypatch.setattr(backlog, "_EXACT_LIMIT", 10)
    mc = pending_allegations(18, 3, 5, 111, acknowledged=1302, draws=200_000, random_seed=2)
    assert mc.diagnostics["predictive"].startswith("Monte Carlo")
    assert mc.lower == pytest.approx(april_2019.lower, abs=3)
    assert mc.upper == pytest.approx(april_2019.upper, abs=3)
    assert mc.value == pytest.approx(april_2019.value, abs=2)


def test_history_is_pooled_and_priors_move_the_answer():
    pooled = pending_allegations([18, 10], [3, 2], [5, 4], 111)
    summed = pending_allegations(28, 5, 9, 111)
    assert (pooled.value, pooled.lower, pooled.upper) == (summed.value, summed.lower, summed.upper)
    # The Credibles (1,410 deaths in 344 credible incidents) as a prior on lam: about
    # 4.1 deaths per credible allegation instead of 1.9, so more further deaths.
    informed = pending_allegations(18, 3, 5, 111, prior_deaths=(1 + 1410, 0.1 + 344))
    assert informed.value > pending_allegations(18, 3, 5, 111).value


def test_huge_dispersion_recovers_the_poisson_model(april_2019):
    # NB with shape 1e6 is Poisson to within 1e-6 relative variance; the Monte Carlo
    # predictive (20,000 draws) then matches the exact table within a few deaths
    # (quantile s.d. about 0.3 / 1 death at the 2.5% / 97.5% ends, as above).
    nb = pending_allegations(18, 3, 5, 111, acknowledged=1302, dispersion=1e6, random_seed=0)
    assert nb.lower == pytest.approx(april_2019.lower, abs=3)
    assert nb.upper == pytest.approx(april_2019.upper, abs=3)
    lam = nb.details.set_index("quantity").loc["deaths per credible allegation (lam)"]
    assert lam["mean"] == pytest.approx(6 / 3.1, rel=0.01)  # grid step is 0.4%


def test_dispersion_widens_the_interval_and_is_labelled(april_2019):
    nb = pending_allegations(18, 3, 5, 111, acknowledged=1302, dispersion=0.5, random_seed=0)
    assert nb.upper - nb.lower > 2 * (april_2019.upper - april_2019.lower)
    assert nb.method == "pending_allegations (beta-binomial x negative binomial, shape 0.5)"
    with pytest.raises(ValueError, match="dispersion must be a positive number"):
        pending_allegations(18, 3, 5, 111, dispersion=0)


def test_grid_posterior_is_the_prior_without_credible_allegations():
    from estimators.backlog import _lam_grid_posterior

    grid, prob = _lam_grid_posterior(0, 0, 2.0, 3.0, 0.5)
    assert float(np.sum(grid * prob)) == pytest.approx(3.0 / 0.5, rel=0.005)


def test_nothing_pending_means_nothing_further():
    est = pending_allegations(18, 3, 5, 0, acknowledged=1302)
    assert (est.value, est.lower, est.upper) == (1302, 1302, 1302)


@pytest.mark.parametrize("args, kwargs, message", [
    ((18, 19, 5, 111), {}, "credible \\(19\\) is larger than assessed \\(18\\)"),
    ((18, 0, 5, 111), {}, "no allegation was found credible"),
    ((18, 3, -5, 111), {}, "credible_deaths must not be negative"),
    ((18, 3, 5, 111.5), {}, "pending must be a whole number"),
    (([18, 10], [3], [5, 4], 111), {}, "one value per period"),
    ((18, 3, 5, 111), {"acknowledged": -1}, "acknowledged must not be negative"),
    ((18, 3, 5, 111), {"prior_deaths": (1, 0)}, "prior_deaths must have both"),
    ((18, 3, 5, 111), {"level": 1.5}, "level must be in"),
])
def test_bad_inputs_are_refused(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        pending_allegations(*args, **kwargs)


def test_build_model_has_the_continuous_parameters():
    model = build_model(18, 3, 5, 111)
    assert {v.name for v in model.free_RVs} == {"theta", "lam"}
    assert {v.name for v in model.observed_RVs} == {"credible", "credible_deaths"}
    assert "expected_further_deaths" in model.named_vars
    dispersed = build_model(18, 3, 5, 111, dispersion=2.0)
    assert type(dispersed["credible_deaths"].owner.op).__name__ == "NegBinomialRV"


def test_simulator_draws_from_the_stated_model():
    from estimators.checking.simulate import allegations

    sim = allegations(18, 111, size=20_000, random_seed=1)
    # E[credible] = 18 * E[theta] = 9; s.e. of the mean of 20,000 draws < 0.05
    assert sim["credible"].mean() == pytest.approx(9, abs=0.2)
    assert np.all(sim["credible_deaths"][sim["credible"] == 0] == 0)


# -- coverage ----------------------------------------------------------------------------
# Backlogs drawn from the model itself (priors included). s.e. of an estimated coverage:
# sqrt(0.95 * 0.05 / R), 1.78 points at R = 150, 0.69 at R = 1000. The predictive interval
# has integer ends, so it covers with probability at least 95%.

def test_coverage_quick():
    cov = load_benchmark().coverage_backlog(150, seed=41)
    assert abs(cov - 0.95) <= 3.5 * math.sqrt(0.95 * 0.05 / 150)


def test_coverage_quick_negative_binomial():
    cov = load_benchmark().coverage_backlog(150, dispersion=0.5, draws=4000, seed=43)
    assert abs(cov - 0.95) <= 3.5 * math.sqrt(0.95 * 0.05 / 150)


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [{}, {"assessed": 200}, {"prior_deaths": (20.0, 5.0)},
                                    {"dispersion": 0.5}, {"dispersion": 2.0, "assessed": 200}])
def test_coverage_full(kwargs):
    cov = load_benchmark().coverage_backlog(1000, seed=42, **kwargs)
    assert 0.93 <= cov <= 0.97
