"""`multi_source`: the engine's draws turned into estimates, details and diagnostics."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_level, check_seed
from ..result import Estimate
from . import identification
from .engine import Engine, population_bounds
from .layout import Layout, table_layout
from .priors import DEFAULT_SENSITIVITY, PRIOR_SETTINGS, Priors, override_priors, resolve_priors

if TYPE_CHECKING:
    from ..result import EstimateTable

_SAMPLER = ("Metropolis-within-Gibbs on the kind hyperparameters (continuous); N, completeness, "
            "over-count and κ summed out exactly and drawn from their exact conditionals "
            "(no Hamiltonian sampler, so no divergences)")


def _run(engine, *, draws, tune, chains, rng) -> dict[str, Any]:
    out = engine.sample(draws=draws, tune=tune, chains=chains, rng=rng)
    cond = engine.conditionals(out["z"], rng)
    cond["accept"] = out["accept"]
    cond["z"] = out["z"]
    return cond


def _join(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two runs' conditionals as one, chains stacked."""
    out = {k: np.concatenate([a[k], b[k]]) for k in a if k != "N_pmf"}
    out["N_pmf"] = [np.concatenate([x, y]) for x, y in zip(a["N_pmf"], b["N_pmf"])]
    return out


def _mixtures(engine, cond) -> list:
    from .quantiles import ConditionalMixture

    return [ConditionalMixture(cond["N_pmf"][e], first, last) for e, (first, last, _) in enumerate(engine.cells)]


def _worst_relative_mcse(mixtures, level: float) -> float:
    ends = ((1 - level) / 2, (1 + level) / 2)
    return max(m.relative_mcse(q) for m in mixtures for q in ends)


def _worst(cond: dict[str, Any]) -> dict[str, float]:
    """Largest R-hat and smallest ESS over θ and every N."""
    from ..posterior import convergence

    worst = {"r_hat": 0.0, "ess_bulk": math.inf, "ess_tail": math.inf}
    arrays = [cond["z"][..., j] for j in range(cond["z"].shape[2])]
    arrays += [cond["N"][..., e] for e in range(cond["N"].shape[2])]
    for a in arrays:
        if a.shape[0] < 2 or np.ptp(a) == 0:
            continue
        c = convergence(a)
        worst["r_hat"] = max(worst["r_hat"], c["r_hat"])
        worst["ess_bulk"] = min(worst["ess_bulk"], c["ess_bulk"])
        worst["ess_tail"] = min(worst["ess_tail"], c["ess_tail"])
    return worst


def _idata(cond: dict[str, Any], lay: Layout):
    import arviz as az

    dims = {"N": ["event"], "completeness": ["source"], "completeness_mean": ["kind"],
            "concentration": ["kind"], "overcount": ["monitor"]}
    post = {k: cond[k] for k in ("N", "completeness", "completeness_mean", "concentration", "overcount")}
    if lay.calibration is not None:
        post["conceded_share"] = cond["conceded_share"]
    return az.from_dict(posterior=post, coords=lay.coords(), dims=dims,
                        sample_stats={"acceptance_rate": np.repeat(cond["accept"][:, None], cond["N"].shape[1], axis=1)})


def _settings(sensitivity: Sequence[Any] | Mapping[str, Any] | bool, priors: Priors) -> dict[str, Priors]:
    """The alternative priors to refit under, by name."""
    from .._priors import resolve_sensitivity

    if sensitivity is True:
        sensitivity = DEFAULT_SENSITIVITY
    settings = resolve_sensitivity(sensitivity or {}, priors, PRIOR_SETTINGS, override=override_priors,
                                   what="multi_source prior")
    for name, value in settings.items():
        if not isinstance(value, Priors):
            raise TypeError(f"sensitivity[{name!r}] must be Priors, a setting, or a function returning Priors")
    return settings


def _posterior_rows(cond: dict[str, Any], lay: Layout, row, n_row, mixtures) -> dict[str, list]:
    """Per event, the ``table == "posterior"`` rows of its details (N and its ratios from
    the mixture of exact conditionals, the rest from the draws)."""
    p_draws = cond["completeness"]
    tables: dict[str, list] = {ev: [] for ev in lay.events}
    for e, ev in enumerate(lay.events):
        tables[ev].append(n_row("posterior", mixtures[e]))
        ack = lay.table[(lay.table["event"] == ev) & (lay.table["kind"] == "acknowledged")]
        for fid, value, low in zip(ack["figure_id"], ack["value"], ack["low"]):
            fig = value if value == value else low
            if fig and fig > 0:
                tables[ev].append(n_row("posterior", mixtures[e], quantity=f"N / acknowledged ({fid}: {fig:,.0f})",
                                        scale=1 / fig))
    for s, (ev, label) in enumerate(lay.sources):
        kind = lay.kinds[lay.source_kind[s]]
        what = "acceptance share q" if kind == "acknowledged" and lay.calibration is not None else "completeness"
        tables[ev].append(row("posterior", f"{what}: {label}", p_draws[..., s]))
        if kind == "acknowledged" and lay.calibration is not None:
            tables[ev].append(row("posterior", f"completeness κ·q: {label}", p_draws[..., s] * cond["conceded_share"]))
    for k, kind in enumerate(lay.kinds):
        for ev in lay.events:
            tables[ev].append(row("posterior", f"kind mean completeness: {kind}", cond["completeness_mean"][..., k]))
    for j, s in enumerate(lay.monitor_sources):
        tables[lay.sources[s][0]].append(row("posterior", f"over-count share: {lay.sources[s][1]}", cond["overcount"][..., j]))
    if lay.calibration is not None:
        for ev in lay.events:
            tables[ev].append(row("posterior", "conceded share of deaths in accepted incidents (κ)", cond["conceded_share"]))
    return tables


def _diagnostics(n_draws: np.ndarray, cond: dict[str, Any], worst: dict[str, float], chains: int,
                 priors: Priors) -> dict[str, Any]:
    """One event's diagnostics: its N's convergence (``r_hat``, ``ess_bulk``...), the
    worst over the fit (``worst_*``, and the keys every Bayesian result carries:
    ``r_hat_max``, ``ess_bulk_min``, ``ess_tail_min``, ``warnings``), acceptance."""
    from ..posterior import convergence, convergence_report

    diag = convergence(n_draws, divergences=0) if chains > 1 else {"divergences": 0}
    diag.update({f"worst_{k}": v for k, v in worst.items()})
    if chains > 1:  # one chain: no R-hat, and its ESS is not judged
        report = convergence_report({"θ and every N (the worst of them)": {**worst, "chains": chains}})
        diag.update({k: v for k, v in report.items() if k != "convergence"})
    diag["acceptance_rate"] = [float(a) for a in cond["accept"]]
    diag["sampler"] = _SAMPLER
    diag["priors"] = priors.describe()
    return diag


def multi_source(
    counts: Any,
    *,
    calibration: Any = None,
    priors: Priors | str | Mapping[str, Any] | None = None,
    about_tolerance: float = 0.1,
    n_min: float = 1.0,
    n_max: float = 1e6,
    level: float = 0.95,
    draws: int = 1000,
    tune: int = 300,
    chains: int = 4,
    sensitivity: Mapping[str, Any] | Sequence[Any] | bool = True,
    sensitivity_draws: int = 300,
    exact_until: int = 500,
    population: Any = None,
    mc_error: float | None = 0.02,
    max_chains: int = 64,
    random_seed: int,
) -> Estimate | EstimateTable:
    """True deaths per event from partial counts (acknowledged, named, monitors).

    The model — log-uniform prior on each event's N; completeness Beta-distributed by
    source kind with hierarchical kind means shared across events; binomial lower-bound
    sources; Poisson monitors with a stated over-count prior; acknowledgement = κ ×
    acceptance share with κ learnt from calibration data; qualifiers as censoring;
    disagreeing versions of one figure as a mixture — is written out in the module
    docstring of `estimators.sources`.

    Computation: N is **not** relaxed here. For given hyperparameters θ (each kind's mean
    completeness and concentration), N (whole numbers; one cell per integer up to
    ``exact_until``, then cells 1% wide), every completeness (a 110-point logit grid),
    each over-count share and κ (equal-mass strata) are summed out exactly, so the
    likelihood of θ is exact up to those grids (their effect is measured by `grid_error`).
    θ is sampled by adaptive random-walk Metropolis (continuous, low-dimensional), several
    chains; given each θ draw, N and the completeness are drawn exactly from their
    conditionals. `build_model` gives the same model in PyMC with N relaxed to a real.

    Parameters
    ----------
    counts
        One row per (event, source) figure: rows of ``data/published_figures.csv``
        (``kind`` acknowledged, named, monitor count, monitor range or field sample; unit
        deaths) or any table `estimators.data.read_source_counts` accepts. Evident double
        counting (one figure entered twice) is refused.
    calibration
        ``(conceded, reported)`` or two rows (acknowledged, monitor count) on the incidents
        the belligerent accepted, e.g. The Credibles' ``(1410, 2024)``.
    priors
        `Priors` (defaults stated there), a name in `PRIOR_SETTINGS`, or a mapping
        overriding fields of one (``{"concentration_median": 3}``): the package's
        convention for priors (`estimators._priors`).
    about_tolerance
        An "about y" figure means the source's count lies in ``[y(1-t), y(1+t)]``.
    n_min, n_max
        Support of the log-uniform prior of N.
    level
        Credible level of the equal-tailed intervals.
    draws, tune, chains
        Sampler settings (per chain).
    sensitivity
        ``True``: refit under `DEFAULT_SENSITIVITY` (three alternative priors); a mapping
        ``name -> Priors`` (or a setting, or a function of the base priors), or a sequence
        of setting names or mappings, for your own; ``False``: none.
    sensitivity_draws
        Draws (and tuning steps) per chain of each sensitivity refit.
    exact_until
        N is summed integer by integer up to this value, in 1%-wide cells above.
    population
        The people exposed, an upper bound on N: a number, ``(low, high)`` when it is
        itself uncertain (the bound is then uniform between them), or a mapping event ->
        either. N's prior is log-uniform on ``[n_min, min(n_max, bound)]``, averaged over
        the bound. None: no bound beyond ``n_max``.
    mc_error
        Largest Monte Carlo standard error of each interval end, relative to the end
        (default 2%). Chains of the same length are added (up to ``max_chains``) until both
        ends of every event meet it; the result warns when they cannot. None: no check.
    max_chains
        Most chains run to meet ``mc_error``.
    random_seed
        Integer; the same seed gives the same numbers.

    Returns
    -------
    Estimate (one event) or EstimateTable (``by="event"``)
        Per event: posterior median of N and its equal-tailed credible interval, both
        from the average of N's exact conditionals over the θ draws (`quantiles`);
        ``observed`` is the floor the lower-bound sources force; ``diagnostics`` holds
        R-hat, bulk/tail ESS (N, and the worst over θ and every N), divergences (0: no
        Hamiltonian trajectories exist in this sampler) and acceptance rates; ``details``
        has one row per reported quantity (``table == "posterior"``: N, the under-count
        ratio N / acknowledged for each acknowledged figure, each source's and each kind's
        completeness, monitors' over-count shares, κ) and the prior-sensitivity rows
        (``table == "prior sensitivity"``: N under each prior setting) and the
        identification rows (``table == "identification"``: prior and posterior interval of
        N, each completeness, each kind mean and κ, and how much the data narrowed them;
        see `estimators.sources.identification`); ``diagnostics["identification"]`` says
        in words which interval ends the priors decide and leads with the documented
        floor, ``diagnostics["decided_by"]`` names it per end, and ``str(result)`` says it
        too; ``diagnostics["mcse_lower"]``/``["mcse_upper"]`` are the ends' Monte Carlo
        errors; ``idata`` the draws as ArviZ InferenceData.
    """
    import pandas as pd

    from ..posterior import credible_interval
    from ..result import EstimateTable

    check_seed(random_seed)
    check_level(level)
    for name, x in (("draws", draws), ("chains", chains), ("sensitivity_draws", sensitivity_draws),
                    ("max_chains", max_chains)):
        if int(x) < 1:
            raise ValueError(f"{name} must be at least 1, got {x}")
    if mc_error is not None and not 0 < mc_error < 1:
        raise ValueError(f"mc_error must be in (0, 1) or None, got {mc_error}")
    priors = resolve_priors(priors)
    settings = _settings(sensitivity, priors)
    lay = table_layout(counts, calibration=calibration, about_tolerance=about_tolerance, n_min=n_min)
    bounds = population_bounds(population, lay.events)
    rng = np.random.default_rng(int(random_seed))
    opts = {"exact_until": exact_until, "population": bounds, "n_min": n_min, "n_max": n_max}
    engine = Engine(lay, priors, **opts)
    cond = _run(engine, draws=draws, tune=tune, chains=chains, rng=rng)
    mixtures = _mixtures(engine, cond)
    # More chains of the same length until both ends meet the Monte Carlo error target.
    while mc_error is not None and cond["z"].shape[0] < max_chains:
        rel = _worst_relative_mcse(mixtures, level)
        if not rel > mc_error:  # NaN (too few draws to judge) stops too
            break
        have = cond["z"].shape[0]
        more = min(max_chains - have, max(1, math.ceil(have * ((rel / mc_error) ** 2 * 1.1 - 1))))
        cond = _join(cond, _run(engine, draws=draws, tune=tune, chains=more, rng=rng))
        mixtures = _mixtures(engine, cond)
    n_draws = cond["N"]
    worst = _worst(cond)
    idata = _idata(cond, lay)
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2

    def row(table, quantity, draws_, setting="default", **extra):
        lo_, hi_ = credible_interval(draws_, level=level)
        return {"table": table, "quantity": quantity, "setting": setting,
                "value": float(np.median(draws_)), "lower": lo_, "upper": hi_, **extra}

    def n_row(table, mix, setting="default", quantity="N", scale=1.0, **extra):
        return {"table": table, "quantity": quantity, "setting": setting, "value": scale * mix.quantile(0.5),
                "lower": scale * mix.quantile(lo_q), "upper": scale * mix.quantile(hi_q),
                "mcse_lower": scale * mix.mcse(lo_q), "mcse_upper": scale * mix.mcse(hi_q), **extra}

    tables = _posterior_rows(cond, lay, row, n_row, mixtures)
    for e, ev in enumerate(lay.events):
        tables[ev].append(n_row("prior sensitivity", mixtures[e], r_hat=float(worst["r_hat"]),
                                ess_bulk=float(worst["ess_bulk"])))
    # The refits continue the same random stream, one after another.
    for name, alt in settings.items():
        alt_engine = Engine(lay, alt, **opts)
        alt_cond = _run(alt_engine, draws=sensitivity_draws, tune=sensitivity_draws, chains=2, rng=rng)
        alt_worst = _worst(alt_cond)
        for e, mix in enumerate(_mixtures(alt_engine, alt_cond)):
            tables[lay.events[e]].append(n_row("prior sensitivity", mix, setting=name, r_hat=float(alt_worst["r_hat"]),
                                               ess_bulk=float(alt_worst["ess_bulk"])))
    # Identification: a separate stream, so that it leaves every other number as it is.
    id_rows = identification.rows(lay=lay, cond=cond, priors=priors, n_prior=_prior_mixtures(lay, opts),
                                  n_post=mixtures, level=level, rng=np.random.default_rng([int(random_seed), 20]),
                                  kappa_posterior=engine.kappa_dist)
    estimates = {}
    for e, ev in enumerate(lay.events):
        mix = mixtures[e]
        floor = float(lay.floor[e]) if lay.floor[e] > n_min else None
        sens = [r for r in tables[ev] if r["table"] == "prior sensitivity"]
        ends = {end: [r[end] for r in sens] for end in ("lower", "upper")} if len(sens) > 1 else None
        top = None if bounds[e] is None else min(n_max, bounds[e][1])
        diagnostics = _diagnostics(n_draws[..., e], cond, worst, cond["z"].shape[0], priors)
        diagnostics.update({"mcse_lower": mix.mcse(lo_q), "mcse_upper": mix.mcse(hi_q), "chains_run": cond["z"].shape[0],
                            # What plots.prior_posterior_of_n needs to draw N's prior beside its posterior.
                            "prior_of_N": {"event": ev, "n_min": float(n_min), "n_max": float(n_max),
                                           "population": bounds[e]}})
        if mc_error is not None and _worst_relative_mcse([mix], level) > mc_error:
            diagnostics.setdefault("warnings", []).append(
                f"Monte Carlo error of an interval end above {mc_error:.0%} of it after {cond['z'].shape[0]} chains "
                f"(lower ±{diagnostics['mcse_lower']:,.0f}, upper ±{diagnostics['mcse_upper']:,.0f}); raise max_chains or draws")
        est = Estimate(value=mix.quantile(0.5), lower=mix.quantile(lo_q), upper=mix.quantile(hi_q), level=level,
                       interval="credible", interval_method="equal-tailed (mixture of exact conditionals)",
                       method="multi_source", quantity=f"civilian deaths, {ev}", observed=floor,
                       diagnostics=diagnostics, idata=idata,
                       details=pd.DataFrame(tables[ev] + [r for r in id_rows if r["event"] == ev]).drop(columns="event"))
        who = identification.verdict(ends, upper=est.upper, population_top=top)
        est.diagnostics["decided_by"] = who
        est.diagnostics["identification"] = identification.statement(who=who, ends=ends, floor=floor,
                                                                 estimate_text=Estimate.__str__(est))
        estimates[ev] = est
    if len(estimates) == 1:
        return next(iter(estimates.values()))
    all_details = pd.concat([d.details.assign(event=ev) for ev, d in estimates.items()], ignore_index=True)
    return EstimateTable(by="event", estimates=estimates, method="multi_source", details=all_details)


def _prior_mixtures(lay: Layout, opts: dict[str, Any]) -> list:
    """N's prior per event (no data), on cells from ``n_min`` up, as mixtures."""
    from .engine import _cells, population_weight
    from .quantiles import ConditionalMixture

    out = []
    for bound in opts["population"]:
        top = opts["n_max"] if bound is None else min(opts["n_max"], bound[1])
        first, last, rep = _cells(opts["n_min"], opts["n_min"], top, opts["exact_until"], 1.01)
        mass = np.log((last + 1) / first) * population_weight(rep, opts["n_min"], bound)
        out.append(ConditionalMixture((mass / mass.sum())[None, None, :], first, last))
    return out
