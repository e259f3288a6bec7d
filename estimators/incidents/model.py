"""`incident_model`, the estimator (its model is stated in its docstring), and
`build_model`, the same posterior in PyMC."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_level, check_seed
from ..data import GRADES
from ..result import Estimate
from .prepare import _CREDIBLE, _NON_CREDIBLE, _NONE, _Prepared, _prepare
from .._priors import resolve_sensitivity, setting_name
from .priors import PRIOR_SETTINGS, free_grades, override_priors, resolve_priors
from .sampler import _run

if TYPE_CHECKING:
    import pymc as pm

__all__ = ["incident_model", "build_model", "MEDIAN_UPPER_FACTOR"]

#: The posterior median of the total lies at or below this factor times the sum of the
#: incidents' (effective) maxima whenever exceedance * (1 + tau) < 1/2 (Markov's
#: inequality on the excess over the maxima, whose mean is at most
#: exceedance * (1 + tau) * sum of maxima); with the defaults 0.05 * 1.5 = 0.075.
MEDIAN_UPPER_FACTOR = 2.0


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
    sensitivity: Sequence[str | Mapping[str, Any]] | Mapping[str, Any] = ("sceptical", "default", "generous", "flat"),
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
        A validated incident table (`estimators.data.read_incidents`) or a DataFrame it accepts.
    belligerent
        Model the incidents that name this belligerent; ``None``: all incidents, the
        named parties taken together.
    priors
        A name in `PRIOR_SETTINGS` or a mapping overriding entries (`resolve_priors`; the
        package's convention, `estimators._priors`).
    sensitivity
        Prior settings refitted side by side: names or mappings, or a mapping ``name ->
        setting`` (``()`` to skip); results in ``diagnostics["prior_sensitivity"]``.
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

    from ..posterior import convergence, convergence_report, credible_interval, posterior_estimate

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

    free = free_grades(confirmed_genuine)
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
    main_name = setting_name(priors)
    settings = resolve_sensitivity(sensitivity, prior, PRIOR_SETTINGS, override=override_priors, what="prior")
    for (name, p_set), seed in zip(settings.items(), seeds[1:], strict=True):
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
        **convergence_report(conv),
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
    from ..posterior import to_idata

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

    free = free_grades(confirmed_genuine)
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
    free = free_grades(confirmed_genuine)
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
