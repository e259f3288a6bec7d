"""Coverage of the intervals of proportion_ratio, site_sample_total and pending_allegations.

Each study draws many data sets with known truth from `estimators.simulate` and counts
how often the 95% interval covers the truth. Bayesian intervals are checked on data
drawn from the model's own generative process (priors included), where a correct 95%
credible/predictive interval covers the truth 95% of the time *on average over the
prior*; frequentist intervals (Katz, design-based site sampling) on repeated samples
with fixed parameters, across scenarios, to show where they deviate.

Monte Carlo error of a coverage estimate from R replicates: sqrt(0.95 * 0.05 / R),
0.69 percentage points at R = 1000 and 1.54 at R = 200.

    .venv/bin/python benchmarks/rates_sampling_backlog.py            # full (R = 1000)
    .venv/bin/python benchmarks/rates_sampling_backlog.py --reps 200  # quicker

The slow tests (`make calibrate`) import these functions.

Measured (R = 1000, Nov 2026):

* proportion_ratio, bayes (prior predictive): 94.9% (uniform priors, 103 vs 14,000),
  95.7% (p2 ~ Beta(1, 100)), 94.3% (small counts, 20 vs 200).
* proportion_ratio, katz (fixed rates): 94.0% NYT-like, 94.7% moderate counts; conservative
  at small counts: 97.2% (about 3 and 6 events), 99.9% (about 1 and 2 events, zero counts
  corrected).
* site_sample_total (one population, repeated stratified samples): Horvitz-Thompson
  94.2% / 93.8% (analytic / bootstrap) at 100 sites, 96.1% / 96.1% at 200; the ratio
  estimator under-covers, 91.6% / 93.6% at 100 sites and 92.5% / 93.2% at 200; with 40
  sites and heavy skew everything under-covers (75-89%).
* pending_allegations (prior predictive): 95.7% (April 2019 shape), 96.0% (200 assessed),
  95.8% (informative prior), 94.5% and 95.6% (negative-binomial deaths, shape 0.5 and 2).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from estimators.backlog import pending_allegations
from estimators.rates import proportion_ratio
from estimators.sampling import site_sample_total
from estimators.checking.simulate import (
    site_sample,
    allegations,
    proportion_pairs,
    strike_population,
)

LEVEL = 0.95


def mc_se(reps: int, level: float = LEVEL) -> float:
    """Standard error of an estimated coverage if the true coverage is ``level``."""
    return math.sqrt(level * (1 - level) / reps)


def coverage_ratio_bayes(reps: int, *, n1=103, n2=14000, prior1=(1.0, 1.0), prior2=(1.0, 1.0),
                         draws=4000, seed=0) -> float:
    """Coverage of the Bayesian ratio interval on data from its own prior and likelihood."""
    sim = proportion_pairs(n1, n2, size=reps, prior1=prior1, prior2=prior2,
                                    random_seed=seed)
    hits = 0
    for i in range(reps):
        est = proportion_ratio(int(sim["x1"][i]), n1, int(sim["x2"][i]), n2, method="bayes",
                               prior1=prior1, prior2=prior2, draws=draws, random_seed=seed + i)
        hits += est.lower <= sim["ratio"][i] <= est.upper
    return hits / reps


def coverage_ratio_katz(reps: int, *, n1, p1, n2, p2, seed=0) -> float:
    """Coverage of the Katz interval under repeated binomial sampling at fixed rates."""
    sim = proportion_pairs(n1, n2, size=reps, p1=p1, p2=p2, random_seed=seed)
    truth = p1 / p2
    hits = 0
    for i in range(reps):
        est = proportion_ratio(int(sim["x1"][i]), n1, int(sim["x2"][i]), n2, method="katz")
        hits += est.lower <= truth <= est.upper
    return hits / reps


#: The design-based scenarios: a population of strikes (two strata) and a sample size.
SITE_SCENARIOS = {
    "n=100, moderate skew": dict(
        strikes={"a": 3000, "b": 2000}, sites={"a": 60, "b": 40},
        population=dict(share_with_deaths={"a": 0.3, "b": 0.5}, mean_deaths=3.0,
                        dispersion=2.0, acknowledged_incident_share=0.8)),
    "n=200, moderate skew": dict(
        strikes={"a": 3000, "b": 2000}, sites={"a": 120, "b": 80},
        population=dict(share_with_deaths={"a": 0.3, "b": 0.5}, mean_deaths=3.0,
                        dispersion=2.0, acknowledged_incident_share=0.8)),
    "n=40, heavy skew": dict(
        strikes={"a": 3000, "b": 2000}, sites={"a": 20, "b": 20},
        population=dict(share_with_deaths={"a": 0.2, "b": 0.3}, mean_deaths=6.0,
                        dispersion=0.5, acknowledged_incident_share=0.8)),
}


def coverage_site_sample(reps: int, scenario: str, *, estimator: str, interval: str,
                         n_boot: int = 1000, seed: int = 0) -> float:
    """Design-based coverage: one fixed population, ``reps`` stratified samples from it."""
    cfg = SITE_SCENARIOS[scenario]
    pop = strike_population(cfg["strikes"], random_seed=seed, **cfg["population"])
    truth = float(pop["deaths"].sum())
    x_total = int(pop["acknowledged"].sum())
    hits = 0
    for i in range(reps):
        sample = site_sample(pop, cfg["sites"], random_seed=seed + 1 + i)
        res = site_sample_total(sample, strikes=cfg["strikes"], acknowledged_total=x_total,
                                estimator=estimator, interval=interval, n_boot=n_boot,
                                random_seed=i)
        est = res["total deaths"]
        hits += est.lower <= truth <= est.upper
    return hits / reps


def coverage_backlog(reps: int, *, assessed=18, pending=111, prior_credible=(1.0, 1.0),
                     prior_deaths=(1.0, 0.1), dispersion=None, draws=20_000, seed=0) -> float:
    """Coverage of the predictive interval on backlogs drawn from the model itself."""
    sim = allegations(assessed, pending, size=reps, prior_credible=prior_credible,
                               prior_deaths=prior_deaths, dispersion=dispersion,
                               random_seed=seed)
    hits = 0
    for i in range(reps):
        est = pending_allegations(assessed, int(sim["credible"][i]),
                                  int(sim["credible_deaths"][i]), pending,
                                  prior_credible=prior_credible, prior_deaths=prior_deaths,
                                  dispersion=dispersion, draws=draws, random_seed=i)
        hits += est.lower <= sim["further_deaths"][i] <= est.upper
    return hits / reps


def main(reps: int, studies: tuple[str, ...] = ("ratio", "sites", "backlog")) -> None:
    se = mc_se(reps)
    print(f"R = {reps} replicates per study; Monte Carlo s.e. of a 95% coverage: "
          f"{100 * se:.2f} points\n")

    def line(name: str, cov: float, seconds: float) -> None:
        flag = "" if abs(cov - LEVEL) <= 3 * se else "   <- outside nominal ± 3 s.e."
        print(f"  {name:<58} {100 * cov:5.1f}%  ({seconds:5.1f} s){flag}")

    if "ratio" in studies:
        _ratio_studies(reps, line)
    if "sites" in studies:
        _site_studies(reps, line)
    if "backlog" in studies:
        _backlog_studies(reps, line)


def _ratio_studies(reps, line) -> None:
    print("proportion_ratio, method='bayes' (data from the prior predictive)")
    for name, kw in {
        "uniform priors, n1=103, n2=14000": {},
        "p2 ~ Beta(1, 100), n1=103, n2=14000": {"prior2": (1.0, 100.0)},
        "uniform priors, n1=20, n2=200 (small counts)": {"n1": 20, "n2": 200},
    }.items():
        t = time.perf_counter()
        line(name, coverage_ratio_bayes(reps, **kw), time.perf_counter() - t)

    print("\nproportion_ratio, method='katz' (repeated sampling at fixed rates)")
    for name, kw in {
        "NYT-like: p1=0.2, n1=103; p2=0.00636, n2=14000": dict(n1=103, p1=0.2, n2=14000, p2=0.00636),
        "moderate: p1=0.3, n1=200; p2=0.1, n2=500": dict(n1=200, p1=0.3, n2=500, p2=0.1),
        "small counts: p1=0.1, n1=30; p2=0.02, n2=300": dict(n1=30, p1=0.1, n2=300, p2=0.02),
        "very small: p1=0.05, n1=20; p2=0.01, n2=200": dict(n1=20, p1=0.05, n2=200, p2=0.01),
    }.items():
        t = time.perf_counter()
        line(name, coverage_ratio_katz(reps, **kw), time.perf_counter() - t)



def _site_studies(reps, line) -> None:
    print("\nsite_sample_total, total deaths (design-based: fixed population, repeated samples)")
    for scenario in SITE_SCENARIOS:
        for estimator in ("horvitz-thompson", "ratio"):
            for interval in ("analytic", "bootstrap"):
                t = time.perf_counter()
                cov = coverage_site_sample(reps, scenario, estimator=estimator, interval=interval)
                line(f"{scenario}: {estimator}, {interval}", cov, time.perf_counter() - t)



def _backlog_studies(reps, line) -> None:
    print("\npending_allegations, eventual total (data from the prior predictive)")
    for name, kw in {
        "April 2019 shape: 18 assessed, 111 pending": {},
        "longer history: 200 assessed, 111 pending": {"assessed": 200},
        "informative lam prior Gamma(20, 5), 18 assessed": {"prior_deaths": (20.0, 5.0)},
        "negative binomial deaths, shape 0.5, 18 assessed": {"dispersion": 0.5},
        "negative binomial deaths, shape 2, 200 assessed": {"dispersion": 2.0, "assessed": 200},
    }.items():
        t = time.perf_counter()
        line(name, coverage_backlog(reps, **kw), time.perf_counter() - t)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--study", choices=["ratio", "sites", "backlog"], action="append",
                        help="run only these studies (repeatable); default all")
    args = parser.parse_args()
    main(args.reps, tuple(args.study or ("ratio", "sites", "backlog")))
