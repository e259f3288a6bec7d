"""Data generators with known truth, one per data shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "simulate_proportion_ratio",
    "simulate_strike_population",
    "draw_site_sample",
    "simulate_allegations",
]


# -- two rates (estimators.rates.proportion_ratio) ------------------------------------------

def simulate_proportion_ratio(
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

def simulate_strike_population(
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


def draw_site_sample(
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

def simulate_allegations(
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
