"""Data generators with known truth, one per data shape."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import GRADES
from .._checks import check_seed

if TYPE_CHECKING:
    import pandas as pd

    from ..sources import Priors

__all__ = [
    "incidents",
    "SimulatedIncidents",
    "proportion_pairs",
    "strike_population",
    "site_sample",
    "allegations",
    "capture_histories",
    "graph_model_histories",
    "source_counts",
    "named_lists",
    "SimulatedNamedLists",
]


# -- incident tables ------------------------------------------------------------------------

@dataclass(frozen=True)
class SimulatedIncidents:
    """A simulated incident table and the truth behind it.

    ``true_total`` is the number of civilians the modelled ``belligerent`` killed in the
    table's incidents (the quantity `estimators.incident_model` estimates);
    ``genuine`` and ``true_deaths`` are per incident (``true_deaths`` is 0 where not
    genuine); ``theta``, ``sensitivity``, ``specificity`` the parameters drawn.
    """

    table: pd.DataFrame
    true_total: int
    genuine: np.ndarray
    true_deaths: np.ndarray
    theta: np.ndarray
    sensitivity: float
    specificity: float
    belligerent: str


#: Per-grade shares and mean reported minimum / mean (maximum - minimum), roughly the
#: shape of Airwars' Russia snapshot (2025): most incidents contested.
_DEFAULT_SHAPE = {
    "share": (0.02, 0.26, 0.09, 0.62, 0.01),
    "mean_min": (3.2, 3.2, 1.6, 3.4, 7.1),
    "mean_extra": (1.5, 1.5, 0.3, 2.3, 0.9),
}


def _shape_from_summary(summary: pd.DataFrame, confirmed_share: float) -> dict[str, tuple[float, ...]]:
    """Per-grade counts and mean min / extra from a per-grade summary (merged rows such
    as ``confirmed;fair`` split with ``confirmed_share`` going to confirmed)."""
    count = np.zeros(5)
    dmin = np.zeros(5)
    dmax = np.zeros(5)
    for row in summary.itertuples(index=False):
        names = str(row.grade).split(";")
        if len(names) == 2 and set(names) == {"confirmed", "fair"}:
            weights = {"confirmed": confirmed_share, "fair": 1 - confirmed_share}
        elif len(names) == 1:
            weights = {names[0]: 1.0}
        else:
            raise ValueError(f"cannot split the summary row {row.grade!r}")
        for name, w in weights.items():
            g = GRADES.index(name)
            count[g] += w * row.incidents
            dmin[g] += w * row.deaths_min
            dmax[g] += w * row.deaths_max
    total = count.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_min = np.where(count > 0, dmin / count, 1.0)
        mean_extra = np.where(count > 0, (dmax - dmin) / count, 0.0)
    return {"share": tuple(count / total), "mean_min": tuple(mean_min), "mean_extra": tuple(mean_extra),
            "count": tuple(count)}


def _negbin(rng: np.random.Generator, mean: np.ndarray, size: float) -> np.ndarray:
    mean = np.asarray(mean, dtype=float)
    out = np.zeros(mean.shape, dtype=np.int64)
    pos = mean > 0
    out[pos] = rng.negative_binomial(size, size / (size + mean[pos]))
    return out


def incidents(
    n: int | None = 500,
    *,
    like: pd.DataFrame | None = None,
    confirmed_share: float = 0.0,
    belligerent: str = "Belligerent A",
    other_belligerent: str = "Belligerent B",
    p_shared_contested: float = 0.6,
    p_assessed: float = 0.5,
    p_no_count: float = 0.02,
    p_named: float = 0.3,
    priors: str | Mapping[str, Any] = "default",
    confirmed_genuine: bool = True,
    exceedance: float = 0.05,
    tau: float = 0.5,
    theta: Any = None,
    random_seed: int,
) -> SimulatedIncidents:
    """An incident table drawn from `estimators.incident_model`'s generative model.

    Reported counts (not modelled, conditioned on): grade shares and mean reported
    minimum and spread per grade from ``like`` (a per-grade summary such as
    ``load_grade_snapshots()``'s rows for one snapshot; ``confirmed;fair`` rows split
    with ``confirmed_share`` to confirmed) or a Russia-like default; minimum ~
    negative binomial (mean per grade, size 1), maximum = minimum + negative binomial;
    with probability ``p_no_count`` no count is reported; named victims ~
    Binomial(minimum, ``p_named``). Contested incidents name ``other_belligerent`` too
    with probability ``p_shared_contested``.

    Then the model: theta from the ordered prior (or ``theta`` given, five values),
    sensitivity and specificity from their priors; u ~ Bernoulli(theta_grade), genuine
    = u and Bernoulli(share) (share 1/2 for contested incidents naming two; confirmed
    genuine if ``confirmed_genuine``); a non-confirmed incident is assessed with
    probability ``p_assessed`` (credible with probability sensitivity if genuine, 1 -
    specificity if not), a confirmed one is "credible" with conceded deaths ~
    Binomial(minimum, 0.7); true deaths of a genuine incident as in the model
    (uniform between floor and maximum, with probability ``exceedance`` beyond it).
    ``n=None`` with ``like`` keeps the summary's incident counts (rounded).
    """
    import pandas as pd

    from ..data import read_incidents
    from ..incidents.priors import free_grades, ordered_prior_draws, resolve_priors

    check_seed(random_seed)
    rng = np.random.default_rng(int(random_seed))
    shape = _DEFAULT_SHAPE if like is None else _shape_from_summary(like, confirmed_share)
    if n is None:
        if like is None:
            raise ValueError("n=None needs like= (a per-grade summary with incident counts)")
        counts = np.rint(shape["count"]).astype(int)
        grade = np.repeat(np.arange(5), counts)
        rng.shuffle(grade)
    else:
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        grade = rng.choice(5, size=n, p=np.asarray(shape["share"]) / np.sum(shape["share"]))
    n = len(grade)
    contested = grade == GRADES.index("contested")
    shared = contested & (rng.random(n) < p_shared_contested)
    share = np.where(shared, 0.5, 1.0)
    dmin = _negbin(rng, np.asarray(shape["mean_min"])[grade], 1.0)
    dmax = dmin + _negbin(rng, np.asarray(shape["mean_extra"])[grade], 1.0)
    no_count = rng.random(n) < p_no_count
    named = rng.binomial(dmin, p_named)
    named[no_count] = 0

    prior = resolve_priors(priors)
    free = free_grades(confirmed_genuine)
    th = np.ones(5)
    if theta is None:
        a = np.array([prior[GRADES[g]][0] for g in free])
        b = np.array([prior[GRADES[g]][1] for g in free])
        th[free] = ordered_prior_draws(rng, a, b, 1)[0]
    else:
        th = np.asarray(theta, dtype=float)
        if th.shape != (5,) or np.any(np.diff(th) > 0) or th.min() < 0 or th.max() > 1:
            raise ValueError("theta must be five decreasing probabilities (confirmed ... discounted)")
    sens = float(rng.beta(*prior["sensitivity"]))
    spec = float(rng.beta(*prior["specificity"]))
    caused = rng.random(n) < th[grade]
    genuine = caused & (rng.random(n) < share)
    confirmed = grade == 0
    if confirmed_genuine:
        genuine[confirmed] = True

    assessed = (rng.random(n) < p_assessed) & ~confirmed
    says_credible = np.where(genuine, rng.random(n) < sens, rng.random(n) < 1 - spec)
    assessment = np.where(assessed, np.where(says_credible, "credible", "non-credible"), "none").astype(object)
    assessment[confirmed] = "credible"
    conceded = np.where(confirmed, rng.binomial(dmin, 0.7), -1)
    conceded[no_count & confirmed] = 0

    low = np.maximum.reduce([np.where(no_count, 0, dmin), named, np.maximum(conceded, 0)])
    high = np.maximum(np.where(no_count, 0, dmax), low)
    u = rng.random(n)
    eps = np.where(high >= 1, exceedance, 0.0)
    deaths = low + np.floor((u - eps) / (1 - eps) * (high - low + 1)).astype(np.int64)
    deaths = np.minimum(deaths, high)
    beyond = u < eps
    deaths[beyond] = high[beyond] + 1 + rng.poisson(tau * high[beyond])
    deaths = np.where(genuine, deaths, 0)

    days = rng.integers(0, 4 * 365, size=n)
    dates = (np.datetime64("2015-10-01") + days.astype("timedelta64[D]")).astype(str)
    names = np.where(shared, f"{belligerent};{other_belligerent}", belligerent)
    frame = pd.DataFrame({
        "incident_id": [f"SIM-{i + 1:06d}" for i in range(n)],
        "date": dates,
        "belligerents": names,
        "country": "Syria",
        "grade": np.array(GRADES, dtype=object)[grade],
        "deaths_min": pd.array(np.where(no_count, pd.NA, dmin), dtype="Int64"),
        "deaths_max": pd.array(np.where(no_count, pd.NA, dmax), dtype="Int64"),
        "named_victims": pd.array(named, dtype="Int64"),
        "assessment": assessment,
        "conceded_min": pd.array(np.where(conceded >= 0, conceded, pd.NA), dtype="Int64"),
        "conceded_max": pd.array(np.where(conceded >= 0, conceded, pd.NA), dtype="Int64"),
    })
    table = read_incidents(frame, name="<simulated incidents>")
    return SimulatedIncidents(
        table=table, true_total=int(deaths.sum()), genuine=genuine, true_deaths=deaths,
        theta=th, sensitivity=sens, specificity=spec, belligerent=belligerent,
    )


# -- two rates (estimators.rates.proportion_ratio) ------------------------------------------

def proportion_pairs(
    n1: int,
    n2: int,
    *,
    size: int,
    p1: float | None = None,
    p2: float | None = None,
    prior1: tuple[float, float] = (1.0, 1.0),
    prior2: tuple[float, float] = (1.0, 1.0),
    random_seed: int = 0,
) -> dict[str, np.ndarray]:
    """``size`` data sets of two binomial counts with known rates.

    Rates fixed at ``p1``/``p2`` (frequentist checks: repeated sampling) or, if ``None``,
    drawn from ``Beta(*prior1)``/``Beta(*prior2)`` afresh for each data set (the Bayesian
    model's own generative process). Returns arrays ``x1, x2, p1, p2, ratio`` (true
    ``p1 / p2``).
    """
    import numpy as np

    rng = np.random.default_rng(random_seed)
    r1 = np.full(size, p1, float) if p1 is not None else rng.beta(*prior1, size=size)
    r2 = np.full(size, p2, float) if p2 is not None else rng.beta(*prior2, size=size)
    return {"x1": rng.binomial(n1, r1), "x2": rng.binomial(n2, r2), "p1": r1, "p2": r2,
            "ratio": r1 / r2}


# -- field samples of strike sites (estimators.sampling.site_sample_total) ------------------

def strike_population(
    strikes: int | Mapping[Any, int],
    *,
    share_with_deaths: float | Mapping[Any, float] = 0.2,
    mean_deaths: float | Mapping[Any, float] = 4.0,
    dispersion: float = 1.0,
    acknowledged_incident_share: float = 0.3,
    acknowledged_death_share: float = 0.7,
    random_seed: int = 0,
) -> pd.DataFrame:
    """A population of strikes with known civilian deaths and acknowledged deaths.

    Each strike in stratum ``h`` kills civilians with probability ``share_with_deaths``;
    if it does, its deaths are ``1 + NegativeBinomial`` with mean ``mean_deaths`` and
    shape ``dispersion`` (skewed, as real incidents are). The belligerent acknowledges
    an incident with probability ``acknowledged_incident_share`` and then concedes
    ``Binomial(deaths, acknowledged_death_share)`` of its deaths. Returns one row per
    strike: ``site, stratum, deaths, acknowledged`` (the truth is ``deaths.sum()``).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(random_seed)
    sizes = dict(strikes) if isinstance(strikes, Mapping) else {"all": strikes}

    def get(v, s):
        return v[s] if isinstance(v, Mapping) else v

    parts = []
    for s, n in sizes.items():
        q, m = get(share_with_deaths, s), get(mean_deaths, s)
        killed = rng.random(n) < q
        extra_mean = max(m - 1.0, 1e-9)
        p = dispersion / (dispersion + extra_mean)
        deaths = np.where(killed, 1 + rng.negative_binomial(dispersion, p, size=n), 0)
        acknowledged = np.where(rng.random(n) < acknowledged_incident_share,
                                rng.binomial(deaths, acknowledged_death_share), 0)
        parts.append(pd.DataFrame({"stratum": s, "deaths": deaths, "acknowledged": acknowledged}))
    pop = pd.concat(parts, ignore_index=True)
    pop.insert(0, "site", [f"s{i}" for i in range(len(pop))])
    return pop


def site_sample(
    population: pd.DataFrame, sites: int | Mapping[Any, int], *, random_seed: int = 0
) -> pd.DataFrame:
    """A simple random sample without replacement of ``sites`` strikes per stratum."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(random_seed)
    parts = []
    for s, group in population.groupby("stratum", sort=False):
        n = sites[s] if isinstance(sites, Mapping) else sites
        idx = rng.choice(len(group), size=n, replace=False)
        parts.append(group.iloc[np.sort(idx)])
    return pd.concat(parts, ignore_index=True)


# -- assessment backlog (estimators.backlog.pending_allegations) ----------------------------

def allegations(
    assessed: int,
    pending: int,
    *,
    size: int,
    prior_credible: tuple[float, float] = (1.0, 1.0),
    prior_deaths: tuple[float, float] = (1.0, 0.1),
    dispersion: float | None = None,
    random_seed: int = 0,
) -> dict[str, np.ndarray]:
    """``size`` assessment histories and backlogs drawn from `pending_allegations`' model.

    ``theta ~ Beta(*prior_credible)``, ``lam ~ Gamma(alpha, rate=beta)``; ``credible ~
    Binomial(assessed, theta)``, ``credible_deaths ~ Poisson(credible * lam)``; the open
    allegations yield ``credible_pending ~ Binomial(pending, theta)`` and
    ``further_deaths ~ Poisson(credible_pending * lam)`` (the truth to predict). With
    ``dispersion=k`` each allegation's deaths are negative binomial (mean ``lam``, shape
    ``k``), so sums over ``m`` allegations are ``NegativeBinomial(m * k, k / (k + lam))``.
    """
    import numpy as np

    rng = np.random.default_rng(random_seed)
    theta = rng.beta(*prior_credible, size=size)
    lam = rng.gamma(prior_deaths[0], 1 / prior_deaths[1], size=size)
    credible = rng.binomial(assessed, theta)
    k = rng.binomial(pending, theta)
    if dispersion is None:
        deaths = rng.poisson(credible * lam)
        further = rng.poisson(k * lam)
    else:
        def nb_sum(m):
            out = np.zeros(size, dtype=np.int64)
            some = m > 0
            out[some] = rng.negative_binomial(m[some] * dispersion,
                                              dispersion / (dispersion + lam[some]))
            return out

        deaths = nb_sum(credible)
        further = nb_sum(k)
    return {"theta": theta, "lam": lam, "credible": credible, "credible_deaths": deaths,
            "credible_pending": k, "further_deaths": further}


# -- linked lists (capture histories) -----------------------------------------------------

def capture_histories(
    N: int,
    lists: int | Sequence[float] | Sequence[str],
    *,
    probabilities: Sequence[float] | None = None,
    heterogeneity: Any = None,
    dependence: float | Sequence[tuple[int, int, float]] = 0.0,
    random_seed: int,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Simulate linked victim lists for a population of ``N`` with known truth.

    Parameters
    ----------
    N
        The true total (victims on any list plus victims on none).
    lists
        Number of lists ``J`` (probabilities then default to 0.3 each), or the capture
        probabilities themselves (one per list), or list names.
    probabilities
        Capture probability of each list (overrides ``lists`` when it is a count).
    heterogeneity
        ``None`` (everyone equally catchable, model M_t); or a latent-class structure
        ``{"weights": [w_1..w_K], "probabilities": [[p_1j..], ...]}`` (K rows of J
        capture probabilities, the LCMCR model's own assumption); or a float ``s > 0``:
        individual capture logits vary as ``logit p_ij = logit p_j + s * z_i`` with
        ``z_i ~ N(0, 1)`` (positively correlated catchability across lists).
    dependence
        List dependence between pairs of lists, as an odds ratio: a float applies to lists
        0 and 1; a sequence of ``(j, k, odds_ratio)`` to each pair. ``odds_ratio > 1``:
        being on list ``j`` raises the odds of being on list ``k`` (positive dependence,
        which makes two-list estimates too low); ``< 1``: negative dependence.
        Implemented sequentially: list ``k`` is drawn after list ``j``, with its logit
        shifted by ``log(odds_ratio)`` when the victim is on list ``j``.
    random_seed
        Integer seed (same seed, same data).
    names
        List names; default ``L1..LJ`` (or ``lists`` if it is a sequence of names).

    Returns
    -------
    The pattern table as `estimators.data.read_capture_histories` returns it, with the
    truth in ``.attrs``: ``"N"`` (true total) and ``"unobserved"`` (true uncounted).
    """
    import numpy as np

    check_seed(random_seed)
    if int(N) != N or N < 0:
        raise ValueError(f"N must be a non-negative whole number, got {N!r}")
    N = int(N)
    rng = np.random.default_rng(int(random_seed))
    if isinstance(lists, int | np.integer):
        J = int(lists)
        p = np.full(J, 0.3) if probabilities is None else np.asarray(probabilities, float)
    elif all(isinstance(x, str) for x in lists):
        names = list(lists) if names is None else names
        J = len(lists)
        p = np.full(J, 0.3) if probabilities is None else np.asarray(probabilities, float)
    else:
        p = np.asarray(lists, dtype=float)
        J = len(p)
    if len(p) != J or J < 2:
        raise ValueError("need at least two lists and one probability per list")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("capture probabilities must lie strictly between 0 and 1")
    names = [f"L{j + 1}" for j in range(J)] if names is None else list(names)

    logit = np.log(p / (1 - p))
    if heterogeneity is None:
        eta = np.broadcast_to(logit, (N, J)).copy()
    elif isinstance(heterogeneity, dict):
        w = np.asarray(heterogeneity["weights"], float)
        probs = np.asarray(heterogeneity["probabilities"], float)
        if probs.shape != (len(w), J):
            raise ValueError(f"heterogeneity probabilities must have shape ({len(w)}, {J})")
        z = rng.choice(len(w), size=N, p=w / w.sum())
        eta = np.log(probs / (1 - probs))[z]
    else:
        s = float(heterogeneity)
        eta = logit + s * rng.standard_normal(N)[:, None]

    if isinstance(dependence, int | float):
        pairs = [] if dependence == 0 else [(0, 1, float(dependence))]
    else:
        pairs = [(int(j), int(k), float(r)) for j, k, r in dependence]
    for j, k, r in pairs:
        if not (0 <= j < k < J) or r <= 0:
            raise ValueError(f"dependence ({j}, {k}, {r}): need 0 <= j < k < J and odds ratio > 0")

    x = np.zeros((N, J), dtype=np.int64)
    for k in range(J):
        e = eta[:, k].copy()
        for j, kk, r in pairs:
            if kk == k:
                e += np.log(r) * x[:, j]
        x[:, k] = rng.random(N) < 1 / (1 + np.exp(-e))
    index = x @ (1 << np.arange(J))
    return _pattern_table(np.bincount(index, minlength=2**J), names)


def _pattern_table(counts: np.ndarray, names: list[str]) -> pd.DataFrame:
    """The ``2**J`` cell counts (cell ``i``: list ``j`` present when bit ``j`` is set) as the
    validated pattern table, the truth (``N``, ``unobserved``) in ``.attrs``."""
    import pandas as pd

    from ..data import read_capture_histories
    from ..data import patterns

    frame = pd.DataFrame(patterns(len(names))[1:], columns=names)
    frame["count"] = counts[1:]
    out = read_capture_histories(frame)
    out.attrs["N"] = int(counts.sum())
    out.attrs["unobserved"] = int(counts[0])
    return out


def _hyper_dirichlet(order: Sequence[tuple[int, int]], J: int, delta: float, rng: np.random.Generator) -> np.ndarray:
    """The ``2**J`` cell probabilities drawn from a decomposable graph's hyper-Dirichlet
    prior, as conditionals along its perfect order ``[(list, mask of earlier neighbours)]``."""
    cells = np.arange(2**J)
    probabilities = np.ones(2**J)
    for v, pa in order:
        a = delta * 2.0 ** (J - bin(pa).count("1") - 1)
        # one probability per pattern of the earlier neighbours (indexed by cell & pa)
        theta = rng.beta(a, a, size=2**J)[cells & pa]
        probabilities *= np.where((cells >> v) & 1, theta, 1 - theta)
    return probabilities


def graph_model_histories(
    N: int | tuple[int, int],
    lists: int,
    *,
    delta: float | None = None,
    graph: Sequence[tuple[int, int]] | None = None,
    random_seed: int,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Linked lists drawn from `estimators.mse.graph_average`'s own prior and likelihood.

    Model (Madigan & York 1997), drawn top-down:

    1. ``N``: the given total, or uniform on the integers ``lo..hi`` when ``N = (lo, hi)``;
    2. a decomposable graph ``G`` on the ``J = lists`` lists, uniform over all of them
       (`estimators.mse.graphs.decomposable_graphs`), unless ``graph`` (its edges as pairs
       of list indices) is given;
    3. the ``2**J`` cell probabilities from ``G``'s hyper-Dirichlet prior with weight
       ``delta * 2**(J - |A|)`` per cell of every marginal table on a set of lists ``A``
       (default ``delta = 2**-J``, as graph_average): along ``G``'s perfect order, each
       list ``v`` with earlier neighbours ``pa`` (a clique) gets, for every pattern of
       ``pa``, an independent ``P(on v | pa pattern) ~ Beta(a, a)``, ``a = delta *
       2**(J - |pa| - 1)``. The clique marginals are then Dirichlet with exactly those
       weights and the product of conditionals is the hyper-Dirichlet law whose marginal
       likelihood graph_average evaluates;
    4. the complete table (the no-list cell included) ``~ Multinomial(N, probabilities)``.

    With that N prior as graph_average's ``prior`` (a function of N), credible intervals
    cover the drawn N at their nominal rate averaged over replicates (simulation-based
    calibration, Cook, Gelman & Rubin 2006), also after discarding data sets by any rule
    that looks only at the observed counts (e.g. nobody observed).

    Returns the pattern table as `capture_histories` does; ``.attrs`` holds ``"N"``,
    ``"unobserved"``, ``"graph"`` (the edges) and ``"probabilities"`` (the ``2**J`` cell
    probabilities, cell ``i`` having list ``j`` when bit ``j`` of ``i`` is set).
    """
    from ..mse.graphs import decomposable_graphs

    check_seed(random_seed)
    J = int(lists)
    graphs = decomposable_graphs(J)
    delta = 2.0**-J if delta is None else float(delta)
    if delta <= 0:
        raise ValueError("delta must be positive")
    rng = np.random.default_rng(int(random_seed))
    if isinstance(N, tuple):
        lo, hi = (int(v) for v in N)
        if not 0 <= lo <= hi:
            raise ValueError(f"N range must satisfy 0 <= lo <= hi, got {N!r}")
        N = int(rng.integers(lo, hi + 1))
    elif int(N) != N or N < 0:
        raise ValueError(f"N must be a non-negative whole number or a (lo, hi) range, got {N!r}")
    if graph is None:
        edges, order = graphs[rng.integers(len(graphs))]
    else:
        wanted = {tuple(sorted((int(a), int(b)))) for a, b in graph}
        match = [g for g in graphs if set(g[0]) == wanted]
        if not match:
            raise ValueError(f"graph {sorted(wanted)} is not a decomposable graph on {J} lists")
        edges, order = match[0]
    probabilities = _hyper_dirichlet(order, J, delta, rng)
    counts = rng.multinomial(int(N), probabilities / probabilities.sum())
    out = _pattern_table(counts, [f"L{j + 1}" for j in range(J)] if names is None else list(names))
    out.attrs["graph"] = [tuple(e) for e in edges]
    out.attrs["probabilities"] = probabilities
    return out


# -- partial aggregate counts (estimators.sources.multi_source) -----------------------------


def source_counts(
    *,
    events: int = 2,
    kinds: Sequence[str] = ("acknowledged", "named", "monitor count"),
    censor: Sequence[str] = ("monitor count",),
    priors: Priors | str | Mapping[str, Any] | None = None,
    n_min: float = 50,
    n_max: float = 5000,
    calibration_reported: int | None = None,
    calibration_incidents: int | None = None,
    population: float | tuple[float, float] | None = None,
    nested: Sequence[str] = (),
    random_seed: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Source-count tables (data shape 3) drawn from `estimators.multi_source`'s own model.

    The generative process, with **discrete** N (the fitted model relaxes it):

    1. per kind: mean completeness ``m_k ~ Beta(mean·s, (1-mean)·s)`` and concentration
       ``φ_k ~ LogNormal(log median, sd)`` from `estimators.sources.Priors`;
    2. per event: ``N_e = floor(exp(U))``, ``U ~ Uniform(log n_min, log(n_max + 1))`` —
       the discrete twin of the log-uniform prior on ``[n_min, n_max]``;
    3. per (event, kind) one source with completeness ``p ~ Beta(m_k φ_k, (1-m_k) φ_k)``;
    4. counts: lower-bound kinds ``y ~ Binomial(N_e, p)`` (acknowledged: ``p·κ``, with
       ``κ ~ Beta(conceded)`` when ``calibration_reported`` is given, and the calibration
       ``conceded ~ Binomial(calibration_reported, κ)``); monitors ``o ~ Beta(overcount)``,
       ``y ~ Poisson(N_e p / (1 - o))``;
    5. kinds in ``censor`` are censored at a threshold independent of everything else
       (non-informative, type I censoring, so that "at least c" carries exactly the
       information ``Y >= c`` the model reads into it): ``c = 10**U`` rounded to two
       significant digits, ``U ~ Uniform(1, log10 n_max)``; a count ``y >= c`` is published
       as "at least c", a smaller count exactly. (Rounding a count *down* — "more than
       1,600" for 1,600–1,699 — would also say ``Y < 1,700``, which the lower-bound
       reading ignores.)

    Three options draw what `multi_source` reads beyond one count per source (each changes
    the random stream only when used):

    - ``population``: a bound P on N per event, fixed or ``(low, high)`` with ``P ~
      Uniform(low, high)``, and ``N_e`` drawn as in 2. on ``[n_min, min(n_max, P)]`` — the
      prior `multi_source(population=...)` states (`estimators.sources.engine.population_weight`).
    - ``calibration_incidents``: the calibration deaths cluster in that many incidents of
      (near) equal size; ``ρ ~ Beta(priors.calibration_icc)`` and each incident concedes
      ``Binomial(size_i, κ_i)`` with ``κ_i ~ Beta`` of mean κ and intra-class correlation
      ρ — the beta-binomial whose design effect ``1 + (size - 1) ρ`` the model uses
      (`estimators.sources.engine.conceded_share_posterior`), to second order only.
    - ``nested``: lower-bound kinds that also publish a sub-list of their own list (names
      verified within names gathered): ``y_sub ~ Binomial(y, r)``, ``r ~ Uniform(0, 1)``,
      published exactly, labelled ``"<kind> within"`` with ``within = <kind>``. The model
      reads it only as a lower end of its parent's count, so this checks that coarsening:
      where the parent is exact the sub-list carries no information about N; where the
      parent is censored it raises the parent's lower end.

    Returns ``(table, truth)``: the table has the columns `estimators.data.read_source_counts`
    expects (``figure_id, event, kind, unit, value, qualifier``, plus ``label`` and
    ``within`` when ``nested`` is given); ``truth`` holds ``N`` (event -> N),
    ``completeness`` (figure_id -> p), ``completeness_mean`` (kind -> m_k), ``overcount``,
    ``conceded_share``, ``calibration`` ((conceded, reported), (conceded, reported,
    incidents) or None), ``calibration_icc`` (ρ or None), ``population`` (event -> P or
    None) and ``nested_share`` (figure_id of the sub-list -> r).
    """
    import pandas as pd

    from ..data import LOWER_BOUND_KINDS, MONITOR_KINDS, SOURCE_KINDS
    from ..sources.priors import resolve_priors

    priors = resolve_priors(priors)
    for kind in kinds:
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {kind!r}; expected one of {SOURCE_KINDS}")
    if not (1 <= n_min < n_max):
        raise ValueError(f"need 1 <= n_min < n_max, got {n_min}, {n_max}")
    rng = np.random.default_rng(random_seed)
    s = priors.completeness_strength
    m = {k: rng.beta(priors.completeness_mean[k] * s, (1 - priors.completeness_mean[k]) * s) for k in kinds}
    phi = {k: float(np.exp(rng.normal(math.log(priors.concentration_median), priors.concentration_sd))) for k in kinds}
    for kind in nested:
        if kind not in LOWER_BOUND_KINDS:
            raise ValueError(f"nested lists are drawn for lower-bound kinds {LOWER_BOUND_KINDS}, got {kind!r}")
    from ..sources.engine import population_bounds

    pop_low, pop_high = population_bounds(population, ["all"])[0] or (None, None)
    if pop_low is not None and pop_low < n_min:
        raise ValueError(f"need n_min <= population low, got {population!r}")
    kappa, calibration, icc = 1.0, None, None
    if calibration_reported is not None:
        kappa = float(rng.beta(*priors.conceded))
        if calibration_incidents is None:
            calibration = (int(rng.binomial(calibration_reported, kappa)), int(calibration_reported))
        else:
            calibration, icc = _clustered_calibration(rng, kappa, int(calibration_reported),
                                                      int(calibration_incidents), priors.calibration_icc)
    elif calibration_incidents is not None:
        raise ValueError("calibration_incidents needs calibration_reported")
    rows, truth_n, truth_p, truth_o, truth_pop, truth_r = [], {}, {}, {}, {}, {}
    for e in range(events):
        event = f"event-{e + 1}"
        top = n_max
        if pop_low is not None:
            truth_pop[event] = pop_low if pop_high == pop_low else float(rng.uniform(pop_low, pop_high))
            top = min(n_max, truth_pop[event])
        n = int(math.floor(math.exp(rng.uniform(math.log(n_min), math.log(top + 1)))))
        n = min(max(n, int(n_min)), int(top))
        truth_n[event] = n
        for kind in kinds:
            fid = f"{event}-{kind.replace(' ', '-')}"
            p = float(rng.beta(m[kind] * phi[kind], (1 - m[kind]) * phi[kind]))
            truth_p[fid] = p
            if kind in LOWER_BOUND_KINDS:
                y = int(rng.binomial(n, p * (kappa if kind == "acknowledged" else 1.0)))
            elif kind in MONITOR_KINDS:
                o = float(rng.beta(*priors.overcount))
                truth_o[fid] = o
                y = int(rng.poisson(n * p / (1 - o)))
            y_drawn, qualifier = y, "exact"
            if kind in censor:
                c = 10 ** rng.uniform(1, math.log10(n_max))
                digits = max(int(math.floor(math.log10(c))) - 1, 0)
                c = int(round(c / 10**digits) * 10**digits)
                if y >= c:
                    y, qualifier = c, "at least"
            rows.append({"figure_id": fid, "event": event, "kind": kind, "unit": "deaths",
                         "value": float(y), "qualifier": qualifier})
            if kind in nested:
                rows[-1].update(label=kind, within=None)
                r = float(rng.uniform())
                truth_r[f"{fid}-within"] = r
                rows.append({"figure_id": f"{fid}-within", "event": event, "kind": kind, "unit": "deaths",
                             "value": float(rng.binomial(y_drawn, r)), "qualifier": "exact",
                             "label": f"{kind} within", "within": kind})
    truth = {"N": truth_n, "completeness": truth_p, "completeness_mean": m, "concentration": phi,
             "overcount": truth_o, "conceded_share": kappa, "calibration": calibration,
             "calibration_icc": icc, "population": truth_pop or None, "nested_share": truth_r}
    return pd.DataFrame(rows), truth


def _clustered_calibration(rng, kappa: float, reported: int, incidents: int,
                           icc_prior: tuple[float, float]) -> tuple[tuple[int, int, int], float]:
    """``(conceded, reported, incidents)`` from incidents of near-equal size conceding as a
    whole more often than death by death (beta-binomial, intra-class correlation ρ)."""
    if not 1 <= incidents <= reported:
        raise ValueError(f"need 1 <= calibration_incidents <= calibration_reported, got {incidents}, {reported}")
    rho = float(rng.beta(*icc_prior))
    sizes = np.full(incidents, reported // incidents)
    sizes[: reported % incidents] += 1
    # Beta(κ s, (1 - κ) s) with s = (1 - ρ) / ρ has intra-class correlation ρ.
    strength = max((1 - rho) / max(rho, 1e-12), 1e-12)
    k_i = rng.beta(max(kappa * strength, 1e-12), max((1 - kappa) * strength, 1e-12), size=incidents)
    return (int(rng.binomial(sizes, k_i).sum()), reported, incidents), rho


# -- named-victim lists (estimators.link_lists) -------------------------------------------
# A re-export, not code of this module: named_lists has its own module (its name pools and
# corruption tables are long), so it is imported here, at its section, below the top (E402).
from .named_lists import SimulatedNamedLists, named_lists  # noqa: E402
