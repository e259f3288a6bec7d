"""The multi-source model in PyMC, with N relaxed to a real number (for NUTS)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .engine import population_bounds, population_grid
from .layout import table_layout
from .likelihood import row_loglik_tensor
from .priors import Priors, check_kinds, kind_mean_beta, resolve_priors

if TYPE_CHECKING:
    import pymc as pm


def build_model(
    counts: Any,
    *,
    calibration: Any = None,
    priors: Priors | str | Mapping[str, Any] | None = None,
    about_tolerance: float = 0.1,
    n_min: float = 1.0,
    n_max: float = 1e6,
    population: Any = None,
) -> pm.Model:
    """The PyMC model `multi_source` samples (see the module docstring for the model).

    Parameters
    ----------
    counts
        Rows of (event, source) counts: a selection of `estimators.load_published_figures`
        or any table `estimators.data.read_source_counts` accepts.
    calibration
        ``(conceded, reported)`` or ``(conceded, reported, incidents)`` deaths on incidents
        the belligerent accepted, or the rows giving them; informs ``κ``. ``None``: ``κ =
        1``. With ``incidents`` the deaths cluster (`engine.conceded_share_posterior`):
        ``ρ ~ Beta(priors.calibration_icc)`` and a potential ``κ^(c/d) (1 - κ)^((r - c)/d)
        / B(a + c/d, b + (r - c)/d) · B(a, b)`` with ``d = 1 + (r/incidents - 1) ρ``, which
        leaves ρ at its prior (it cannot be learnt from totals) and gives κ the engine's
        mixture over ρ.
    priors
        `Priors`; the defaults are stated there.
    about_tolerance
        Relative half-width of an "about" figure.
    n_min, n_max
        Support of the log-uniform prior of each event's N.
    population
        A bound on N as in `multi_source`: a number, ``(low, high)`` or a mapping event ->
        either. N's support ends at ``min(n_max, high)`` and a potential adds
        ``log engine.population_weight(N)`` (a step function over 201 values of the bound).

    Named variables: ``log_N``/``N`` (dims ``event``), ``completeness_mean`` and
    ``concentration`` (dims ``kind``), ``completeness`` (dims ``source``; for a named or
    field-sample source with one exact figure the likelihood integrates it out as a
    beta-binomial, so this variable stays at its prior — draw it from
    ``Beta(a + y, b + N - y)`` afterwards), ``overcount`` (dims ``monitor``),
    ``conceded_share``. Sample with ``pm.sample(..., nuts_sampler="pymc")``; N is continuous
    here (see the module docstring).
    """
    import pymc as pm
    import pytensor.tensor as pt

    lay = table_layout(counts, calibration=calibration, about_tolerance=about_tolerance, n_min=n_min)
    priors = resolve_priors(priors)
    bounds = population_bounds(population, lay.events)
    top = np.array([n_max if b is None else min(n_max, b[1]) for b in bounds], dtype=float)
    if np.any(lay.floor >= top):
        bad = int(np.argmax(lay.floor >= top))
        raise ValueError(f"event {lay.events[bad]!r}: the counts need N >= {lay.floor[bad]:,.0f}, above "
                         f"{'n_max' if top[bad] == n_max else 'the population bound'} {top[bad]:g}")
    check_kinds(priors, lay.kinds)
    coords = {**lay.coords(), "row": list(lay.table["figure_id"])}
    mean_a, mean_b = (np.array(ab) for ab in zip(*(kind_mean_beta(priors, k) for k in lay.kinds)))
    with pm.Model(coords=coords) as model:
        floor = pm.Data("floor", lay.floor, dims="event")
        y = pm.Data("y", lay.row_y, dims="row")
        lo = pm.Data("lo", lay.row_lo, dims="row")
        hi = pm.Data("hi", lay.row_hi, dims="row")
        init_n = np.minimum(np.maximum(lay.floor * 2.0, np.e), (lay.floor + top) / 2)
        log_n = pm.Uniform("log_N", lower=pt.log(floor), upper=np.log(top), dims="event",
                           initval=np.log(init_n))
        n = pm.Deterministic("N", pt.exp(log_n), dims="event")
        for e, bound in enumerate(bounds):
            if bound is not None and bound[1] > bound[0]:
                ps, inv_z = population_grid(n_min, bound)  # engine.population_weight, in PyTensor
                pm.Potential(f"population_{e}", pt.log(pt.mean(pt.le(n[e], ps) * inv_z)))
        m = pm.Beta("completeness_mean", alpha=mean_a, beta=mean_b, dims="kind")
        phi = pm.LogNormal("concentration", mu=math.log(priors.concentration_median),
                           sigma=priors.concentration_sd, dims="kind")
        a_k, b_k = m * phi, (1 - m) * phi
        p = pm.Beta("completeness", alpha=a_k[lay.source_kind], beta=b_k[lay.source_kind], dims="source")
        if lay.monitor_sources:
            o = pm.Beta("overcount", alpha=priors.overcount[0], beta=priors.overcount[1], dims="monitor")
            factor = pt.switch(pt.eq(lay.row_kind, 2), 1 / (1 - o[lay.row_monitor_idx]), 1.0)
        else:
            factor = pt.ones(len(lay.row_y))
        if lay.calibration is not None:
            kappa = pm.Beta("conceded_share", alpha=priors.conceded[0], beta=priors.conceded[1])
            conceded, reported, incidents = lay.calibration
            if incidents is None or reported <= incidents:
                pm.Binomial("calibration_conceded", n=reported, p=kappa, observed=conceded)
            else:
                rho = pm.Beta("calibration_icc", alpha=priors.calibration_icc[0], beta=priors.calibration_icc[1])
                d = 1 + (reported / incidents - 1) * rho
                a0, b0 = priors.conceded
                pm.Potential("calibration_conceded",
                             conceded / d * pt.log(kappa) + (reported - conceded) / d * pt.log1p(-kappa)
                             - _log_beta(pt, a0 + conceded / d, b0 + (reported - conceded) / d)
                             + _log_beta(pt, a0, b0))
            p_row = p[lay.row_source] * pt.switch(pt.eq(lay.row_ack, 1), kappa, 1.0)
        else:
            p_row = p[lay.row_source]
        a_row = a_k[lay.source_kind[lay.row_source]]
        b_row = b_k[lay.source_kind[lay.row_source]]
        ll = row_loglik_tensor(pt, n=n[lay.row_event], pi=(a_row, b_row, p_row), y=y, lo=lo, hi=hi,
                               point=lay.row_point, kind=lay.row_kind, monitor_factor=factor)
        # A source's versions are an equal-weight mixture.
        padded = pt.switch(lay.version_index >= 0, ll[np.maximum(lay.version_index, 0)], -np.inf)
        n_versions = (lay.version_index >= 0).sum(axis=1)
        per_source = pm.math.logsumexp(padded, axis=1).ravel() - np.log(n_versions)
        pm.Potential("counts", per_source.sum())
    return model


def _log_beta(pt, a, b):
    return pt.gammaln(a) + pt.gammaln(b) - pt.gammaln(a + b)
