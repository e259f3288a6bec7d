"""Partial aggregate counts: acknowledged, named and monitor totals combined into a toll.

A user has a handful of published totals for an event — what the belligerent
acknowledged, how many victims are named, what monitors counted — and wants the true
number of deaths with an honest interval. `multi_source` fits one Bayesian model to every
event in the table at once; `build_model` returns the same model in PyMC (with N relaxed
to a real number) to inspect, change and sample with one's own settings.

The model (one event e, sources s of kind k(s))
-----------------------------------------------
- **True deaths.** ``N_e`` is a whole number with the log-uniform prior
  ``P(N = n) ∝ log((n + 1) / n)`` on ``[n_min, n_max]`` (no preferred scale).
- **Completeness, hierarchical by kind.** Each source's completeness is
  ``p_s ~ Beta(m_k φ_k, (1 - m_k) φ_k)``, with the kind's mean ``m_k ~ Beta`` (a stated
  prior per kind, `Priors`) and its concentration ``φ_k ~ LogNormal``; the same ``m_k``
  and ``φ_k`` serve every event, so events with more evidence inform the others.
- **Lower-bound sources** (``acknowledged``, ``named``, ``field sample``) count true
  deaths only: ``y_s ~ Binomial(N_e, p_s)``, so ``N_e >= y_s``.
- **Monitors** (``monitor count``, ``monitor range``) can also over-count (deaths not
  civilian, or not caused by this belligerent): a share ``o_s ~ Beta(1, 9)`` (prior
  mean 10%) of a monitor's count is spurious, and ``y_s ~ Poisson(N_e p_s / (1 - o_s))``
  — the detected true deaths (Poisson approximation of Binomial(N_e, p_s)) plus spurious
  ones at ``o_s / (1 - o_s)`` per detected death.
- **Acknowledgement and its calibration.** The belligerent's completeness is
  ``κ · q_s``: ``q_s`` (Beta, hierarchical as above) is the share of the event's deaths in
  incidents it accepts as credible, and ``κ`` the share of the deaths in those incidents it
  concedes. ``κ ~ Beta(1, 1)`` is learnt from calibration data such as "The Credibles":
  on 344 incidents the coalition found credible it conceded 1,410 deaths where local
  reports gave 2,024 — ``1410 ~ Binomial(2024, κ)`` (the reports are taken as the truth on
  those incidents). Without calibration data ``κ = 1``.
- **Qualifiers** are censoring: "at least y" is ``Y >= y``, "more than y" is ``Y >= y+1``,
  "up to y" is ``Y <= y``, "about y" is ``y(1-t) <= Y <= y(1+t)`` (``t =
  about_tolerance``, default 10%: a noisy value), a range is ``low <= Y <= high``: a
  censored source's likelihood is the probability of that interval under its count
  distribution. "More than 1,600" is read as a lower bound only; if it really means
  1,600–1,699 (rounding down), it also carries an upper end the model does not use.
- **Disagreeing versions.** Several figures for one source (the coalition's 159, 180
  and 318 for Raqqa) are versions of one figure:
  the likelihood is their equal-weight mixture — one of them is right, we do not know
  which. Rows are versions when they share event, kind and ``label`` (by default the
  ``source`` column, i.e. the producer); give rows distinct labels to make them separate
  sources.

What the interval means: the equal-tailed 95% credible interval of ``N_e`` holds 95% of
the posterior probability *under these priors*. With only lower bounds of unknown
completeness the data cannot pin N down by themselves; the completeness priors do much of
the work, which is why every result carries a prior-sensitivity table.

Computation (`multi_source`): exact marginalisation. Given the kind hyperparameters θ =
(m_k, φ_k), N is summed integer by integer up to ``exact_until`` (500) and in 1%-wide
cells above (the prior mass of each cell is exact; its likelihood is evaluated at the
cell's centre — `grid_error` measures the effect against the sum over every integer),
each completeness on a 110-point logit grid, each over-count share on a 40-point grid and
κ over equal-mass strata of its calibration posterior. Only θ (continuous, two numbers per
kind) is sampled, by Metropolis-within-Gibbs; given each θ draw, N and the completeness
are drawn exactly from their conditionals. No discrete parameter is ever sampled by
Metropolis. Coverage on data from this generative process: ``benchmarks/multi_source.py``.

`build_model` writes the same model in PyMC with N continuous (``log N`` uniform;
binomial likelihoods through ``lgamma``; for censored lower-bound counts it uses the
Poisson probability of the interval) and the completeness as explicit parameters, for
NUTS; that relaxation's error has not been measured against the exact computation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from ._checks import check_level, check_seed

if TYPE_CHECKING:
    import pandas as pd
    import pymc as pm

    from .result import Estimate, EstimateTable

__all__ = ["Priors", "multi_source", "build_model", "grid_error", "calibration_counts", "DEFAULT_SENSITIVITY"]

_BIG = 1e15  # "no upper end" for a censored count


@dataclass(frozen=True)
class Priors:
    """Stated priors of the multi-source model (all overridable).

    completeness_mean
        Prior mean of each kind's mean completeness ``m_k``; for ``acknowledged`` this is
        the share of deaths in incidents the belligerent accepts (before ``κ``).
    completeness_strength
        ``m_k ~ Beta(mean * strength, (1 - mean) * strength)``; 4 is weak (Beta(1, 3) for
        a mean of 0.25).
    concentration_median, concentration_sd
        ``φ_k ~ LogNormal(log(median), sd)``: how alike sources of one kind are across
        events (φ = 10 with m = 0.5 gives a between-source sd of 0.15).
    overcount
        ``o_s ~ Beta(*overcount)``: the spurious share of a monitor's count.
    conceded
        ``κ ~ Beta(*conceded)`` before the calibration data.
    """

    completeness_mean: Mapping[str, float] = field(default_factory=lambda: {
        "acknowledged": 0.25,
        "named": 0.5,
        "field sample": 0.5,
        "monitor count": 0.75,
        "monitor range": 0.75,
    })
    completeness_strength: float = 4.0
    concentration_median: float = 10.0
    concentration_sd: float = 0.75
    overcount: tuple[float, float] = (1.0, 9.0)
    conceded: tuple[float, float] = (1.0, 1.0)

    def __post_init__(self) -> None:
        for kind, mean in self.completeness_mean.items():
            if not 0 < mean < 1:
                raise ValueError(f"completeness_mean[{kind!r}] must be in (0, 1), got {mean}")
        for name in ("completeness_strength", "concentration_median", "concentration_sd"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("overcount", "conceded"):
            a, b = getattr(self, name)
            if not (a > 0 and b > 0):
                raise ValueError(f"{name} must be two positive Beta parameters, got {(a, b)}")

    def shifted(self, logit: float) -> Priors:
        """Every kind's prior mean completeness moved by ``logit`` on the logit scale."""
        def move(m: float) -> float:
            return 1 / (1 + math.exp(-(math.log(m / (1 - m)) + logit)))

        return replace(self, completeness_mean={k: move(m) for k, m in self.completeness_mean.items()})

    def describe(self) -> str:
        means = ", ".join(f"{k} {m:.2g}" for k, m in self.completeness_mean.items())
        return (f"completeness means {means} (strength {self.completeness_strength:g}); "
                f"concentration median {self.concentration_median:g}; "
                f"over-count Beta{tuple(self.overcount)}; conceded Beta{tuple(self.conceded)}")


#: The prior-sensitivity settings every fit reports (name -> function of the base priors).
DEFAULT_SENSITIVITY = {
    "sources less complete (logit -1)": lambda p: p.shifted(-1.0),
    "sources more complete (logit +1)": lambda p: p.shifted(+1.0),
    "sources less alike (concentration 3)": lambda p: replace(p, concentration_median=3.0),
}


# -- the data, as arrays ------------------------------------------------------------------

@dataclass
class _Layout:
    """The validated table turned into the index arrays the model is built from."""

    table: Any
    events: list[str]
    kinds: list[str]
    sources: list[tuple[str, str]]  # (event, "label (kind)")
    source_kind: np.ndarray
    source_event: np.ndarray
    monitor_sources: list[int]  # source index of each monitor
    row_source: np.ndarray
    row_event: np.ndarray
    row_point: np.ndarray  # 1: an exact count y
    row_y: np.ndarray
    row_lo: np.ndarray  # censored interval (lo >= 1 means a lower end)
    row_hi: np.ndarray  # _BIG: no upper end
    row_kind: np.ndarray  # 0 lower bound (binomial), 1 marginal beta-binomial, 2 monitor
    row_ack: np.ndarray
    row_monitor_idx: np.ndarray
    version_index: np.ndarray  # (source, max versions) row indices, -1 padded
    floor: np.ndarray  # per event: the least N the lower-bound sources allow
    calibration: tuple[int, int] | None


def calibration_counts(calibration: Any) -> tuple[int, int] | None:
    """``(conceded, reported)`` on the same incidents, from a pair or from two rows.

    Rows (e.g. ``figures.query("event == 'coalition-credible-incidents' and unit ==
    'deaths'")``) must hold one ``acknowledged`` and one ``monitor count`` figure.
    """
    if calibration is None:
        return None
    import pandas as pd

    if isinstance(calibration, pd.DataFrame):
        kinds = calibration["kind"].tolist()
        if sorted(kinds) != ["acknowledged", "monitor count"]:
            raise ValueError("calibration rows must be one 'acknowledged' and one 'monitor count' figure "
                             f"for the same incidents; got kinds {kinds}")
        if calibration["event"].nunique() != 1:
            raise ValueError("calibration rows must concern the same incidents (one event)")
        by = dict(zip(calibration["kind"], calibration["value"]))
        conceded, reported = by["acknowledged"], by["monitor count"]
    else:
        try:
            conceded, reported = calibration
        except (TypeError, ValueError):
            raise TypeError("calibration must be (conceded, reported) or a DataFrame of two rows") from None
    for name, x in (("conceded", conceded), ("reported", reported)):
        if x is None or x != x or x < 0 or float(x) % 1:
            raise ValueError(f"calibration {name} must be a non-negative whole number, got {x!r}")
    if conceded > reported:
        raise ValueError(f"calibration: conceded ({conceded:g}) exceeds reported ({reported:g}) on the same incidents")
    if reported == 0:
        raise ValueError("calibration: reported deaths must be positive")
    return int(conceded), int(reported)


def _layout(counts: Any, *, calibration: Any, about_tolerance: float, n_min: float) -> _Layout:
    from .data import LOWER_BOUND_KINDS, MONITOR_KINDS, read_source_counts

    if not 0 <= about_tolerance < 1:
        raise ValueError(f"about_tolerance must be in [0, 1), got {about_tolerance}")
    table = read_source_counts(counts)
    if len(table) == 0:
        raise ValueError("no rows: multi_source needs at least one count")
    events = list(dict.fromkeys(table["event"]))
    kinds = list(dict.fromkeys(table["kind"]))
    keys = [(ev, f"{label} ({kind})") for ev, label, kind in zip(table["event"], table["label"], table["kind"])]
    sources = list(dict.fromkeys(keys))
    s_index = {s: i for i, s in enumerate(sources)}
    source_kind = np.zeros(len(sources), dtype=int)
    for key, kind in zip(keys, table["kind"]):
        source_kind[s_index[key]] = kinds.index(kind)
    source_event = np.array([events.index(ev) for ev, _ in sources])
    monitor_sources = [i for i, _ in enumerate(sources) if kinds[source_kind[i]] in MONITOR_KINDS]

    n = len(table)
    row_source = np.array([s_index[k] for k in keys])
    row_event = source_event[row_source]
    row_point = np.zeros(n, dtype=int)
    row_y = np.zeros(n)
    row_lo = np.ones(n)
    row_hi = np.ones(n)
    for r, row in enumerate(table.itertuples(index=False)):
        q, v = row.qualifier, row.value
        if v == v:  # a single value
            if q == "exact":
                row_point[r], row_y[r] = 1, v
                continue
            lo, hi = {"at least": (v, _BIG), "more than": (v + 1, _BIG), "up to": (0.0, v),
                      "about": (math.floor(v * (1 - about_tolerance)), math.ceil(v * (1 + about_tolerance)))}[q]
        else:
            lo, hi = row.low, row.high
            if q == "about":
                lo, hi = math.floor(lo * (1 - about_tolerance)), math.ceil(hi * (1 + about_tolerance))
            elif q in ("at least", "more than"):
                lo, hi = lo + (q == "more than"), _BIG
            elif q == "up to":
                lo = 0.0
        row_lo[r], row_hi[r] = lo, hi
    # A source's versions: its rows.
    by_source: dict[int, list[int]] = {}
    for r, s in enumerate(row_source):
        by_source.setdefault(int(s), []).append(r)
    width = max(len(v) for v in by_source.values())
    version_index = -np.ones((len(sources), width), dtype=int)
    for s, rows in by_source.items():
        version_index[s, : len(rows)] = rows
    # Row likelihood families: monitors (Poisson); named/field sample with one exact version
    # (beta-binomial, p integrated out); everything else binomial/Poisson with explicit p.
    row_kind = np.zeros(n, dtype=int)
    row_ack = np.zeros(n, dtype=int)
    row_monitor_idx = np.zeros(n, dtype=int)
    for r in range(n):
        s = row_source[r]
        kind = kinds[source_kind[s]]
        if kind in MONITOR_KINDS:
            row_kind[r], row_monitor_idx[r] = 2, monitor_sources.index(s)
        elif kind != "acknowledged" and len(by_source[s]) == 1 and row_point[r]:
            row_kind[r] = 1
        row_ack[r] = kind == "acknowledged"
    # Floor of N per event: every lower-bound source must be possible.
    floor = np.full(len(events), float(n_min))
    for s, rows in by_source.items():
        if kinds[source_kind[s]] in LOWER_BOUND_KINDS:
            least = min(row_y[r] if row_point[r] else row_lo[r] for r in rows)
            floor[source_event[s]] = max(floor[source_event[s]], least)
    return _Layout(table, events, kinds, sources, source_kind, source_event, monitor_sources,
                   row_source, row_event, row_point, row_y, row_lo, row_hi, row_kind, row_ack,
                   row_monitor_idx, version_index, floor, calibration_counts(calibration))


# -- the model ----------------------------------------------------------------------------

def _row_loglik(pt, *, n, pi, y, lo, hi, point, kind, monitor_factor):
    """Log-likelihood of each row (vectorised; every branch is kept finite for gradients).

    ``n``: N of the row's event; ``pi``: the source's completeness (binomial and Poisson
    rows); for beta-binomial rows ``pi`` is a pair ``(a, b)``.
    """
    a, b, p = pi
    n_safe = pt.maximum(n, y)
    log_choose = pt.gammaln(n_safe + 1) - pt.gammaln(y + 1) - pt.gammaln(n_safe - y + 1)
    ll_binom = log_choose + y * pt.log(p) + (n_safe - y) * pt.log1p(-p)

    def betaln(u, v):
        return pt.gammaln(u) + pt.gammaln(v) - pt.gammaln(u + v)

    ll_bb = log_choose + betaln(y + a, n_safe - y + b) - betaln(a, b)
    mu = n * p * monitor_factor
    ll_pois = y * pt.log(mu) - mu - pt.gammaln(y + 1)
    has_lo = lo >= 1
    has_hi = hi < _BIG
    lo_safe = pt.switch(has_lo, lo, 1.0)
    hi_safe = pt.switch(has_hi, hi, 1.0)
    p_ge = pt.gammainc(lo_safe, mu)  # P(Y >= lo)
    p_le = pt.gammaincc(hi_safe + 1, mu)  # P(Y <= hi)
    # P(lo <= Y <= hi), computed from the tail that keeps precision.
    upper_side = mu > (lo_safe + hi_safe) / 2
    between = pt.switch(upper_side, p_ge - pt.gammainc(hi_safe + 1, mu), p_le - pt.gammaincc(lo_safe, mu))
    prob = pt.switch(has_lo & has_hi, between, pt.switch(has_lo, p_ge, p_le))
    ll_cens = pt.log(pt.maximum(prob, 1e-300))
    ll_point = pt.switch(pt.eq(kind, 2), ll_pois, pt.switch(pt.eq(kind, 1), ll_bb, ll_binom))
    # A lower-bound source cannot have counted more than N.
    point = np.asarray(point, dtype=bool)
    impossible = pt.and_(pt.neq(kind, 2), pt.or_(pt.and_(point, n < y), pt.and_(~point, n < lo)))
    return pt.switch(impossible, -np.inf, pt.switch(point, ll_point, ll_cens))


def build_model(
    counts: Any,
    *,
    calibration: Any = None,
    priors: Priors | None = None,
    about_tolerance: float = 0.1,
    n_min: float = 1.0,
    n_max: float = 1e6,
) -> pm.Model:
    """The PyMC model `multi_source` samples (see the module docstring for the model).

    Parameters
    ----------
    counts
        Rows of (event, source) counts: a selection of `estimators.load_published_figures`
        or any table `estimators.data.read_source_counts` accepts.
    calibration
        ``(conceded, reported)`` deaths on incidents the belligerent accepted, or the two
        rows giving them; informs ``κ``. ``None``: ``κ = 1``.
    priors
        `Priors`; the defaults are stated there.
    about_tolerance
        Relative half-width of an "about" figure.
    n_min, n_max
        Support of the log-uniform prior of each event's N.

    Named variables: ``log_N``/``N`` (dims ``event``), ``completeness_mean`` and
    ``concentration`` (dims ``kind``), ``completeness`` (dims ``source``; for a named or
    field-sample source with one exact figure the likelihood integrates it out as a
    beta-binomial, so this variable stays at its prior — draw it from
    ``Beta(a + y, b + N - y)`` afterwards), ``overcount`` (dims ``monitor``),
    ``conceded_share``. Sample with ``pm.sample(..., nuts_sampler="pymc")``; N is continuous
    here (see the module docstring).
    """
    lay = _layout(counts, calibration=calibration, about_tolerance=about_tolerance, n_min=n_min)
    return _build(lay, priors or Priors(), n_max=n_max)


def _build(lay: _Layout, priors: Priors, *, n_max: float):
    import pymc as pm
    import pytensor.tensor as pt

    if np.any(lay.floor >= n_max):
        bad = lay.events[int(np.argmax(lay.floor >= n_max))]
        raise ValueError(f"event {bad!r}: the counts need N >= {lay.floor.max():,.0f}, above n_max={n_max:g}")
    missing = [k for k in lay.kinds if k not in priors.completeness_mean]
    if missing:
        raise ValueError(f"priors.completeness_mean has no entry for kinds {missing}")
    coords = {
        "event": lay.events,
        "kind": lay.kinds,
        "source": [f"{e}: {s}" for e, s in lay.sources],
        "monitor": [f"{lay.sources[i][0]}: {lay.sources[i][1]}" for i in lay.monitor_sources],
        "row": list(lay.table["figure_id"]),
    }
    mean0 = np.array([priors.completeness_mean[k] for k in lay.kinds])
    with pm.Model(coords=coords) as model:
        floor = pm.Data("floor", lay.floor, dims="event")
        y = pm.Data("y", lay.row_y, dims="row")
        lo = pm.Data("lo", lay.row_lo, dims="row")
        hi = pm.Data("hi", lay.row_hi, dims="row")
        init_n = np.minimum(np.maximum(lay.floor * 2.0, np.e), n_max / 2)
        log_n = pm.Uniform("log_N", lower=pt.log(floor), upper=math.log(n_max), dims="event",
                           initval=np.log(init_n))
        n = pm.Deterministic("N", pt.exp(log_n), dims="event")
        m = pm.Beta("completeness_mean", alpha=mean0 * priors.completeness_strength,
                    beta=(1 - mean0) * priors.completeness_strength, dims="kind")
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
            conceded, reported = lay.calibration
            pm.Binomial("calibration_conceded", n=reported, p=kappa, observed=conceded)
            p_row = p[lay.row_source] * pt.switch(pt.eq(lay.row_ack, 1), kappa, 1.0)
        else:
            p_row = p[lay.row_source]
        a_row = a_k[lay.source_kind[lay.row_source]]
        b_row = b_k[lay.source_kind[lay.row_source]]
        ll = _row_loglik(pt, n=n[lay.row_event], pi=(a_row, b_row, p_row), y=y, lo=lo, hi=hi,
                         point=lay.row_point, kind=lay.row_kind, monitor_factor=factor)
        padded = pt.switch(lay.version_index >= 0, ll[np.maximum(lay.version_index, 0)], -np.inf)
        n_versions = (lay.version_index >= 0).sum(axis=1)
        per_source = pm.math.logsumexp(padded, axis=1).ravel() - np.log(n_versions)
        pm.Potential("counts", per_source.sum())
    model._estimators_layout = lay  # what multi_source reads back
    return model


# -- exact marginalisation: the engine multi_source runs ----------------------------------

def _cells(floor: float, n_min: float, n_max: float, exact_until: int, ratio: float):
    """Cells of whole N: one per integer up to ``exact_until``, then geometric (width
    ``ratio - 1`` relative). Returns (first, last, representative) integer arrays.

    The log-uniform prior's mass on the integers ``first..last`` is exactly
    ``log((last + 1) / first)``; within a cell the likelihood is evaluated at the
    representative (the integer nearest the cell's geometric centre) — the only
    approximation, and none for N up to ``exact_until``.
    """
    start = int(max(math.ceil(floor), math.ceil(n_min), 1))
    top = int(math.floor(n_max))
    if start > top:
        raise ValueError(f"the counts need N >= {start:,}, above n_max={n_max:g}")
    first = list(range(start, min(exact_until, top) + 1))
    last = list(first)
    lo = (last[-1] + 1) if last else start
    while lo <= top:
        hi = min(max(lo, int(round(lo * ratio)) - 1), top)
        first.append(lo)
        last.append(hi)
        lo = hi + 1
    first, last = np.array(first, dtype=float), np.array(last, dtype=float)
    rep = np.where(last > first, np.round(np.sqrt(first * (last + 1))), first)
    rep = np.clip(rep, first, last)
    return first, last, rep


def _lse(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(sum(exp(x))) along ``axis`` (fast; -inf where every term is -inf)."""
    mx = np.max(x, axis=axis, keepdims=True)
    safe = np.where(np.isfinite(mx), mx, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - safe), axis=axis, keepdims=True)) + safe
    return np.squeeze(out, axis=axis)


def _choice(rng, logw: np.ndarray) -> int:
    """One index drawn with probabilities proportional to exp(logw)."""
    w = np.exp(logw - np.max(logw))
    cdf = np.cumsum(w)
    return int(min(np.searchsorted(cdf, rng.uniform() * cdf[-1], side="right"), len(w) - 1))


class _Engine:
    """The model with N and every completeness integrated out exactly (on grids).

    Per source s, ``L_s[j, g, c]`` is the probability of its figure(s) when N is cell c's
    value, its completeness is grid point ``p_g`` and (for acknowledged figures) the
    conceded share is ``κ_j``; monitors' over-count share is integrated out on its own
    grid. The hyperparameters θ (each kind's mean completeness and concentration) are the
    only sampled quantities; given θ, N and each completeness are drawn exactly.
    """

    def __init__(self, lay: _Layout, priors: Priors, *, n_min: float, n_max: float,
                 exact_until: int = 500, ratio: float = 1.01, grid: int = 110, kappa_strata: int = 3):
        from scipy import special as sp
        from scipy import stats

        self.lay, self.priors = lay, priors
        missing = [k for k in lay.kinds if k not in priors.completeness_mean]
        if missing:
            raise ValueError(f"priors.completeness_mean has no entry for kinds {missing}")
        self.logit = np.linspace(-12.0, 9.0, grid)
        self.p = sp.expit(self.logit)
        self.log_p, self.log_q = np.log(self.p), np.log1p(-self.p)
        # Over-count share: a logit grid with the (fixed) prior's weights, tails included.
        o_logit = np.linspace(-9.0, 4.0, 40)
        self.o_grid = sp.expit(o_logit)
        lw = priors.overcount[0] * np.log(self.o_grid) + priors.overcount[1] * np.log1p(-self.o_grid)
        self.o_weights = np.exp(lw - lw.max()) / np.exp(lw - lw.max()).sum()
        # Conceded share κ: equal-mass strata of its calibration posterior.
        if lay.calibration is not None:
            c, rep = lay.calibration
            self.kappa_dist = stats.beta(priors.conceded[0] + c, priors.conceded[1] + rep - c)
            self.kappa = self.kappa_dist.ppf((np.arange(kappa_strata) + 0.5) / kappa_strata)
        else:
            self.kappa_dist, self.kappa = None, np.array([1.0])
        self.cells = [_cells(lay.floor[e], n_min, n_max, exact_until, ratio) for e in range(len(lay.events))]
        self.log_prior_cell = []
        for first, last, _ in self.cells:
            mass = np.log((last + 1) / first)
            self.log_prior_cell.append(np.log(mass) - np.log(mass.sum()))
        self.L = []
        for s in range(len(lay.sources)):
            rows = lay.version_index[s][lay.version_index[s] >= 0]
            n = self.cells[lay.source_event[s]][2]
            is_ack = bool(lay.row_ack[rows[0]]) and lay.calibration is not None
            kappas = self.kappa if is_ack else np.array([1.0])
            mats = np.stack([np.mean([self._row_matrix(r, n, k) for r in rows], axis=0) for k in kappas])
            self.L.append(mats)
        self._event_sources = [np.flatnonzero(lay.source_event == e) for e in range(len(lay.events))]
        self._flat = [np.ascontiguousarray(mat.transpose(1, 0, 2).reshape(mat.shape[1], -1)) for mat in self.L]

    def _row_matrix(self, r: int, n: np.ndarray, kappa: float) -> np.ndarray:
        """P(row r | N = n_c, completeness p_g) on the (grid, cell) lattice."""
        from scipy import special as sp
        from scipy import stats

        lay = self.lay
        y, lo, hi, point = lay.row_y[r], lay.row_lo[r], lay.row_hi[r], bool(lay.row_point[r])
        nn = n[None, :]
        if lay.row_kind[r] == 2:  # monitor: Poisson, over-count integrated out
            out = np.zeros((len(self.p), len(n)))
            for o, wo in zip(self.o_grid, self.o_weights):
                if wo < 1e-12:
                    continue
                mu = self.p[:, None] * nn / (1 - o)
                if point:
                    out += wo * np.exp(stats.poisson.logpmf(y, mu))
                elif lo >= 1 and hi < _BIG:
                    out += wo * np.clip(sp.pdtr(hi, mu) - sp.pdtr(lo - 1, mu), 0, 1)
                elif lo >= 1:
                    out += wo * sp.pdtrc(lo - 1, mu)
                else:
                    out += wo * sp.pdtr(hi, mu)
            return out
        p = (self.p * kappa)[:, None]
        if point:
            return np.exp(stats.binom.logpmf(y, nn, p))
        if lo >= 1 and hi < _BIG:
            return np.clip(stats.binom.cdf(hi, nn, p) - stats.binom.cdf(lo - 1, nn, p), 0, 1)
        if lo >= 1:
            return stats.binom.sf(lo - 1, nn, p)
        return stats.binom.cdf(hi, nn, p)

    # θ on the unconstrained scale: per kind (logit m_k, log φ_k).
    @property
    def dim(self) -> int:
        return 2 * len(self.lay.kinds)

    def theta(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = np.asarray(z).reshape(-1, len(self.lay.kinds), 2)
        return 1 / (1 + np.exp(-z[..., 0])), np.exp(z[..., 1])

    def log_prior(self, z: np.ndarray) -> float:
        m, phi = self.theta(z)
        m, phi = m[0], phi[0]
        pr = self.priors
        mean0 = np.array([pr.completeness_mean[k] for k in self.lay.kinds])
        a0, b0 = mean0 * pr.completeness_strength, (1 - mean0) * pr.completeness_strength
        lp = np.sum(a0 * np.log(m) + b0 * np.log1p(-m))  # Beta density x Jacobian of logit
        lp += np.sum(-0.5 * ((np.log(phi) - math.log(pr.concentration_median)) / pr.concentration_sd) ** 2)
        return float(lp)

    def draw_prior(self, rng) -> np.ndarray:
        pr = self.priors
        z = []
        for k in self.lay.kinds:
            mean0 = pr.completeness_mean[k]
            m = rng.beta(mean0 * pr.completeness_strength, (1 - mean0) * pr.completeness_strength)
            m = min(max(m, 1e-6), 1 - 1e-6)
            z += [math.log(m / (1 - m)), rng.normal(math.log(pr.concentration_median), pr.concentration_sd)]
        return np.array(z)

    def _weights(self, m: float, phi: float) -> np.ndarray:
        lw = m * phi * self.log_p + (1 - m) * phi * self.log_q
        w = np.exp(lw - lw.max())
        return w / w.sum()

    def _source_vectors(self, z: np.ndarray):
        """v[s][j] = P(source s's figures | N = cell c, θ) for each κ stratum j."""
        m, phi = self.theta(z)
        w = [self._weights(m[0, k], phi[0, k]) for k in range(len(self.lay.kinds))]
        out = []
        for s, mat in enumerate(self.L):  # mat: (J, G, C) stored as G x (J*C)
            J, G, C = mat.shape
            flat = self._flat[s]
            out.append((w[self.lay.source_kind[s]] @ flat).reshape(J, C))
        return out

    def _event_logpost_all(self, v, e: int, logs: list | None = None) -> np.ndarray:
        """log P(N in cell c, figures of event e | θ, κ_j): array (J, cells)."""
        out = np.broadcast_to(self.log_prior_cell[e], (len(self.kappa), len(self.log_prior_cell[e]))).copy()
        with np.errstate(divide="ignore"):
            for s in self._event_sources[e]:
                out += logs[s] if logs is not None else np.log(v[s])  # (1, C) or (J, C)
        return out

    def _event_logpost(self, v, e: int, j: int) -> np.ndarray:
        return self._event_logpost_all(v, e)[j]

    def _per_j(self, v) -> np.ndarray:
        return sum(_lse(self._event_logpost_all(v, e), axis=1) for e in range(len(self.lay.events)))

    def loglik(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        """log p(all figures | θ) and the per-κ-stratum terms."""
        per_j = self._per_j(self._source_vectors(z))
        if not np.any(np.isfinite(per_j)):
            return -np.inf, per_j
        return float(_lse(per_j) - math.log(len(per_j))), per_j

    def _kind_vectors(self, k: int, m: float, phi: float, logs: list) -> list:
        """Copy of ``logs`` (log source vectors) with the sources of kind ``k`` recomputed."""
        w = self._weights(m, phi)
        logs = list(logs)
        with np.errstate(divide="ignore"):
            for s in np.flatnonzero(self.lay.source_kind == k):
                J, _, C = self.L[s].shape
                logs[s] = np.log((w @ self._flat[s]).reshape(J, C))
        return logs

    def _loglik_v(self, logs) -> float:
        per_j = sum(_lse(self._event_logpost_all(None, e, logs), axis=1) for e in range(len(self.lay.events)))
        if not np.any(np.isfinite(per_j)):
            return -np.inf
        return float(_lse(per_j) - math.log(len(per_j)))

    def _block_log_prior(self, k: int, zk: np.ndarray) -> float:
        pr = self.priors
        mean0 = pr.completeness_mean[self.lay.kinds[k]]
        a0, b0 = mean0 * pr.completeness_strength, (1 - mean0) * pr.completeness_strength
        m = 1 / (1 + math.exp(-zk[0]))
        return (a0 * math.log(m) + b0 * math.log1p(-m)
                - 0.5 * ((zk[1] - math.log(pr.concentration_median)) / pr.concentration_sd) ** 2)

    def sample(self, *, draws: int, tune: int, chains: int, rng) -> dict[str, Any]:
        """Metropolis-within-Gibbs on θ (continuous), one block (m_k, φ_k) per kind, chains
        run one after another. Each sweep updates every block twice: an adaptive 2-D random
        walk (Haario et al. 2001, adapted during tuning only) and an independence proposal
        from the block's prior (accepted on the likelihood ratio), which mixes fast when —
        as here — the data say little about a kind's hyperparameters. Only the sources of
        the updated kind are recomputed. Returns z (chain, draw, dim) and acceptance rates."""
        K = len(self.lay.kinds)
        zs = np.zeros((chains, draws, 2 * K))
        accept = np.zeros(chains)
        for c in range(chains):
            for _ in range(100):
                z = self.draw_prior(rng)
                with np.errstate(divide="ignore"):
                    v = [np.log(x) for x in self._source_vectors(z)]
                ll = self._loglik_v(v)
                if np.isfinite(ll):
                    break
            else:
                raise RuntimeError("no starting point with a finite likelihood; check the counts")
            covs = [np.eye(2) * 0.3 for _ in range(K)]
            history: list[list[np.ndarray]] = [[] for _ in range(K)]
            n_acc = n_prop = 0
            for it in range(tune + draws):
                for k in range(K):
                    zk = z[2 * k: 2 * k + 2]
                    for move in ("walk", "prior"):
                        if move == "walk":
                            prop = zk + rng.multivariate_normal(np.zeros(2), covs[k])
                            log_ratio_prior = self._block_log_prior(k, prop) - self._block_log_prior(k, zk)
                        else:
                            prop = self.draw_prior(rng)[2 * k: 2 * k + 2]
                            log_ratio_prior = 0.0
                        m, phi = 1 / (1 + math.exp(-prop[0])), math.exp(prop[1])
                        if not (1e-12 < m < 1 - 1e-12 and 1e-6 < phi < 1e6):
                            continue
                        v_new = self._kind_vectors(k, m, phi, v)
                        ll_new = self._loglik_v(v_new)
                        n_prop += it >= tune
                        if math.log(rng.uniform()) < ll_new - ll + log_ratio_prior:
                            z = z.copy()
                            z[2 * k: 2 * k + 2] = prop
                            zk, v, ll = prop, v_new, ll_new
                            n_acc += it >= tune
                    if it < tune:
                        history[k].append(zk.copy())
                        if it >= 99 and it % 50 == 49:
                            emp = np.cov(np.array(history[k][len(history[k]) // 2:]).T)
                            covs[k] = (2.38**2 / 2) * (emp + 1e-6 * np.eye(2))
                if it >= tune:
                    zs[c, it - tune] = z
            accept[c] = n_acc / max(n_prop, 1)
        return {"z": zs, "accept": accept}

    def conditionals(self, zs: np.ndarray, rng) -> dict[str, np.ndarray]:
        """Given each θ draw: κ stratum, N per event, completeness per source, over-count
        share per monitor — all drawn exactly from their conditional distributions."""
        lay = self.lay
        chains, draws, _ = zs.shape
        n_out = np.zeros((chains, draws, len(lay.events)))
        p_out = np.zeros((chains, draws, len(lay.sources)))
        o_out = np.zeros((chains, draws, len(lay.monitor_sources)))
        k_out = np.ones((chains, draws))
        m_out, phi_out = self.theta(zs.reshape(-1, self.dim))
        step = self.logit[1] - self.logit[0]
        J = len(self.kappa)
        for c in range(chains):
            last_z = None
            for t in range(draws):
                z = zs[c, t]
                if last_z is None or not np.array_equal(z, last_z):  # rejected moves repeat θ
                    v = self._source_vectors(z)
                    m, phi = self.theta(z)
                    terms = [self._event_logpost_all(v, e) for e in range(len(lay.events))]
                    per_j = sum(_lse(tm, axis=1) for tm in terms)
                    last_z = z
                j = _choice(rng, per_j)
                if self.kappa_dist is not None:
                    k_out[c, t] = self.kappa_dist.ppf((j + rng.uniform()) / J)
                for e in range(len(lay.events)):
                    cell = _choice(rng, terms[e][j])
                    first, last, rep = self.cells[e]
                    # Within a cell, N follows the prior (log-uniform): exact for unit cells.
                    n_draw = math.floor(math.exp(rng.uniform(math.log(first[cell]), math.log(last[cell] + 1))))
                    n_out[c, t, e] = min(max(n_draw, first[cell]), last[cell])
                    for s in np.flatnonzero(lay.source_event == e):
                        k = lay.source_kind[s]
                        w = self._weights(m[0, k], phi[0, k])
                        post = w * self.L[s][min(j, self.L[s].shape[0] - 1)][:, cell]
                        with np.errstate(divide="ignore"):
                            g = _choice(rng, np.log(post))
                        p_out[c, t, s] = 1 / (1 + math.exp(-(self.logit[g] + step * (rng.uniform() - 0.5))))
                        if s in lay.monitor_sources:
                            rows = lay.version_index[s][lay.version_index[s] >= 0]
                            like = self.o_weights * sum(self._monitor_row_prob(r, rep[cell], self.p[g], self.o_grid)
                                                        for r in rows)
                            with np.errstate(divide="ignore"):
                                h = _choice(rng, np.log(like)) if like.sum() > 0 else 0
                            o_out[c, t, lay.monitor_sources.index(s)] = self.o_grid[h]
        return {"N": n_out, "completeness": p_out, "overcount": o_out, "conceded_share": k_out,
                "completeness_mean": m_out.reshape(chains, draws, -1),
                "concentration": phi_out.reshape(chains, draws, -1)}

    def _monitor_row_prob(self, r, n, p, o) -> np.ndarray:
        from scipy import special as sp
        from scipy import stats

        lay = self.lay
        mu = n * p / (1 - o)
        y, lo, hi = lay.row_y[r], lay.row_lo[r], lay.row_hi[r]
        if lay.row_point[r]:
            return stats.poisson.pmf(y, mu)
        if lo >= 1 and hi < _BIG:
            return np.clip(sp.pdtr(hi, mu) - sp.pdtr(lo - 1, mu), 0, 1)
        if lo >= 1:
            return sp.pdtrc(lo - 1, mu)
        return sp.pdtr(hi, mu)


# -- the estimator ------------------------------------------------------------------------

def _run(lay, priors, *, n_min, n_max, draws, tune, chains, rng, engine_options):
    engine = _Engine(lay, priors, n_min=n_min, n_max=n_max, **engine_options)
    out = engine.sample(draws=draws, tune=tune, chains=chains, rng=rng)
    cond = engine.conditionals(out["z"], rng)
    cond["accept"] = out["accept"]
    cond["z"] = out["z"]
    return cond


def _worst(cond) -> dict[str, float]:
    """Largest R-hat and smallest ESS over θ and every N."""
    from .posterior import convergence

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


def _idata(cond, lay):
    import arviz as az

    coords = {"event": lay.events, "source": [f"{e}: {s}" for e, s in lay.sources], "kind": lay.kinds,
              "monitor": [f"{lay.sources[i][0]}: {lay.sources[i][1]}" for i in lay.monitor_sources]}
    dims = {"N": ["event"], "completeness": ["source"], "completeness_mean": ["kind"],
            "concentration": ["kind"], "overcount": ["monitor"]}
    post = {k: cond[k] for k in ("N", "completeness", "completeness_mean", "concentration", "overcount")}
    if lay.calibration is not None:
        post["conceded_share"] = cond["conceded_share"]
    return az.from_dict(posterior=post, coords=coords, dims=dims,
                        sample_stats={"acceptance_rate": np.repeat(cond["accept"][:, None], cond["N"].shape[1], axis=1)})


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

    from .posterior import convergence, credible_interval, posterior_estimate
    from .result import EstimateTable

    check_seed(random_seed)
    check_level(level)
    for name, x in (("draws", draws), ("chains", chains), ("sensitivity_draws", sensitivity_draws)):
        if int(x) < 1:
            raise ValueError(f"{name} must be at least 1, got {x}")
    priors = priors or Priors()
    lay = _layout(counts, calibration=calibration, about_tolerance=about_tolerance, n_min=n_min)
    rng = np.random.default_rng(int(random_seed))
    opts = {"exact_until": exact_until}
    cond = _run(lay, priors, n_min=n_min, n_max=n_max, draws=draws, tune=tune, chains=chains, rng=rng,
                engine_options=opts)
    n_draws, p_draws = cond["N"], cond["completeness"]
    worst = _worst(cond)
    idata = _idata(cond, lay)

    def row(table, quantity, draws_, setting="default", **extra):
        lo_, hi_ = credible_interval(draws_, level=level)
        return {"table": table, "quantity": quantity, "setting": setting,
                "value": float(np.median(draws_)), "lower": lo_, "upper": hi_, **extra}

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

    settings: dict[str, Priors] = {}
    if sensitivity is True:
        sensitivity = DEFAULT_SENSITIVITY
    if sensitivity:
        for name, spec in sensitivity.items():
            settings[name] = spec(priors) if callable(spec) else spec
            if not isinstance(settings[name], Priors):
                raise TypeError(f"sensitivity[{name!r}] must be Priors or a function returning Priors")
    for e, ev in enumerate(lay.events):
        tables[ev].append(row("prior sensitivity", "N", n_draws[..., e], setting="default",
                              r_hat=float(worst["r_hat"]), ess_bulk=float(worst["ess_bulk"])))
    for name, alt in settings.items():
        alt_cond = _run(lay, alt, n_min=n_min, n_max=n_max, draws=sensitivity_draws, tune=sensitivity_draws,
                        chains=2, rng=rng, engine_options=opts)
        alt_worst = _worst(alt_cond)
        for e, ev in enumerate(lay.events):
            tables[ev].append(row("prior sensitivity", "N", alt_cond["N"][..., e], setting=name,
                                  r_hat=float(alt_worst["r_hat"]), ess_bulk=float(alt_worst["ess_bulk"])))

    estimates = {}
    for e, ev in enumerate(lay.events):
        details = pd.DataFrame(tables[ev])
        diag = convergence(n_draws[..., e], divergences=0) if chains > 1 else {"divergences": 0}
        diag.update({f"worst_{k}": v for k, v in worst.items()})
        diag["acceptance_rate"] = [float(a) for a in cond["accept"]]
        diag["sampler"] = ("Metropolis-within-Gibbs on the kind hyperparameters (continuous); N, completeness, "
                           "over-count and κ summed out exactly and drawn from their exact conditionals "
                           "(no Hamiltonian sampler, so no divergences)")
        diag["priors"] = priors.describe()
        warn = []
        if chains > 1 and worst["r_hat"] > 1.01:
            warn.append(f"R-hat {worst['r_hat']:.3f} > 1.01: draw more")
        if chains > 1 and worst["ess_bulk"] < 400:
            warn.append(f"bulk ESS {worst['ess_bulk']:.0f} < 400: draw more")
        if warn:
            diag["warnings"] = warn
        estimates[ev] = posterior_estimate(
            n_draws[..., e], level=level, method="multi_source",
            quantity=f"civilian deaths, {ev}", observed=float(lay.floor[e]) if lay.floor[e] > n_min else None,
            diagnostics=diag, details=details, idata=idata,
        )
    if len(estimates) == 1:
        return next(iter(estimates.values()))
    all_details = pd.concat([d.details.assign(event=ev) for ev, d in estimates.items()], ignore_index=True)
    return EstimateTable(by="event", estimates=estimates, method="multi_source", details=all_details)


def grid_error(
    counts: Any,
    *,
    calibration: Any = None,
    priors: Priors | None = None,
    about_tolerance: float = 0.1,
    n_min: float = 1.0,
    n_max: float = 20000,
    exact_until: int = 500,
    level: float = 0.95,
) -> pd.DataFrame:
    """The error of summing N in cells, measured against the exact integer-by-integer sum.

    With θ fixed at the prior centre (each kind's prior mean completeness, concentration
    at its median), the posterior of each event's N is computed twice: exactly, one term per
    whole N in ``[floor, n_max]``, and as `multi_source` does (one term per integer up to
    ``exact_until``, 1%-wide cells above). Returns, per event, the quantiles both ways
    and their largest difference in deaths and as a share of the exact interval's width.
    """
    import pandas as pd
    from scipy.special import logsumexp

    priors = priors or Priors()
    lay = _layout(counts, calibration=calibration, about_tolerance=about_tolerance, n_min=n_min)
    z = []
    for k in lay.kinds:
        m = priors.completeness_mean[k]
        z += [math.log(m / (1 - m)), math.log(priors.concentration_median)]
    z = np.array(z)
    q = np.array([(1 - level) / 2, 0.5, (1 + level) / 2])
    results = {}
    for label, until in (("exact", int(n_max)), ("cells", exact_until)):
        engine = _Engine(lay, priors, n_min=n_min, n_max=n_max, exact_until=until)
        v = engine._source_vectors(z)
        out = []
        for e in range(len(lay.events)):
            terms = np.array([engine._event_logpost(v, e, j) for j in range(len(engine.kappa))])
            lp = logsumexp(terms, axis=0)
            w = np.exp(lp - logsumexp(lp))
            first, last, _ = engine.cells[e]
            # Quantiles: within a cell, spread its mass over its integers as the prior does.
            cdf = np.cumsum(w)
            idx = np.searchsorted(cdf, q)
            frac = (q - (cdf[idx] - w[idx])) / np.maximum(w[idx], 1e-300)
            qs = np.floor(np.exp(np.log(first[idx]) + frac * (np.log(last[idx] + 1) - np.log(first[idx]))))
            out.append(np.clip(qs, first[idx], last[idx]))
        results[label] = out
    rows = []
    for e, ev in enumerate(lay.events):
        ex, ce = results["exact"][e], results["cells"][e]
        width = max(ex[2] - ex[0], 1.0)
        rows.append({"event": ev, "exact_lower": ex[0], "exact_median": ex[1], "exact_upper": ex[2],
                     "cells_lower": ce[0], "cells_median": ce[1], "cells_upper": ce[2],
                     "max_abs_difference": float(np.max(np.abs(ce - ex))),
                     "max_difference_share_of_width": float(np.max(np.abs(ce - ex)) / width)})
    return pd.DataFrame(rows)
