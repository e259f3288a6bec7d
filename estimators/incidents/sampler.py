"""The incident model's sampler: conjugate Gibbs for the credibilities and the
assessment's accuracy, then exact draws of each incident's true deaths."""

from __future__ import annotations

import numpy as np

from ..data import GRADES
from .prepare import _CREDIBLE, _NON_CREDIBLE, _NONE, _Prepared
from .priors import free_grades, ordered_prior_draws, truncated_beta

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
    free = free_grades(confirmed_genuine)
    a_all = np.array([prior[g][0] for g in GRADES])
    b_all = np.array([prior[g][1] for g in GRADES])
    theta = np.ones((chains, 5))
    theta[:, free] = ordered_prior_draws(rng, a_all[free], b_all[free], chains)  # dispersed starts
    sens = rng.beta(*prior["sensitivity"], size=chains)
    spec = rng.beta(*prior["specificity"], size=chains)
    informative = (prep.cell_assess != _NONE) & ~prep.fixed_genuine
    keep_theta = np.ones((chains, draws, 5))
    if not informative.any():
        keep_theta[:, :, free] = ordered_prior_draws(rng, a_all[free], b_all[free], chains * draws).reshape(chains, draws, -1)
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
                theta[:, idx] = truncated_beta(
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
    (`estimators.incidents.kernels`) seeded from ``rng``: same seed, same draws."""
    from .kernels import true_deaths

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
