"""Bayesian incident model: grade credibility x reported min–max counts -> true deaths.

Monitors' ranges add reported minima and maxima over incidents they grade as credible
enough. This model instead asks, incident by incident, *did it happen and did this
belligerent cause it?* (with a probability that depends on the grade, learned from the
belligerent's own assessments where there are any), and *how many died?* (somewhere from
the largest of the reported minimum, the named victims and the conceded deaths up to the
reported maximum, occasionally beyond). The total over the incidents gets a posterior
median and a 95% equal-tailed credible interval.

Computation is exact where it can be: the continuous parameters (grade credibilities,
the assessment's sensitivity and specificity) are sampled by a conjugate Gibbs sampler
with the binary genuineness indicators drawn exactly (binomially, per cell of identical
incidents), and each posterior draw's true deaths are then simulated exactly from their
conditional distribution. No Metropolis step touches a count. `build_model` gives the
same posterior of the continuous parameters as a PyMC model, with the indicators
marginalised, for inspection or for sampling with NUTS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .data import GRADES
from .result import Estimate
from ._checks import check_level, check_seed

if TYPE_CHECKING:
    import pandas as pd
    import pymc as pm

__all__ = ["incident_model", "build_model", "PRIOR_SETTINGS", "resolve_priors", "MEDIAN_UPPER_FACTOR"]

#: Beta(a, b) priors on each grade's credibility theta_g = P(the deaths happened and one of
#: the named belligerents caused them), restricted jointly to the ordered region
#: theta_confirmed >= theta_fair >= theta_weak >= theta_contested >= theta_discounted, and
#: on the belligerent's assessment: sensitivity = P(says "credible" | genuine),
#: specificity = P(says "non-credible" | not genuine).
PRIOR_SETTINGS: dict[str, dict[str, tuple[float, float]]] = {
    "default": {
        "confirmed": (19.0, 1.0), "fair": (8.0, 2.0), "weak": (4.0, 4.0),
        "contested": (3.0, 4.0), "discounted": (1.0, 9.0),
        "sensitivity": (2.0, 3.0), "specificity": (9.0, 1.0),
    },
    "sceptical": {
        "confirmed": (9.0, 1.0), "fair": (6.0, 4.0), "weak": (2.0, 6.0),
        "contested": (2.0, 8.0), "discounted": (1.0, 19.0),
        "sensitivity": (2.0, 3.0), "specificity": (9.0, 1.0),
    },
    "generous": {
        "confirmed": (49.0, 1.0), "fair": (18.0, 2.0), "weak": (7.0, 3.0),
        "contested": (6.0, 4.0), "discounted": (1.0, 4.0),
        "sensitivity": (2.0, 3.0), "specificity": (9.0, 1.0),
    },
    "flat": {
        "confirmed": (1.0, 1.0), "fair": (1.0, 1.0), "weak": (1.0, 1.0),
        "contested": (1.0, 1.0), "discounted": (1.0, 1.0),
        "sensitivity": (1.0, 1.0), "specificity": (1.0, 1.0),
    },
}

#: The posterior median of the total lies at or below this factor times the sum of the
#: incidents' (effective) maxima whenever exceedance * (1 + tau) < 1/2 (Markov's
#: inequality on the excess over the maxima, whose mean is at most
#: exceedance * (1 + tau) * sum of maxima); with the defaults 0.05 * 1.5 = 0.075.
MEDIAN_UPPER_FACTOR = 2.0

_NONE, _CREDIBLE, _NON_CREDIBLE = 0, 1, 2


def resolve_priors(priors: str | Mapping[str, Any] = "default") -> dict[str, tuple[float, float]]:
    """A named setting of `PRIOR_SETTINGS`, or a mapping overriding some of its entries
    (``{"base": "sceptical", "contested": (1, 9)}``; ``base`` defaults to "default")."""
    if isinstance(priors, str):
        if priors not in PRIOR_SETTINGS:
            raise ValueError(f"unknown prior setting {priors!r}; expected one of {sorted(PRIOR_SETTINGS)} or a mapping")
        return dict(PRIOR_SETTINGS[priors])
    priors = dict(priors)
    out = resolve_priors(priors.pop("base", "default"))
    for key, value in priors.items():
        if key not in out:
            raise ValueError(f"unknown prior {key!r}; expected some of {sorted(out)}")
        a, b = (float(v) for v in value)
        if not (a > 0 and b > 0):
            raise ValueError(f"prior {key!r}: Beta parameters must be positive, got {value!r}")
        out[key] = (a, b)
    return out


# -- data preparation -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Prepared:
    grade: np.ndarray  # (n,) grade index into GRADES
    low: np.ndarray  # (n,) smallest possible true deaths if genuine
    high: np.ndarray  # (n,) reported maximum (at least low)
    cell_of: np.ndarray  # (n,) index of the incident's cell
    cell_grade: np.ndarray  # (C,) grade of each cell
    cell_assess: np.ndarray  # (C,) 0 none/unused, 1 credible, 2 non-credible
    cell_share: np.ndarray  # (C,) this belligerent's share of a genuine incident
    cell_count: np.ndarray  # (C,) incidents in the cell
    fixed_genuine: np.ndarray  # (C,) bool: confirmed incidents taken as genuine
    reported_min: np.ndarray  # (5,) sums per grade
    reported_max: np.ndarray  # (5,)
    incidents: np.ndarray  # (5,)
    without_count: int
    label: str


def _prepare(incidents: Any, *, belligerent: str | None, contested_share: str | float,
             confirmed_genuine: bool) -> _Prepared:
    from .data import is_validated_incidents, read_incidents

    frame = incidents if is_validated_incidents(incidents) else read_incidents(incidents)
    if belligerent is not None:
        codes, uniques = frame["belligerents"].factorize()
        names = np.array([belligerent in str(u).split(";") for u in uniques], dtype=bool)
        frame = frame[names[codes]] if len(uniques) else frame
        if len(frame) == 0:
            raise ValueError(f"no incident names the belligerent {belligerent!r}")
    if len(frame) == 0:
        raise ValueError("the incident table is empty")
    grade = frame["grade"].map({g: i for i, g in enumerate(GRADES)}).to_numpy(dtype=np.int64)
    contested = grade == GRADES.index("contested")
    k = frame["n_belligerents"].to_numpy(dtype=np.float64)
    share = np.ones(len(frame))
    if contested_share == "equal":
        if belligerent is not None:
            share[contested] = 1.0 / k[contested]
    else:
        value = float(contested_share)
        if not 0 < value <= 1:
            raise ValueError(f"contested_share must be 'equal' or a number in (0, 1], got {contested_share!r}")
        share[contested] = value
    assess_text = frame["assessment"].to_numpy(dtype=object)
    assess = np.where(assess_text == "credible", _CREDIBLE, np.where(assess_text == "non-credible", _NON_CREDIBLE, _NONE))
    confirmed = grade == 0
    # A confirmed grade *is* the belligerent accepting responsibility: its assessment is
    # not separate evidence and is not used.
    assess[confirmed] = _NONE

    def counts(col: str) -> np.ndarray:
        return frame[col].to_numpy(dtype=np.float64, na_value=0.0).astype(np.int64)

    dmin, dmax = counts("deaths_min"), counts("deaths_max")
    low = np.maximum.reduce([dmin, counts("named_victims"), counts("conceded_min")])
    high = np.maximum(dmax, low)
    share_key = np.round(share, 12)
    keys = np.stack([grade, assess, share_key * 1e12], axis=1)
    uniq, cell_of = np.unique(keys, axis=0, return_inverse=True)
    cell_of = cell_of.ravel()
    cell_grade = uniq[:, 0].astype(np.int64)
    fixed = (cell_grade == 0) & confirmed_genuine
    return _Prepared(
        grade=grade, low=low, high=high, cell_of=cell_of,
        cell_grade=cell_grade, cell_assess=uniq[:, 1].astype(np.int64), cell_share=uniq[:, 2] / 1e12,
        cell_count=np.bincount(cell_of, minlength=len(uniq)), fixed_genuine=fixed,
        reported_min=np.bincount(grade, weights=dmin, minlength=5).astype(np.int64),
        reported_max=np.bincount(grade, weights=dmax, minlength=5).astype(np.int64),
        incidents=np.bincount(grade, minlength=5),
        without_count=int((~frame["has_count"].to_numpy(dtype=bool)).sum()),
        label=belligerent or "the belligerents named",
    )


# -- the sampler --------------------------------------------------------------------------

def _truncated_beta(rng: np.random.Generator, a: np.ndarray, b: np.ndarray,
                    lo: np.ndarray, hi: np.ndarray, *, tries: int = 64) -> np.ndarray:
    """Exact draws from Beta(a, b) restricted to [lo, hi], elementwise.

    First ``tries`` independent Beta(a, b) proposals per element, keeping the first that
    lands in [lo, hi] (rejection sampling: exact and cheap when the interval holds a fair
    share of the mass); elements where none landed fall back to the inverse CDF, worked
    in whichever tail keeps the CDF values small, for precision."""
    a, b, lo, hi = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, b, lo, hi)))
    cand = rng.beta(a[..., None], b[..., None], size=a.shape + (tries,))
    ok = (cand >= lo[..., None]) & (cand <= hi[..., None])
    first = np.argmax(ok, axis=-1)
    out = np.take_along_axis(cand, first[..., None], axis=-1)[..., 0]
    missed = ~ok.any(axis=-1)
    if missed.any():
        out[missed] = _truncated_beta_icdf(rng, a[missed], b[missed], lo[missed], hi[missed])
    return out


def _truncated_beta_icdf(rng: np.random.Generator, a: np.ndarray, b: np.ndarray,
                         lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    from scipy.special import betainc, betaincinv

    flip = betainc(a, b, lo) > 0.5
    a2, b2 = np.where(flip, b, a), np.where(flip, a, b)
    lo2, hi2 = np.where(flip, 1 - hi, lo), np.where(flip, 1 - lo, hi)
    f_lo, f_hi = betainc(a2, b2, lo2), betainc(a2, b2, hi2)
    x = betaincinv(a2, b2, f_lo + rng.random(a.shape) * (f_hi - f_lo))
    x = np.clip(np.nan_to_num(x, nan=0.5 * (lo2 + hi2)), lo2, hi2)
    return np.where(flip, 1 - x, x)


def _ordered_prior_draws(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """Exact draws of decreasing (theta_1 >= ... >= theta_K) from the product of Betas
    restricted to the ordered region: rejection from the unrestricted product."""
    out, need = [], size
    for _ in range(10_000):
        cand = rng.beta(a, b, size=(max(4 * need, 64), len(a)))
        ok = np.all(np.diff(cand, axis=1) <= 0, axis=1)
        out.append(cand[ok][:need])
        need -= int(ok.sum())
        if need <= 0:
            return np.concatenate(out)[:size]
    raise RuntimeError("the ordered prior has almost no mass; check the Beta parameters")


def _free_grades(confirmed_genuine: bool) -> list[int]:
    return list(range(1, 5)) if confirmed_genuine else list(range(5))


def _cell_probs(prep: _Prepared, theta: np.ndarray, sens: np.ndarray, spec: np.ndarray):
    """Per chain and cell: P(genuine for this belligerent), P(caused by a named party but
    not this one), given the parameters and the cell's assessment. Shapes (chains, C)."""
    th = theta[:, prep.cell_grade]
    s = prep.cell_share[None, :]
    a = prep.cell_assess[None, :]
    l1 = np.where(a == _CREDIBLE, sens[:, None], np.where(a == _NON_CREDIBLE, 1 - sens[:, None], 1.0))
    l0 = np.where(a == _CREDIBLE, 1 - spec[:, None], np.where(a == _NON_CREDIBLE, spec[:, None], 1.0))
    w_gen, w_other, w_none = th * s * l1, th * (1 - s) * l0, (1 - th) * l0
    total = w_gen + w_other + w_none
    p_gen = np.where(prep.fixed_genuine[None, :], 1.0, w_gen / total)
    p_other = np.where(prep.fixed_genuine[None, :], 0.0, w_other / total)
    return p_gen, p_other


def _gibbs(prep: _Prepared, prior: dict[str, tuple[float, float]], *, confirmed_genuine: bool,
           chains: int, draws: int, tune: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Posterior draws of (theta, se, sp) and each cell's P(genuine | parameters, data).

    Incidents without an assessment add a factor 1 to the likelihood whatever their
    genuineness, so they are summed out exactly and never augmented (this is what keeps
    the sampler fast and well mixed when most incidents are unassessed). If no incident
    carries an assessment the posterior *is* the prior, drawn exactly (independent
    draws, rejection from the unrestricted product of Betas). Otherwise a conjugate
    Gibbs sampler, all chains at once; per sweep: the numbers of genuine /
    caused-by-another-named-party / not-caused incidents in each assessed cell (exact
    binomial draws), then the free theta_g in two blocks of non-neighbours (fair and
    contested, then confirmed, weak and discounted), each from its Beta conditional
    truncated to lie between its neighbours, then se and sp from their Beta
    conditionals."""
    free = _free_grades(confirmed_genuine)
    a_all = np.array([prior[g][0] for g in GRADES])
    b_all = np.array([prior[g][1] for g in GRADES])
    theta = np.ones((chains, 5))
    theta[:, free] = _ordered_prior_draws(rng, a_all[free], b_all[free], chains)  # dispersed starts
    sens = rng.beta(*prior["sensitivity"], size=chains)
    spec = rng.beta(*prior["specificity"], size=chains)
    informative = (prep.cell_assess != _NONE) & ~prep.fixed_genuine
    keep_theta = np.ones((chains, draws, 5))
    if not informative.any():
        keep_theta[:, :, free] = _ordered_prior_draws(rng, a_all[free], b_all[free], chains * draws).reshape(chains, draws, -1)
        keep_sens = rng.beta(*prior["sensitivity"], size=(chains, draws))
        keep_spec = rng.beta(*prior["specificity"], size=(chains, draws))
    else:
        keep_sens, keep_spec = np.empty((chains, draws)), np.empty((chains, draws))
        sub = _Prepared(**{**prep.__dict__, "cell_grade": prep.cell_grade[informative],
                           "cell_assess": prep.cell_assess[informative],
                           "cell_share": prep.cell_share[informative],
                           "cell_count": prep.cell_count[informative],
                           "fixed_genuine": prep.fixed_genuine[informative]})
        n_cell = np.broadcast_to(sub.cell_count, (chains, len(sub.cell_count)))
        onehot = (sub.cell_grade[:, None] == np.arange(5)[None, :]).astype(float)
        cred = sub.cell_assess == _CREDIBLE
        blocks = [[g for g in free if g % 2 == 1], [g for g in free if g % 2 == 0]]
        for it in range(tune + draws):
            p_gen, p_other = _cell_probs(sub, theta, sens, spec)
            n_gen = rng.binomial(n_cell, p_gen)
            rest = n_cell - n_gen
            cond = np.divide(p_other, 1 - p_gen, out=np.zeros_like(p_other), where=(1 - p_gen) > 0)
            n_other = rng.binomial(rest, np.clip(cond, 0, 1))
            caused = (n_gen + n_other) @ onehot  # (chains, 5)
            not_caused = (rest - n_other) @ onehot
            padded = np.concatenate([np.ones((chains, 1)), theta, np.zeros((chains, 1))], axis=1)
            for block in blocks:
                idx = np.array(block)
                theta[:, idx] = _truncated_beta(
                    rng, a_all[idx] + caused[:, idx], b_all[idx] + not_caused[:, idx],
                    padded[:, idx + 2], padded[:, idx])
                padded[:, idx + 1] = theta[:, idx]
            sens = rng.beta(prior["sensitivity"][0] + n_gen[:, cred].sum(1),
                            prior["sensitivity"][1] + n_gen[:, ~cred].sum(1))
            spec = rng.beta(prior["specificity"][0] + rest[:, ~cred].sum(1),
                            prior["specificity"][1] + rest[:, cred].sum(1))
            if it >= tune:
                keep_theta[:, it - tune], keep_sens[:, it - tune], keep_spec[:, it - tune] = theta, sens, spec
    flat = keep_theta.reshape(chains * draws, 5)
    p_gen = _cell_probs(prep, flat, keep_sens.ravel(), keep_spec.ravel())[0]
    return {"theta": keep_theta, "sensitivity": keep_sens, "specificity": keep_spec,
            "p_genuine": p_gen.reshape(chains, draws, -1)}


def _true_deaths(prep: _Prepared, p_genuine: np.ndarray, *, exceedance: float, tau: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Exact draws of the total and per-grade true deaths, one per row of ``p_genuine``
    (S, C): each incident genuine with its cell's probability; a genuine incident's deaths
    uniform on {low, ..., high} with probability 1 - exceedance, else
    high + 1 + Poisson(tau * high) (no exceedance when high is 0). A compiled loop
    (`estimators._incident_kernels`) seeded from ``rng``: same seed, same draws."""
    from ._incident_kernels import true_deaths

    S = p_genuine.shape[0]
    high = prep.high.astype(np.float64)
    totals, per_grade = np.empty(S), np.empty((S, 5))
    true_deaths(int(rng.integers(2**31 - 1)), np.ascontiguousarray(p_genuine, dtype=np.float64),
                prep.cell_of.astype(np.int64), prep.low.astype(np.float64), high,
                prep.grade.astype(np.int64), np.where(high >= 1, float(exceedance), 0.0),
                float(tau), totals, per_grade)
    return totals, per_grade


def _run(prep: _Prepared, prior: dict, *, confirmed_genuine: bool, chains: int, draws: int, tune: int,
         exceedance: float, tau: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    post = _gibbs(prep, prior, confirmed_genuine=confirmed_genuine, chains=chains, draws=draws, tune=tune, rng=rng)
    totals, per_grade = _true_deaths(prep, post["p_genuine"].reshape(chains * draws, -1),
                                     exceedance=exceedance, tau=tau, rng=rng)
    post["total"] = totals.reshape(chains, draws)
    post["deaths_by_grade"] = per_grade.reshape(chains, draws, 5)
    return post


def _check_options(chains: int, draws: int, tune: int, level: float, exceedance: float, tau: float,
                   random_seed: Any) -> None:
    check_seed(random_seed)
    for name, v, least in (("chains", chains, 1), ("draws", draws, 10), ("tune", tune, 0)):
        if int(v) != v or v < least:
            raise ValueError(f"{name} must be a whole number >= {least}, got {v!r}")
    check_level(level)
    if not 0 <= exceedance < 1 or tau < 0:
        raise ValueError(f"need 0 <= exceedance < 1 and tau >= 0, got {exceedance!r}, {tau!r}")


def incident_model(
    incidents: Any,
    *,
    belligerent: str | None = None,
    priors: str | Mapping[str, Any] = "default",
    contested_share: str | float = "equal",
    confirmed_genuine: bool = True,
    exceedance: float = 0.05,
    tau: float = 0.5,
    sensitivity: Sequence[str | Mapping[str, Any]] = ("sceptical", "default", "generous", "flat"),
    chains: int = 4,
    draws: int = 2000,
    tune: int = 500,
    level: float = 0.95,
    random_seed: int,
) -> Estimate:
    r"""The true number of civilians killed by a belligerent in the reported incidents.

    Model
    -----
    For incident :math:`i` with grade :math:`g_i`, reported minimum :math:`m_i` and
    maximum :math:`M_i`, named victims :math:`n_i`, conceded deaths :math:`c_i`
    (``conceded_min``), and the belligerent's assessment :math:`a_i`:

    .. math::

        u_i &\sim \mathrm{Bernoulli}(\theta_{g_i})
            && \text{the deaths happened, caused by one of the named parties} \\
        z_i \mid u_i &\sim \mathrm{Bernoulli}(u_i\, s_i)
            && \text{... and by this belligerent (genuine)} \\
        P(a_i = \text{credible} \mid z_i) &= \mathit{se}^{z_i} (1 - \mathit{sp})^{1 - z_i},
            \quad P(a_i = \text{non-credible} \mid z_i) = 1 - P(a_i = \text{credible} \mid z_i) \\
        L_i &= \max(m_i, n_i, c_i), \qquad U_i = \max(M_i, L_i) \\
        D_i \mid z_i = 1 &\sim (1 - \varepsilon)\, \mathrm{Uniform}\{L_i, \dots, U_i\}
            + \varepsilon\, \bigl(U_i + 1 + \mathrm{Poisson}(\tau U_i)\bigr) \\
        T &= \textstyle\sum_i z_i D_i

    - **Grades.** :math:`\theta_g` has a Beta prior per grade (`PRIOR_SETTINGS`; default
      fair Beta(8, 2), weak Beta(4, 4), contested Beta(3, 4), discounted Beta(1, 9)),
      jointly restricted to :math:`\theta_\text{confirmed} \ge \theta_\text{fair} \ge
      \theta_\text{weak} \ge \theta_\text{contested} \ge \theta_\text{discounted}`.
      With ``confirmed_genuine=True`` (default) confirmed incidents — the belligerent
      accepted responsibility — are genuine (:math:`\theta_\text{confirmed} = 1`);
      otherwise confirmed gets Beta(19, 1).
    - **Shared incidents.** :math:`s_i` is this belligerent's share of an incident that
      happened: 1, except for *contested* incidents naming :math:`k_i` belligerents,
      where ``contested_share="equal"`` gives :math:`1/k_i` when a ``belligerent`` is
      modelled (a number gives that share to every contested incident). Summed over the
      named belligerents, a contested incident is then counted about once, not k times.
    - **Assessments** are evidence, not truth: sensitivity :math:`\mathit{se}` ~
      Beta(2, 3) (belligerents under-concede), specificity :math:`\mathit{sp}` ~
      Beta(9, 1). "none", "pending", "duplicate" and empty carry no information (assumed
      missing at random); the assessments of confirmed incidents are not used (the grade
      is derived from them).
    - **Deaths.** A genuine incident killed at least the largest of its reported
      minimum, its named victims and the deaths conceded, spread uniformly up to the
      reported maximum, and with probability :math:`\varepsilon` (``exceedance``, 0.05)
      beyond it by 1 + Poisson(:math:`\tau U_i`) (``tau`` 0.5); none beyond a reported 0.
      An incident with no reported count has :math:`L_i = U_i =` the named or conceded
      deaths (zero if none): a floor, not an imputation.
    - **Scope.** :math:`T` counts deaths in the *reported* incidents only; incidents no
      monitor recorded are outside this model.

    Only the assessments inform :math:`\theta` and :math:`(\mathit{se}, \mathit{sp})`;
    where a belligerent publishes none (Russia), the grade credibilities stay at their
    priors and the interval expresses those priors — see the sensitivity table.

    Computation: conjugate Gibbs sampling of :math:`(\theta, \mathit{se}, \mathit{sp})`
    with the indicators :math:`(u_i, z_i)` drawn exactly, cell by cell (binomial counts);
    then for every kept draw each incident's :math:`z_i` and :math:`D_i` are drawn
    exactly from their conditional distribution. `build_model` is the same posterior
    of the continuous parameters in PyMC with :math:`u, z` marginalised.

    Parameters
    ----------
    incidents
        A validated incident table (`estimators.data.read_incidents`) or a path/frame.
    belligerent
        Model the incidents that name this belligerent; ``None``: all incidents, the
        named parties taken together.
    priors
        A name in `PRIOR_SETTINGS` or a mapping overriding entries (`resolve_priors`).
    sensitivity
        Prior settings refitted side by side (``()`` to skip); results in
        ``diagnostics["prior_sensitivity"]``.
    chains, draws, tune
        Gibbs chains (run together), kept draws per chain, and discarded sweeps.
    random_seed
        Integer; the same seed gives the same numbers.

    Returns
    -------
    Estimate
        ``value`` the posterior median of :math:`T`; ``lower``/``upper`` the
        ``level`` equal-tailed credible interval; ``observed`` the floor
        :math:`\sum_{\text{confirmed}} L_i` (when confirmed incidents are genuine).
        ``details``: per grade, incidents, reported sums, prior mean and posterior
        (mean, interval) of :math:`\theta_g`, and the posterior median and interval of
        the grade's true deaths. ``diagnostics``: ``p_above_likely_upper`` = P(T > the
        upper end of the monitor's confirmed + fair range), ``likely_range``,
        ``prior_sensitivity`` (records per setting), convergence (R-hat, ESS of T and
        every free :math:`\theta_g`), and the options. ``idata``: the draws.
    """
    import pandas as pd

    from .posterior import convergence, credible_interval, posterior_estimate

    _check_options(chains, draws, tune, level, exceedance, tau, random_seed)
    prior = resolve_priors(priors)
    prep = _prepare(incidents, belligerent=belligerent, contested_share=contested_share,
                    confirmed_genuine=confirmed_genuine)
    seeds = np.random.SeedSequence(int(random_seed)).spawn(1 + len(sensitivity))
    opts = dict(confirmed_genuine=confirmed_genuine, chains=chains, draws=draws, tune=tune,
                exceedance=exceedance, tau=tau)
    post = _run(prep, prior, rng=np.random.default_rng(seeds[0]), **opts)
    total = post["total"]
    likely_lo = int(prep.reported_min[:2].sum())
    likely_hi = int(prep.reported_max[:2].sum())

    free = _free_grades(confirmed_genuine)
    rows = []
    for g, name in enumerate(GRADES):
        th = post["theta"][:, :, g]
        a, b = prior[name]
        t_lo, t_hi = credible_interval(th, level=level)
        d_lo, d_hi = credible_interval(post["deaths_by_grade"][:, :, g], level=level)
        rows.append({
            "grade": name, "incidents": int(prep.incidents[g]),
            "deaths_min": int(prep.reported_min[g]), "deaths_max": int(prep.reported_max[g]),
            "credibility_prior_mean": a / (a + b) if g in free else 1.0,
            "credibility_mean": float(th.mean()), "credibility_lower": t_lo, "credibility_upper": t_hi,
            "true_deaths_median": float(np.median(post["deaths_by_grade"][:, :, g])),
            "true_deaths_lower": d_lo, "true_deaths_upper": d_hi,
        })
    details = pd.DataFrame(rows)

    def converged(draws_: np.ndarray) -> dict[str, float]:
        if np.ptp(draws_) == 0:  # a constant (e.g. only confirmed incidents) is known exactly
            return {"r_hat": 1.0, "ess_bulk": float(draws_.size), "ess_tail": float(draws_.size),
                    "chains": chains, "draws": draws}
        return convergence(draws_)

    conv = {"total": converged(total)}
    for g in free:
        conv[f"theta[{GRADES[g]}]"] = converged(post["theta"][:, :, g])
    conv["sensitivity"] = converged(post["sensitivity"])
    conv["specificity"] = converged(post["specificity"])

    def record(name: str, p: dict[str, Any], tot: np.ndarray) -> dict[str, Any]:
        lo, hi = credible_interval(tot, level=level)
        return {"prior": name, "median": float(np.median(tot)), "lower": lo, "upper": hi,
                "p_above_likely_upper": float(np.mean(tot > likely_hi)),
                **{f"prior_mean[{k}]": v[0] / (v[0] + v[1]) for k, v in p.items()}}

    sens_records = []
    main_name = priors if isinstance(priors, str) else "custom"
    for setting, seed in zip(sensitivity, seeds[1:], strict=True):
        name = setting if isinstance(setting, str) else "custom"
        p_set = resolve_priors(setting)
        if p_set == prior:
            sens_records.append(record(name, p_set, total))
            continue
        other = _run(prep, p_set, rng=np.random.default_rng(seed), **opts)
        sens_records.append(record(name, p_set, other["total"]))

    diagnostics: dict[str, Any] = {
        "p_above_likely_upper": float(np.mean(total > likely_hi)),
        "likely_range": [likely_lo, likely_hi],
        "alleged_range": [int(prep.reported_min.sum()), int(prep.reported_max.sum())],
        "incidents": int(prep.incidents.sum()),
        "incidents_without_count": prep.without_count,
        "prior_setting": main_name,
        "priors": {k: list(v) for k, v in prior.items()},
        "prior_sensitivity": sens_records,
        "r_hat_max": max(c["r_hat"] for c in conv.values()),
        "ess_bulk_min": min(c["ess_bulk"] for c in conv.values()),
        "convergence": conv,
        "contested_share": contested_share, "confirmed_genuine": confirmed_genuine,
        "exceedance": exceedance, "tau": tau, "chains": chains, "draws": draws, "tune": tune,
        "sampler": "conjugate Gibbs (exact binomial indicators) + exact draws of true deaths",
    }
    floor = float((prep.low * (prep.grade == 0)).sum()) if confirmed_genuine else None
    return posterior_estimate(
        total, level=level, kind="equal-tailed",
        method=f"incident_model (priors: {main_name})",
        quantity=f"civilians killed by {prep.label} in the reported incidents",
        observed=floor, diagnostics=diagnostics, details=details, idata=_idata(post),
    )


def _idata(post: dict[str, np.ndarray]):
    """The draws as ArviZ InferenceData."""
    from .posterior import to_idata

    return to_idata(
        {"total": post["total"], "theta": post["theta"], "sensitivity": post["sensitivity"],
         "specificity": post["specificity"], "deaths_by_grade": post["deaths_by_grade"]},
        coords={"grade": list(GRADES)},
        dims={"theta": ["grade"], "deaths_by_grade": ["grade"]},
    )


def _log_posterior(prep: _Prepared, prior: dict, theta: np.ndarray, sens: float, spec: float,
                   *, confirmed_genuine: bool = True) -> float:
    """Unnormalised log density of (theta_free, se, sp) with the indicators summed out
    (used to check `build_model`)."""
    from scipy.stats import beta

    free = _free_grades(confirmed_genuine)
    out = sum(beta.logpdf(theta[g], *prior[GRADES[g]]) for g in free)
    out += beta.logpdf(sens, *prior["sensitivity"]) + beta.logpdf(spec, *prior["specificity"])
    th = theta[prep.cell_grade] * prep.cell_share
    a = prep.cell_assess
    p_cred = th * sens + (1 - th) * (1 - spec)
    lik = np.where(a == _CREDIBLE, p_cred, np.where(a == _NON_CREDIBLE, 1 - p_cred, 1.0))
    lik = np.where(prep.fixed_genuine, 1.0, lik)
    return float(out + (prep.cell_count * np.log(lik)).sum())


def build_model(
    incidents: Any,
    *,
    belligerent: str | None = None,
    priors: str | Mapping[str, Any] = "default",
    contested_share: str | float = "equal",
    confirmed_genuine: bool = True,
) -> pm.Model:
    r"""The continuous part of `incident_model` as a PyMC model, indicators marginalised.

    Variables: ``theta`` (dims ``grade``; the confirmed entry is 1 when
    ``confirmed_genuine``), ``sensitivity``, ``specificity``. The order restriction is a
    reparametrisation: ``x_k ~ Uniform(0, 1)`` from the lowest grade up,
    :math:`\theta_k = \theta_{k-1} + (1 - \theta_{k-1}) x_k`, with a potential adding the
    Beta log densities and the log Jacobian :math:`\sum \log(1 - \theta_{k-1})`, so the
    density is exactly the product of Betas on the ordered region. The likelihood sums
    over cells of identical incidents :math:`n_c \log P(a_c)` with
    :math:`P(\text{credible}) = \theta s\, \mathit{se} + (1 - \theta s)(1 - \mathit{sp})`.
    True deaths are not in the model: given the genuineness indicators they do not
    depend on the parameters, and `incident_model` draws them exactly afterwards.
    """
    import pymc as pm
    import pytensor.tensor as pt

    prior = resolve_priors(priors)
    prep = _prepare(incidents, belligerent=belligerent, contested_share=contested_share,
                    confirmed_genuine=confirmed_genuine)
    free = _free_grades(confirmed_genuine)
    up = list(reversed(free))  # discounted first, then upwards
    with pm.Model(coords={"grade": list(GRADES), "step": [GRADES[g] for g in up]}) as model:
        x = pm.Uniform("x", 0.0, 1.0, dims="step")
        thetas, logp, prev = {}, 0.0, None
        for j, g in enumerate(up):
            if prev is None:
                th = x[j]
            else:
                th = prev + (1 - prev) * x[j]
                logp = logp + pt.log1p(-prev)
            a, b = prior[GRADES[g]]
            logp = logp + pm.logp(pm.Beta.dist(a, b), th)
            thetas[g] = th
            prev = th
        theta = pm.Deterministic(
            "theta", pt.stack([thetas.get(g, pt.constant(1.0)) for g in range(5)]), dims="grade")
        pm.Potential("ordered_beta_prior", logp)
        se = pm.Beta("sensitivity", *prior["sensitivity"])
        sp = pm.Beta("specificity", *prior["specificity"])
        use = (prep.cell_assess != _NONE) & ~prep.fixed_genuine
        if use.any():
            th = theta[prep.cell_grade[use]] * prep.cell_share[use]
            p_cred = th * se + (1 - th) * (1 - sp)
            credible = prep.cell_assess[use] == _CREDIBLE
            lik = pt.where(credible, pt.log(p_cred), pt.log1p(-p_cred))
            pm.Potential("assessments", (prep.cell_count[use] * lik).sum())
    return model
