"""Bayesian model averaging over decomposable graphical models (the dga family).

Madigan, D. and York, J. C. (1997), "Bayesian methods for estimation of the size of a
closed population", Biometrika 84(1), 19–31; R package dga (Johndrow, Lum & Ball). Exact:
every decomposable graph on the lists is enumerated and every marginal likelihood is in
closed form (hyper-Dirichlet), so the posterior of N is computed, not sampled.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from ..result import Estimate
from .linked import accepts_linkage

__all__ = ["graph_average", "decomposable_graphs", "bma_log_weights"]


def _perfect_order(J: int, adj: tuple[int, ...]) -> list[tuple[int, int]] | None:
    """Maximum cardinality search; ``[(vertex, earlier-neighbour mask)]`` or None if not chordal."""
    numbered = 0
    order = []
    weight = [0] * J
    for _ in range(J):
        v = max((u for u in range(J) if not numbered >> u & 1), key=lambda u: (weight[u], -u))
        pa = adj[v] & numbered
        # chordal iff the earlier neighbours of every vertex form a clique
        for u in range(J):
            if pa >> u & 1 and (pa & ~(1 << u)) & ~adj[u]:
                return None
        order.append((v, pa))
        numbered |= 1 << v
        for u in range(J):
            if adj[v] >> u & 1:
                weight[u] += 1
    return order


@lru_cache(maxsize=None)
def decomposable_graphs(J: int) -> tuple[tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], ...]:
    """Every decomposable (chordal) graph on ``J`` lists: ``(edges, perfect order)`` pairs.

    3 lists: 8 graphs; 4 lists: 61; 5 lists: 822 (all graphs on up to 3 vertices are
    decomposable). The perfect order is a list of ``(vertex, mask of earlier neighbours)``.
    """
    if not 2 <= J <= 7:
        raise ValueError(f"graph enumeration supports 2 to 7 lists, got {J}")
    pairs = list(itertools.combinations(range(J), 2))
    out = []
    for mask in range(2 ** len(pairs)):
        edges = tuple(p for i, p in enumerate(pairs) if mask >> i & 1)
        adj = [0] * J
        for a, b in edges:
            adj[a] |= 1 << b
            adj[b] |= 1 << a
        order = _perfect_order(J, tuple(adj))
        if order is not None:
            out.append((edges, tuple(order)))
    return tuple(out)


def _component_log_ml(counts: np.ndarray, J: int, delta: float, missing: np.ndarray) -> np.ndarray:
    """``log ML(A)`` for every subset ``A`` of lists (bitmask) and every number missing.

    Hyper-Dirichlet marginal likelihood of the marginal table on ``A``, prior cell weight
    ``delta * 2**(J - |A|)`` (total prior weight ``delta * 2**J`` in every marginal, which
    makes the priors of all graphs compatible), the unobserved count added to the marginal
    cell with every list of ``A`` absent. ``ML(empty set) = 1``.
    """
    from scipy.special import gammaln

    from ._common import patterns

    x = patterns(J)
    cell = np.arange(2**J)
    total = delta * 2**J
    n = counts.sum()
    out = np.zeros((2**J, len(missing)))
    norm = gammaln(total) - gammaln(n + missing + total)
    for A in range(1, 2**J):
        members = [j for j in range(J) if A >> j & 1]
        key = (x[:, members] * (1 << np.arange(len(members)))).sum(axis=1)
        marg = np.bincount(key, weights=counts, minlength=2 ** len(members))
        a = delta * 2 ** (J - len(members))
        fixed = gammaln(marg[1:] + a).sum() - (len(marg)) * gammaln(a)
        out[A] = norm + fixed + gammaln(marg[0] + missing + a)
    del cell
    return out


def bma_log_weights(
    counts: np.ndarray,
    missing: np.ndarray,
    *,
    delta: float,
    log_prior: np.ndarray,
    graphs: Any = None,
) -> np.ndarray:
    """Unnormalised log posterior of (graph, missing): shape (graphs, len(missing)).

    The same quantity as dga's ``bma.cr(..., normalize=FALSE)``: for graph G and
    ``N = n + missing``, ``log ML_G(table) + log N!/(missing! prod n_x!) + log p(N)``, with
    ``ML_G = prod_cliques ML(C) / prod_separators ML(S)`` computed along a perfect order.
    """
    from scipy.special import gammaln

    counts = np.asarray(counts, dtype=float).copy()
    counts[0] = 0
    J = int(np.log2(len(counts)))
    graphs = decomposable_graphs(J) if graphs is None else graphs
    comp = _component_log_ml(counts, J, delta, missing)
    n = counts.sum()
    multi = gammaln(n + missing + 1) - gammaln(missing + 1) - gammaln(counts[1:] + 1).sum()
    out = np.empty((len(graphs), len(missing)))
    for g, (_, order) in enumerate(graphs):
        acc = np.zeros(len(missing))
        for v, pa in order:
            acc += comp[pa | (1 << v)] - comp[pa]
        out[g] = acc
    return out + multi + log_prior


def _quantiles(pmf: np.ndarray, values: np.ndarray, probs: list[float]) -> list[float]:
    cdf = np.cumsum(pmf)
    return [float(values[min(np.searchsorted(cdf, q - 1e-12), len(values) - 1)]) for q in probs]


@accepts_linkage
def graph_average(
    histories: Any,
    *,
    delta: float | None = None,
    prior: str | Callable[[np.ndarray], np.ndarray] = "1/N",
    max_missing: int | None = None,
    level: float = 0.95,
    quantity: str = "total victims",
) -> Estimate:
    """Posterior of N averaged over every decomposable graphical model of the lists.

    Model
    -----
    The complete ``2**J`` table of inclusion patterns (the unobserved cell included) is
    multinomial with cell probabilities that factorise over a decomposable graph G on the
    lists: the graph's missing edges are conditional independences between lists.
    Given G, the probabilities have a hyper-Dirichlet prior with weight
    ``delta * 2**(J-|A|)`` per cell of every clique marginal A, so the marginal likelihood
    of the table is in closed form (Dawid & Lauritzen 1993; Madigan & York 1997).
    Every decomposable graph has equal prior probability; N has prior ``prior``: ``"1/N"``
    (default, as dga), ``"uniform"`` on the grid, or a function of N returning log prior
    weights (``-inf`` outside a range gives a proper prior, e.g. uniform on ``lo..hi``).
    The posterior of N is the mixture over graphs, computed exactly on the grid
    ``N = n + 0, ..., n + max_missing`` (by default grown until less than 1e-6 of the
    posterior lies in its top tenth; a warning says when a given grid truncates
    noticeable posterior mass).

    ``delta`` defaults to ``2**-J`` (a total prior weight of one observation spread over
    the cells, HRDAG's usual choice with dga). Results depend on it when lists are small.

    The interval is the equal-tailed ``level`` credible interval of the model-averaged
    posterior, the value its median. ``details`` holds one row per graph: edges, posterior
    probability, the graph's posterior mean, mode and interval of N (as dga's summaries).
    Supports 3 to 5 lists.

    Calibration: on data drawn from this very model (`estimators.simulate.
    graph_model_histories`, N uniform on 200..2,000 given as ``prior``) the 95% interval
    covered N in 97.1% ± 0.4% (3 lists) and 97.3% ± 0.4% (4 lists) of 2,000 replicates,
    equal to the exact expectation (97.0%, 97.3%: N is discrete, so the equal-tailed
    interval holds a little more than 95% of the posterior); with ``delta=1``, 94.7% and
    95.0% ± 0.7% of 1,000 (expected 95.3%, 95.6%). At one fixed N, coverage is not
    guaranteed: it is above 95% when the lists are independent (the average keeps weight
    on graphs with edges) and below when a dependence is too weak to be detected or the
    graph is dense (N then rests on the prior, not the data); see benchmarks/mse.py.

    Failure mode: graphs model dependence between lists, not heterogeneous catchability
    shared by every list (a class of victims hard for all sources to find); then the
    posterior sits below the truth. Use `latent_class` alongside.
    """
    from ._common import cell_counts, check_level

    level = check_level(level)
    names, counts = cell_counts(histories)
    J = len(names)
    if not 3 <= J <= 5:
        raise ValueError(f"graph_average supports 3 to 5 lists, got {J}")
    delta = 2.0**-J if delta is None else float(delta)
    if delta <= 0:
        raise ValueError("delta must be positive")
    n = int(counts.sum())
    if max_missing is None:
        from ._common import independence_missing, patterns

        # Start from 4x the independence estimate of the uncounted (plus slack) and double
        # while more than 1e-6 of the posterior sits in the grid's top tenth.
        unseen = independence_missing(n, counts @ patterns(J))
        guess = int(max(1000, 4 * unseen + 50 * np.sqrt(n)))
        while True:
            est = _graph_average(counts, names, J, delta, prior, guess, level, quantity, adaptive=True)
            if est is not None or guess >= 20 * n:
                break
            guess *= 2
        if est is None:
            est = _graph_average(counts, names, J, delta, prior, guess, level, quantity, adaptive=False)
        return est
    max_missing = int(max_missing)
    if max_missing < 1:
        raise ValueError("max_missing must be a positive whole number")
    return _graph_average(counts, names, J, delta, prior, max_missing, level, quantity, adaptive=False)


def _graph_average(counts, names, J, delta, prior, max_missing, level, quantity, *, adaptive):
    import warnings

    import pandas as pd

    n = int(counts.sum())
    missing = np.arange(max_missing + 1, dtype=float)
    N = n + missing
    if callable(prior):
        log_prior = np.asarray(prior(N), dtype=float)
    elif prior == "1/N":
        log_prior = -np.log(N)
    elif prior == "uniform":
        log_prior = np.zeros_like(N)
    else:
        raise ValueError(f"prior must be '1/N', 'uniform' or a function of N, got {prior!r}")
    if not np.isfinite(log_prior).any():
        raise ValueError(f"the prior gives no weight to any N from {n} (observed) to {n + max_missing}")
    graphs = decomposable_graphs(J)
    # Stream over graphs (memory: a few grid-length vectors, not graphs x grid).
    from scipy.special import gammaln, logsumexp

    counts_f = counts.astype(float)
    comp = _component_log_ml(counts_f, J, delta, missing)
    base = gammaln(N + 1) - gammaln(missing + 1) - gammaln(counts_f[1:] + 1).sum() + log_prior
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    mix = np.zeros(len(N))
    top = -np.inf
    log_totals = np.empty(len(graphs))
    rows = []
    for g, (edges, order) in enumerate(graphs):
        lw = base.copy()
        for v, pa in order:
            lw += comp[pa | (1 << v)] - comp[pa]
        m = lw.max()
        if m > top:
            mix *= np.exp(top - m) if np.isfinite(top) else 0.0
            top = m
        mix += np.exp(lw - top)
        log_totals[g] = logsumexp(lw)
        cond = np.exp(lw - m)
        cond /= cond.sum()
        qm, ql, qh = _quantiles(cond, N, [0.5, lo_q, hi_q])
        rows.append({
            "graph": ", ".join(f"{names[a]}-{names[b]}" for a, b in edges) or "independence",
            "edges": len(edges), "posterior_probability": 0.0, "mean": float(cond @ N),
            "mode": float(N[np.argmax(cond)]), "median": qm, "lower": ql, "upper": qh,
        })
    probs = np.exp(log_totals - logsumexp(log_totals))
    for row, p_g in zip(rows, probs):
        row["posterior_probability"] = float(p_g)
    pmf = mix / mix.sum()
    tail = pmf[int(0.9 * len(pmf)):].sum()
    if adaptive and tail > 1e-6:
        return None
    warns = []
    if tail > 1e-3:
        warns.append(f"{tail:.1%} of the posterior lies in the top tenth of the grid: raise max_missing "
                     f"(now {max_missing}); the interval's upper end is truncated")
        warnings.warn(warns[-1], UserWarning, stacklevel=2)
    median, lo, hi = _quantiles(pmf, N, [0.5, lo_q, hi_q])
    details = pd.DataFrame(rows).sort_values("posterior_probability", ascending=False, kind="mergesort")
    details = details.reset_index(drop=True)
    return Estimate(
        value=median, lower=lo, upper=hi, level=level, interval="credible",
        interval_method="equal-tailed", method=f"graph_average (decomposable graphs, delta={delta:g})",
        quantity=quantity, observed=n,
        diagnostics={"graphs": len(graphs), "delta": delta, "prior": prior if isinstance(prior, str) else "custom",
                     "max_missing": max_missing, "posterior_mean": float(pmf @ N),
                     "top_graph": details["graph"].iloc[0],
                     "top_graph_probability": float(details["posterior_probability"].iloc[0]),
                     "warnings": warns, "lists": names},
        details=details,
    )
