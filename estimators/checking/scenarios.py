"""Calibration scenarios: every interval estimator, on data where its assumptions hold
and on data that break them.

Each `Scenario` pairs a simulator ``simulate(rng) -> (data, truth)`` with an estimator
adapter ``estimate(data, *, level, random_seed) -> Estimate`` (the protocols of
`estimators.calibration`). The adapters are module-level functions so that Dask can ship
them to workers. `scenarios()` lists them; `grid()` turns a selection into the
arguments of `estimators.calibration.coverage_grid`.

A scenario whose assumptions hold should cover at its nominal level (within Monte Carlo
error); one that breaks them shows how far the interval can be trusted when they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

__all__ = ["Scenario", "scenarios", "grid", "estimator_names"]


#: Where a scenario's true parameters come from (`Scenario.parameters`).
PARAMETERS = ("drawn from the priors", "drawn from other priors", "fixed")


@dataclass(frozen=True)
class Scenario:
    estimator: str  # the public estimator checked, e.g. "incident_model"
    name: str  # what the simulated world is like
    simulate: Callable[[Any], tuple[Any, float]]
    estimate: Callable[..., Any]
    assumptions_hold: bool
    note: str = ""
    # "drawn from the priors": each replicate's parameters come from the estimator's own
    # priors (Bayesian calibration); "fixed": one true parameter value for every replicate
    # (frequentist coverage, which a Bayesian interval need not have).
    parameters: str = "fixed"

    def __post_init__(self) -> None:
        if self.parameters not in PARAMETERS:
            raise ValueError(f"scenario {self.key!r}: parameters must be one of {PARAMETERS}, got {self.parameters!r}")

    @property
    def key(self) -> str:
        return f"{self.estimator} | {self.name}"


def _seed(rng) -> int:
    """An integer seed for the simulators that take one, drawn from the replicate's stream."""
    return int(rng.integers(2**31 - 1))


# -- incident tables -----------------------------------------------------------------------

def _simulate_incidents(rng, *, n: int, theta: Any = None, p_assessed: float = 0.5):
    from . import simulate

    sim = simulate.incidents(n, p_assessed=p_assessed, theta=theta, random_seed=_seed(rng))
    return (sim.table, sim.belligerent), sim.true_total


def _incident_model(data, *, level, random_seed):
    from ..incidents import incident_model

    table, belligerent = data
    return incident_model(table, belligerent=belligerent, chains=2, draws=400, tune=100,
                          sensitivity=(), level=level, random_seed=random_seed)


def _likely_range(data, *, level, random_seed):
    from ..ranges import graded_range

    table, belligerent = data
    return graded_range(table, belligerent=belligerent)


# Monitors grade too generously: far fewer fair/weak/contested incidents are genuine than
# the default priors (fair ~0.8, weak ~0.5, contested ~0.43) expect.
_GENEROUS_GRADES = (1.0, 0.45, 0.2, 0.1, 0.02)
# The default priors' means, fixed (confirmed incidents are genuine).
_PRIOR_MEAN_GRADES = (1.0, 0.8, 0.5, 3 / 7, 0.1)


# -- rates ---------------------------------------------------------------------------------

def _simulate_rates(rng, *, n1: int, p1: float, n2: int, p2: float):
    x1, x2 = rng.binomial(n1, p1), rng.binomial(n2, p2)
    return (int(x1), n1, int(x2), n2), p1 / p2


def _simulate_rates_from_prior(rng, *, n1: int, n2: int):
    p1, p2 = rng.beta(1.0, 1.0), rng.beta(1.0, 1.0)
    return _simulate_rates(rng, n1=n1, p1=p1, n2=n2, p2=p2)


def _proportion_ratio(data, *, level, random_seed, method):
    from ..rates import proportion_ratio

    x1, n1, x2, n2 = data
    return proportion_ratio(x1, n1, x2, n2, method=method, level=level, draws=4000,
                            random_seed=random_seed)


# -- field samples of strike sites ----------------------------------------------------------

_STRATA = {"a": 3000, "b": 2000}


def _simulate_sites(rng, *, sites: dict, share: dict, mean_deaths: float, dispersion: float):
    from . import simulate

    pop = simulate.strike_population(_STRATA, share_with_deaths=share, mean_deaths=mean_deaths,
                                     dispersion=dispersion, acknowledged_incident_share=0.8,
                                     random_seed=_seed(rng))
    sample = simulate.site_sample(pop, sites, random_seed=_seed(rng))
    return (sample, int(pop["acknowledged"].sum())), float(pop["deaths"].sum())


def _site_sample_total(data, *, level, random_seed, estimator):
    from ..sampling import site_sample_total

    sample, acknowledged = data
    return site_sample_total(sample, strikes=_STRATA, acknowledged_total=acknowledged,
                             estimator=estimator, level=level, random_seed=random_seed)["total deaths"]


# -- assessment backlog ---------------------------------------------------------------------

def _simulate_backlog(rng, *, assessed: int, pending: int, fixed: bool = False):
    from . import simulate

    # fixed: a credible share of 0.2 and 3 deaths per credible allegation (near-degenerate priors)
    priors = {"prior_credible": (2e4, 8e4), "prior_deaths": (3e4, 1e4)} if fixed else {}
    sim = simulate.allegations(assessed, pending, size=1, random_seed=_seed(rng), **priors)
    data = (assessed, int(sim["credible"][0]), int(sim["credible_deaths"][0]), pending)
    return data, float(sim["further_deaths"][0])


def _simulate_backlog_overdispersed(rng, *, assessed: int, pending: int, dispersion: float):
    from . import simulate

    sim = simulate.allegations(assessed, pending, size=1, dispersion=dispersion, random_seed=_seed(rng))
    data = (assessed, int(sim["credible"][0]), int(sim["credible_deaths"][0]), pending)
    return data, float(sim["further_deaths"][0])


def _pending_allegations(data, *, level, random_seed):
    from ..backlog import pending_allegations

    assessed, credible, deaths, pending = data
    return pending_allegations(assessed, credible, deaths, pending, level=level, draws=4000,
                               random_seed=random_seed)


# -- linked lists (multiple systems estimation) ---------------------------------------------

_TWO_CLASSES = {"weights": [0.7, 0.3],
                "probabilities": [[0.6, 0.7, 0.5, 0.6], [0.25, 0.3, 0.2, 0.35]]}


def _simulate_lists(rng, *, N: int, probabilities, dependence=0.0, heterogeneity=None):
    from . import simulate

    return simulate.capture_histories(N, list(probabilities), dependence=dependence,
                                      heterogeneity=heterogeneity, random_seed=_seed(rng)), N


def _mse(data, *, level, random_seed, method, **options):
    from .. import mse

    if method == "chapman":
        return mse.chapman(data, lists=tuple(data.attrs["lists"][:2]), level=level)
    if method in ("latent_class", "loglinear"):  # stochastic: the sampler, the bootstrap
        return getattr(mse, method)(data, level=level, random_seed=random_seed, **options)
    return getattr(mse, method)(data, level=level, **options)


# -- named lists, linked before MSE ----------------------------------------------------------

_NAMED_FIELDS = {"name": "name", "age": "age", "sex": "sex", "date_of_death": "date_of_death", "place": "place"}


def _simulate_named_lists(rng, *, N: int, corruption: float):
    from . import simulate

    sim = simulate.named_lists(N, (0.5, 0.4, 0.3), corruption=corruption, pdf_lists=("C",), random_seed=_seed(rng))
    return sim, N


def _linked_mse(sim, *, level, random_seed, pooled: str | None):
    """The independence log-linear model (true for these lists) on the linked lists: at
    the threshold (``pooled=None``), pooled over clusterings drawn by ``pooled``, or on
    the true links (``pooled="oracle"``)."""
    from .. import mse
    from ..linkage import link_lists

    if pooled == "oracle":
        return mse.loglinear(sim.true_histories(), terms="independence", level=level)
    linkage = link_lists(sim.lists, id_column="record_id", fields=_NAMED_FIELDS, random_seed=random_seed,
                         repair_pdf=["C"], draw_method=pooled or "edges")
    return mse.loglinear(linkage if pooled else linkage.capture_histories(), terms="independence", level=level)


# -- partial aggregate counts ----------------------------------------------------------------

# Near-degenerate priors fix the world's parameters: every source's completeness at its
# kind's prior mean, 10% over-count, 70% of deaths conceded, N = 1,000.
_FIXED_SOURCES = {"completeness_strength": 1e5, "concentration_median": 1e5, "concentration_sd": 1e-3,
                  "overcount": (1e4, 9e4), "conceded": (7e4, 3e4)}


def _simulate_source_counts(rng, *, less_complete: bool = False, fixed: bool = False):
    from . import simulate

    priors, n_range = None, (20, 5000)
    if less_complete:  # the world's sources are less complete than the estimator's priors say
        priors = "sources less complete (logit -1)"
    if fixed:
        priors, n_range = _FIXED_SOURCES, (1000, 1000.5)
    table, truth = simulate.source_counts(events=1, n_min=n_range[0], n_max=n_range[1], calibration_reported=2024,
                                          priors=priors, random_seed=_seed(rng))
    return (table, truth["calibration"]), float(next(iter(truth["N"].values())))


def _multi_source(data, *, level, random_seed):
    from ..sources import multi_source

    table, calibration = data
    return multi_source(table, calibration=calibration, n_min=20, n_max=5000, draws=300, tune=150,
                        chains=2, sensitivity=False, level=level, random_seed=random_seed,
                        mc_error=None)  # coverage averages over replicates; no end needs 2% accuracy


# -- the list ------------------------------------------------------------------------------

def scenarios() -> list[Scenario]:
    """Every calibration scenario, grouped by estimator."""
    nyt = dict(n1=103, p1=0.2, n2=14_000, p2=89 / 14_000)
    sites_ok = dict(sites={"a": 120, "b": 80}, share={"a": 0.3, "b": 0.5}, mean_deaths=3.0, dispersion=2.0)
    named_lists = partial(_simulate_named_lists, N=1000, corruption=0.3)
    sites_skewed = dict(sites={"a": 20, "b": 20}, share={"a": 0.2, "b": 0.3}, mean_deaths=6.0, dispersion=0.5)
    return [
        Scenario("incident_model", "own generative model", partial(_simulate_incidents, n=60),
                 _incident_model, True, "grades' credibilities drawn from the stated priors", "drawn from the priors"),
        Scenario("incident_model", "credibilities fixed at the prior means",
                 partial(_simulate_incidents, n=60, theta=_PRIOR_MEAN_GRADES), _incident_model, True,
                 "fair 0.8, weak 0.5, contested 0.43, discounted 0.1 in every replicate"),
        Scenario("incident_model", "grades too generous", partial(_simulate_incidents, n=60, theta=_GENEROUS_GRADES),
                 _incident_model, False, "fair/weak/contested far less often genuine than the priors say"),
        Scenario("incident_model", "no assessments", partial(_simulate_incidents, n=60, p_assessed=0.0),
                 _incident_model, True, "nothing updates the priors (as for Russia)", "drawn from the priors"),
        Scenario("graded_range", "own generative model", partial(_simulate_incidents, n=60),
                 _likely_range, False, "a deterministic range, not an interval for the truth"),
        Scenario("proportion_ratio (Katz)", "NYT-like rates", partial(_simulate_rates, **nyt),
                 partial(_proportion_ratio, method="katz"), True, "21/103 vs 89/14,000"),
        Scenario("proportion_ratio (Katz)", "rare events", partial(_simulate_rates, n1=30, p1=0.05, n2=2000, p2=0.002),
                 partial(_proportion_ratio, method="katz"), False, "about 1.5 and 4 events"),
        Scenario("proportion_ratio (Bayes)", "own prior", partial(_simulate_rates_from_prior, n1=103, n2=14_000),
                 partial(_proportion_ratio, method="bayes"), True, "rates drawn from the Beta(1, 1) priors", "drawn from the priors"),
        Scenario("proportion_ratio (Bayes)", "NYT-like rates", partial(_simulate_rates, **nyt),
                 partial(_proportion_ratio, method="bayes"), True, "fixed rates: frequentist coverage"),
        Scenario("site_sample_total (HT)", "200 sites", partial(_simulate_sites, **sites_ok),
                 partial(_site_sample_total, estimator="horvitz-thompson"), True, "stratified, moderate skew"),
        Scenario("site_sample_total (HT)", "40 sites, heavy skew", partial(_simulate_sites, **sites_skewed),
                 partial(_site_sample_total, estimator="horvitz-thompson"), False, "too few sites for a normal-theory interval"),
        Scenario("site_sample_total (ratio)", "200 sites", partial(_simulate_sites, **sites_ok),
                 partial(_site_sample_total, estimator="ratio"), True, "stratified, moderate skew"),
        Scenario("pending_allegations", "own model", partial(_simulate_backlog, assessed=18, pending=111),
                 _pending_allegations, True, "April 2019 sizes: 18 assessed, 111 open", "drawn from the priors"),
        Scenario("pending_allegations", "fixed rates", partial(_simulate_backlog, assessed=18, pending=111, fixed=True),
                 _pending_allegations, True, "credible share 0.2, 3 deaths per credible allegation"),
        Scenario("pending_allegations", "over-dispersed deaths",
                 partial(_simulate_backlog_overdispersed, assessed=18, pending=111, dispersion=0.5),
                 _pending_allegations, False, "negative-binomial deaths fitted as Poisson"),
        Scenario("multi_source", "own generative model", _simulate_source_counts, _multi_source, True,
                 "completeness, over-count and N drawn from the stated priors", "drawn from the priors"),
        Scenario("multi_source", "fixed completeness and N", partial(_simulate_source_counts, fixed=True),
                 _multi_source, True, "N = 1,000; each completeness at its kind's prior mean; κ 0.7"),
        Scenario("multi_source", "sources less complete than assumed",
                 partial(_simulate_source_counts, less_complete=True), _multi_source, False,
                 "true completeness one logit unit below the prior", "drawn from other priors"),
        Scenario("mse.chapman", "two independent lists", partial(_simulate_lists, N=1000, probabilities=[0.3, 0.3]),
                 partial(_mse, method="chapman"), True, "homogeneous, independent"),
        Scenario("mse.chapman", "positively dependent lists",
                 partial(_simulate_lists, N=1000, probabilities=[0.3, 0.3], dependence=[(0, 1, 3.0)]),
                 partial(_mse, method="chapman"), False, "being on one list makes the other likelier"),
        Scenario("mse.loglinear", "three independent lists", partial(_simulate_lists, N=800, probabilities=[0.25, 0.2, 0.3]),
                 partial(_mse, method="loglinear"), True, "AIC selection among hierarchical models"),
        Scenario("mse.loglinear", "two latent classes", partial(_simulate_lists, N=2000, probabilities=[0.3] * 4, heterogeneity=_TWO_CLASSES),
                 partial(_mse, method="loglinear"), False, "capture heterogeneity no log-linear term captures"),
        Scenario("mse.mth (Darroch)", "two latent classes",
                 partial(_simulate_lists, N=2000, probabilities=[0.3] * 4, heterogeneity=_TWO_CLASSES),
                 partial(_mse, method="mth", heterogeneity="darroch"), False,
                 "two-point heterogeneity, not the normal mixing Darroch's term assumes"),
        Scenario("mse.mth (Darroch)", "positively dependent lists",
                 partial(_simulate_lists, N=2000, probabilities=[0.3] * 4, dependence=[(0, 1, 3.0)]),
                 partial(_mse, method="mth", heterogeneity="darroch"), False,
                 "list-to-list dependence the model has no term for"),
        Scenario("mse.graph_average", "one dependence, 3 lists",
                 partial(_simulate_lists, N=1000, probabilities=[0.3, 0.25, 0.3], dependence=[(0, 1, 2.0)]),
                 partial(_mse, method="graph_average"), True, "a decomposable graph with one edge"),
        Scenario("mse.latent_class", "two latent classes", partial(_simulate_lists, N=2000, probabilities=[0.3] * 4, heterogeneity=_TWO_CLASSES),
                 partial(_mse, method="latent_class", K=5, draws=300, burn=1000, thin=5, chains=2, cores=1),
                 True, "heterogeneity the model is built for"),
        Scenario("mse.latent_class", "positively dependent lists",
                 partial(_simulate_lists, N=2000, probabilities=[0.3] * 4, dependence=[(0, 1, 3.0)]),
                 partial(_mse, method="latent_class", K=5, draws=300, burn=1000, thin=5, chains=2, cores=1),
                 False, "direct list dependence, not heterogeneity"),
        Scenario("link_lists + loglinear (pooled)", "corrupted named lists, households", named_lists,
                 partial(_linked_mse, pooled="edges"), True,
                 "3 independent lists, 30% corruption, one PDF list; pooled over 20 clusterings (edges drawn)"),
        Scenario("link_lists + loglinear (pooled, partition draws)", "corrupted named lists, households",
                 named_lists, partial(_linked_mse, pooled="partition"), False,
                 "the same, clusterings drawn from the pairwise-odds partition model, which splits people"),
        Scenario("link_lists + loglinear (fixed threshold)", "corrupted named lists, households", named_lists,
                 partial(_linked_mse, pooled=None), False,
                 "the same lists, linked once at match probability 0.5: links taken as certain"),
        Scenario("loglinear on the true links (oracle)", "corrupted named lists, households", named_lists,
                 partial(_linked_mse, pooled="oracle"), True, "the same lists with their true capture histories"),
    ]


def estimator_names() -> list[str]:
    return list(dict.fromkeys(s.estimator for s in scenarios()))


def grid(selected: Iterable[Scenario]) -> dict[str, Any]:
    """Keyword arguments for `coverage_grid` running exactly the ``selected`` scenarios."""
    selected = list(selected)
    return {
        "estimators": {s.key: s.estimate for s in selected},
        "scenarios": {s.key: s.simulate for s in selected},
        "pairs": [(s.key, s.key) for s in selected],
    }
