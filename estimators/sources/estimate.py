"""`multi_source`: the engine's draws turned into estimates, details and diagnostics."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_level, check_seed
from .layout import Layout, table_layout
from .priors import DEFAULT_SENSITIVITY, Priors

if TYPE_CHECKING:
    from ..result import Estimate, EstimateTable

_SAMPLER = ("Metropolis-within-Gibbs on the kind hyperparameters (continuous); N, completeness, "
            "over-count and κ summed out exactly and drawn from their exact conditionals "
            "(no Hamiltonian sampler, so no divergences)")


def _run(lay: Layout, priors: Priors, *, n_min, n_max, draws, tune, chains, rng, engine_options) -> dict[str, Any]:
    from .engine import Engine

    engine = Engine(lay, priors, n_min=n_min, n_max=n_max, **engine_options)
    out = engine.sample(draws=draws, tune=tune, chains=chains, rng=rng)
    cond = engine.conditionals(out["z"], rng)
    cond["accept"] = out["accept"]
    cond["z"] = out["z"]
    return cond


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


def _settings(sensitivity: Mapping[str, Any] | bool, priors: Priors) -> dict[str, Priors]:
    """The alternative priors to refit under, by name."""
    if sensitivity is True:
        sensitivity = DEFAULT_SENSITIVITY
    settings: dict[str, Priors] = {}
    for name, spec in (sensitivity or {}).items():
        settings[name] = spec(priors) if callable(spec) else spec
        if not isinstance(settings[name], Priors):
            raise TypeError(f"sensitivity[{name!r}] must be Priors or a function returning Priors")
    return settings


def _posterior_rows(cond: dict[str, Any], lay: Layout, row) -> dict[str, list]:
    """Per event, the ``table == "posterior"`` rows of its details."""
    n_draws, p_draws = cond["N"], cond["completeness"]
    tables: dict[str, list] = {ev: [] for ev in lay.events}
    for e, ev in enumerate(lay.events):
        tables[ev].append(row("posterior", "N", n_draws[..., e]))
        ack = lay.table[(lay.table["event"] == ev) & (lay.table["kind"] == "acknowledged")]
        for fid, value, low in zip(ack["figure_id"], ack["value"], ack["low"]):
            fig = value if value == value else low
            if fig and fig > 0:
                tables[ev].append(row("posterior", f"N / acknowledged ({fid}: {fig:,.0f})", n_draws[..., e] / fig))
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
    priors: Priors | None = None,
    about_tolerance: float = 0.1,
    n_min: float = 1.0,
    n_max: float = 1e6,
    level: float = 0.95,
    draws: int = 1000,
    tune: int = 300,
    chains: int = 4,
    sensitivity: Mapping[str, Any] | bool = True,
    sensitivity_draws: int = 300,
    exact_until: int = 500,
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
        `Priors` (defaults stated there).
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
        ``name -> Priors`` (or function of the base priors) for your own; ``False``: none.
    sensitivity_draws
        Draws (and tuning steps) per chain of each sensitivity refit.
    exact_until
        N is summed integer by integer up to this value, in 1%-wide cells above.
    random_seed
        Integer; the same seed gives the same numbers.

    Returns
    -------
    Estimate (one event) or EstimateTable (``by="event"``)
        Per event: posterior median of N and its equal-tailed credible interval;
        ``observed`` is the floor the lower-bound sources force; ``diagnostics`` holds
        R-hat, bulk/tail ESS (N, and the worst over θ and every N), divergences (0: no
        Hamiltonian trajectories exist in this sampler) and acceptance rates; ``details``
        has one row per reported quantity (``table == "posterior"``: N, the under-count
        ratio N / acknowledged for each acknowledged figure, each source's and each kind's
        completeness, monitors' over-count shares, κ) and the prior-sensitivity rows
        (``table == "prior sensitivity"``: N under each prior setting); ``idata`` the
        draws as ArviZ InferenceData.
    """
    import pandas as pd

    from ..posterior import credible_interval, posterior_estimate
    from ..result import EstimateTable

    check_seed(random_seed)
    check_level(level)
    for name, x in (("draws", draws), ("chains", chains), ("sensitivity_draws", sensitivity_draws)):
        if int(x) < 1:
            raise ValueError(f"{name} must be at least 1, got {x}")
    priors = priors or Priors()
    settings = _settings(sensitivity, priors)
    lay = table_layout(counts, calibration=calibration, about_tolerance=about_tolerance, n_min=n_min)
    rng = np.random.default_rng(int(random_seed))
    opts = {"exact_until": exact_until}
    cond = _run(lay, priors, n_min=n_min, n_max=n_max, draws=draws, tune=tune, chains=chains, rng=rng,
                engine_options=opts)
    n_draws = cond["N"]
    worst = _worst(cond)
    idata = _idata(cond, lay)

    def row(table, quantity, draws_, setting="default", **extra):
        lo_, hi_ = credible_interval(draws_, level=level)
        return {"table": table, "quantity": quantity, "setting": setting,
                "value": float(np.median(draws_)), "lower": lo_, "upper": hi_, **extra}

    tables = _posterior_rows(cond, lay, row)
    for e, ev in enumerate(lay.events):
        tables[ev].append(row("prior sensitivity", "N", n_draws[..., e], setting="default",
                              r_hat=float(worst["r_hat"]), ess_bulk=float(worst["ess_bulk"])))
    # The refits continue the same random stream, one after another.
    for name, alt in settings.items():
        alt_cond = _run(lay, alt, n_min=n_min, n_max=n_max, draws=sensitivity_draws, tune=sensitivity_draws,
                        chains=2, rng=rng, engine_options=opts)
        alt_worst = _worst(alt_cond)
        for e, ev in enumerate(lay.events):
            tables[ev].append(row("prior sensitivity", "N", alt_cond["N"][..., e], setting=name,
                                  r_hat=float(alt_worst["r_hat"]), ess_bulk=float(alt_worst["ess_bulk"])))

    estimates = {}
    for e, ev in enumerate(lay.events):
        estimates[ev] = posterior_estimate(
            n_draws[..., e], level=level, method="multi_source",
            quantity=f"civilian deaths, {ev}", observed=float(lay.floor[e]) if lay.floor[e] > n_min else None,
            diagnostics=_diagnostics(n_draws[..., e], cond, worst, chains, priors),
            details=pd.DataFrame(tables[ev]), idata=idata,
        )
    if len(estimates) == 1:
        return next(iter(estimates.values()))
    all_details = pd.concat([d.details.assign(event=ev) for ev, d in estimates.items()], ignore_index=True)
    return EstimateTable(by="event", estimates=estimates, method="multi_source", details=all_details)
