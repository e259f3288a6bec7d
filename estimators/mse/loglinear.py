"""Log-linear models for multiple lists: hierarchical models, selection, profile intervals.

The models of Fienberg (1972) and Bishop, Fienberg & Holland (1975, ch. 6), as Rcapture
fits them (Baillargeon & Rivest 2007): a Poisson GLM on the ``2**J - 1`` observed cells
of the list-inclusion table, the unobserved cell predicted from the fitted model. Before
a model is fitted, `identifiability` checks that the observed cells determine it (full
rank) and that its MLE is finite (Fienberg & Rinaldo 2012), as SparseMSE's ``checkident``
does (Chan, Silverman & Vincent 2019). The fits are batched Newton–Raphson on the small
design, every model of a family (and every bootstrap table) at once.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from ..result import Estimate
from .linked import accepts_linkage

__all__ = ["loglinear", "mth", "identifiability", "hierarchical_models", "profile_interval", "bootstrap_interval",
           "signed_root_interval"]

_ORDERS = {"independence": 1, "two-way": 2, "three-way": 3}
from .._options import LOGLINEAR_INTERVALS as INTERVALS


# -- models ---------------------------------------------------------------------------------

def hierarchical_models(J: int, max_order: int, *, limit: int | None = None) -> list[tuple[tuple[int, ...], ...]]:
    """Every hierarchical set of interaction terms (subsets of lists of size 2..max_order).

    Main effects are always in. A term is allowed only if all its sub-terms of size >= 2
    are in (hierarchy). The ``J``-way term is never allowed: it is not identifiable from
    the observed cells. Returned in a fixed order (by number of terms, then lexically).
    More than ``limit`` models raise ``ValueError`` (before they are all built).
    """
    max_order = min(max_order, J - 1)
    models: list[tuple[tuple[int, ...], ...]] = [()]
    for size in range(2, max_order + 1):
        if size == 2 and limit is not None and 2 ** math.comb(J, 2) > limit:
            raise ValueError(f"more than {limit} hierarchical models for J={J} lists with interactions; "
                             f"use terms='independence', fewer lists, or raise max_models")
        grown = []
        for model in models:
            present = set(model)
            allowed = [
                t for t in itertools.combinations(range(J), size)
                if size == 2 or all(s in present for s in itertools.combinations(t, size - 1))
            ]
            for r in range(len(allowed) + 1):
                for extra in itertools.combinations(allowed, r):
                    grown.append(model + extra)
                    if limit is not None and len(grown) > limit:
                        raise ValueError(f"more than {limit} hierarchical models for J={J} lists up to order "
                                         f"{max_order}; use a lower order, fewer lists, or raise max_models")
        models = grown
    return sorted(models, key=lambda m: (len(m), m))


def _design(J: int, terms: tuple[tuple[int, ...], ...]) -> np.ndarray:
    from ._common import patterns

    x = patterns(J).astype(float)
    cols = [np.ones(2**J)] + [x[:, j] for j in range(J)]
    cols += [np.prod(x[:, list(t)], axis=1) for t in terms]
    return np.column_stack(cols)


def _term_label(names: list[str], terms: tuple[tuple[int, ...], ...]) -> str:
    if not terms:
        return "independence"
    return " + ".join(":".join(names[j] for j in t) for t in terms)


# -- identifiability ------------------------------------------------------------------------

def _pattern(cell: int, J: int) -> str:
    """Cell ``cell`` as its inclusion pattern, one 0/1 per list in list order."""
    return "".join(str((cell >> j) & 1) for j in range(J))


def _check_design(X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """`identifiability` of one design ``X`` (all ``2**J`` cells, the unobserved first) on
    the observed counts ``y`` (cells 1 on), by column and cell index.

    Depends on the counts only through which cells are empty, so the bootstrap caches it
    by that pattern. Returns the empty columns, the aliased columns, the rank, the empty
    cells fitted 0 by the extended MLE (the facial set's complement), whether the
    unobserved cell is determined, and ``ok``."""
    Xo = np.asarray(X[1:], dtype=float)
    y = np.asarray(y, dtype=float)
    p = Xo.shape[1]
    zero = y == 0
    support = Xo != 0
    # An empty column (SparseMSE's non-overlapping pair, any term of which no cell holds a
    # victim): its coefficient is -inf and its cells are fitted 0, by construction.
    empty = [k for k in range(1, p) if support[:, k].any() and not (support[:, k] & ~zero).any()
             and np.all(Xo[:, k] >= 0)]
    cells = ~support[:, empty].any(axis=1)
    keep = [k for k in range(p) if k not in empty]
    Xr = Xo[cells][:, keep]
    rank = int(np.linalg.matrix_rank(Xr)) if Xr.size else 0
    aliased = []
    if rank < len(keep):  # the columns that are combinations of earlier ones, as R's glm reports them (NA)
        r = 0
        for i, k in enumerate(keep):
            r_new = int(np.linalg.matrix_rank(Xr[:, :i + 1]))
            if r_new == r:
                aliased.append(k)
            r = r_new
    boundary: list[int] = []
    rows = np.flatnonzero(cells)
    z = rows[zero[rows]]
    if z.size:
        boundary = [int(c) for c in z[_facial_complement(Xo[np.ix_(rows[~zero[rows]], keep)], Xo[np.ix_(z, keep)])]]
    facial = np.setdiff1d(rows, boundary)
    # The unobserved cell is determined by the (extended) MLE when its row is a combination
    # of the rows of the cells the fit keeps positive.
    x0 = np.asarray(X[0], dtype=float)[keep]
    Xf = Xo[np.ix_(facial, keep)]
    w = np.linalg.lstsq(Xf.T, x0, rcond=None)[0] if facial.size else np.zeros(0)
    determined = bool(np.allclose(Xf.T @ w, x0, atol=1e-8)) if facial.size else False
    return {"params": p, "empty": empty, "empty_cells": [int(c) + 1 for c in np.flatnonzero(~cells)],
            "rank": rank, "identifiable": rank == len(keep), "aliased": aliased,
            "mle_exists": not boundary, "boundary_cells": [c + 1 for c in boundary],
            "unobserved_determined": determined, "ok": rank == len(keep) and not boundary}


def _check_designs(designs: list[np.ndarray], y: np.ndarray) -> list[dict[str, Any]]:
    """`_check_design` of each design; without an empty cell only the rank can fail, and
    the ranks of all the designs are taken at once."""
    y = np.asarray(y, dtype=float)
    if (y == 0).any():
        return [_check_design(X, y) for X in designs]
    ranks = np.linalg.matrix_rank(_stacked(designs)[:, 1:])  # zero padding adds no rank
    out = []
    for X, rank in zip(designs, ranks):
        if rank < X.shape[1]:
            out.append(_check_design(X, y))
        else:
            out.append({"params": X.shape[1], "empty": [], "empty_cells": [], "rank": int(rank),
                        "identifiable": True, "aliased": [], "mle_exists": True, "boundary_cells": [],
                        "unobserved_determined": True, "ok": True})
    return out


def _facial_complement(X_pos: np.ndarray, X_zero: np.ndarray) -> np.ndarray:
    """Which empty cells (rows of ``X_zero``) the extended MLE fits as 0: the linear program
    of Fienberg & Rinaldo (2012): maximise ``sum t`` over directions ``d`` and ``0 <= t <= 1``
    with ``X_pos d = 0`` and ``X_zero d + t <= 0``. A direction moving every positive cell's
    mean not at all and some empty cells' down raises the likelihood for ever; the sum of
    two such directions is one, so at the optimum ``t = 1`` on every such cell and 0 on the
    others. The MLE exists (is finite) iff there is none, i.e. the optimum is 0: SparseMSE's
    ``checkident`` solves the dual (a strictly positive table with the observed margins)."""
    from scipy.optimize import linprog

    p, m = X_zero.shape[1], X_zero.shape[0]
    res = linprog(np.r_[np.zeros(p), -np.ones(m)],
                  A_ub=np.c_[X_zero, np.eye(m)], b_ub=np.zeros(m),
                  A_eq=np.c_[X_pos, np.zeros((X_pos.shape[0], m))] if X_pos.size else None,
                  b_eq=np.zeros(X_pos.shape[0]) if X_pos.size else None,
                  bounds=[(None, None)] * p + [(0.0, 1.0)] * m, method="highs")
    if res.status != 0:  # never seen: the problem is feasible (d = 0) and bounded (t <= 1)
        raise RuntimeError(f"the existence check's linear program failed: {res.message}")
    return res.x[p:] > 0.5


def _column_labels(names: list[str], terms: tuple[tuple[int, ...], ...], extra: list[str] = ()) -> list[str]:
    return ["intercept", *names, *(":".join(names[j] for j in t) for t in terms), *extra]


def _identifiability_report(check: dict[str, Any], labels: list[str], model: str, J: int) -> dict[str, Any]:
    """`_check_design` with names: the report `identifiability` returns, and its message."""
    cells = lambda cs: [_pattern(c, J) for c in cs]  # noqa: E731
    report = {"model": model, "params": check["params"], "rank": check["rank"],
              "identifiable": check["identifiable"], "aliased": [labels[k] for k in check["aliased"]],
              "empty_terms": [labels[k] for k in check["empty"]], "empty_cells": cells(check["empty_cells"]),
              "mle_exists": check["mle_exists"], "boundary_cells": cells(check["boundary_cells"]),
              "unobserved_determined": check["unobserved_determined"], "ok": check["ok"]}
    report["message"] = _reason(report)
    return report


def _reason(report: dict[str, Any]) -> str:
    """Why a model cannot be used, in words ("" when it can)."""
    parts = []
    if not report["identifiable"]:
        parts.append(f"not identifiable: rank {report['rank']} for "
                     f"{report['params'] - len(report['empty_terms'])} parameters"
                     + (f" once the empty term(s) {', '.join(report['empty_terms'])} are fixed at -inf"
                        if report["empty_terms"] else "")
                     + f"; aliased: {', '.join(report['aliased'])}")
    if not report["mle_exists"]:
        parts.append(f"the MLE does not exist (is infinite): the likelihood keeps rising as empty cell(s) "
                     f"{', '.join(report['boundary_cells'])} are fitted towards 0, and the unobserved cell "
                     + ("keeps a limit (a boundary fit)" if report["unobserved_determined"]
                        else "is not determined (it runs to 0 or infinity)"))
    return "; ".join(parts)


def identifiability(histories: Any, terms: Any = ()) -> dict[str, Any]:
    """Whether a log-linear model can be fitted to these lists: identifiable, with a finite MLE.

    ``terms`` are the model's interactions as groups of list names, e.g.
    ``[("A", "B"), ("B", "C")]`` (``()``: independence); main effects are always in. Two
    checks, as SparseMSE's ``checkident`` makes them (Chan, Silverman & Vincent 2019,
    following Fienberg & Rinaldo 2012; its documentation: "a calculation of the rank of the
    design matrix" and "the linear programming test", error code 2 and 1):

    * **Identifiable**: the design on the observed cells has full column rank. An *empty
      term*, one whose cells (every pattern containing all of its lists) hold no victim, is
      first fixed at ``-inf`` and its cells removed, as SparseMSE does with a pair of lists
      that do not overlap; the rank is then that of the other columns on the cells left. A
      deficient rank means some terms are aliased: ``aliased`` names the columns that are
      combinations of earlier ones (main effects first, then the terms in order), those R's
      ``glm`` would report as NA.
    * **The MLE exists** (is finite): no direction of the parameters leaves every non-empty
      cell's mean unchanged while lowering some empty cells' means; along one the
      likelihood rises for ever and the fit runs off to the boundary. Decided by a linear
      program (`scipy.optimize.linprog`), which also gives the ``boundary_cells``, the empty
      cells the extended MLE fits as 0 (outside Fienberg & Rinaldo's facial set).

    A two-way term whose pair of lists never overlaps is thus allowed (as in SparseMSE), but
    a zero cell that forces some other parameter to infinity is not, even when the
    unobserved cell keeps a limit along the way (``unobserved_determined``: Rcapture
    reports such boundary fits). Existence depends on which cells are empty, not on the
    counts. Returns a dict: ``model``, ``params``, ``rank``, ``identifiable``, ``aliased``,
    ``empty_terms``, ``empty_cells`` and ``boundary_cells`` (patterns as 0/1 strings in list
    order), ``mle_exists``, ``unobserved_determined``, ``ok`` (identifiable and the MLE
    exists) and a ``message`` ("" when ``ok``). `loglinear` runs it on every model before
    fitting.
    """
    from ._common import cell_counts

    names, counts = cell_counts(histories)
    model = _interaction_terms(names, terms)
    return _identifiability_report(_check_design(_design(len(names), model), counts[1:]),
                                   _column_labels(names, model), _term_label(names, model), len(names))


# -- fitting --------------------------------------------------------------------------------

def _eta(beta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The linear predictors ``X b`` of each row ``b`` of ``beta``; ``X`` is one design
    (cells x parameters) shared by every row, or one design per row (rows x cells x
    parameters, see `_stacked`)."""
    if X.ndim == 2:
        return beta @ X.T
    return np.matmul(X, beta[..., None])[..., 0]


def _stacked(designs: list[np.ndarray]) -> np.ndarray:
    """Designs of different widths as one array (models x cells x parameters), each padded
    with zero columns: `_poisson_irls` holds a zero column's coefficient at its start, so
    every model of a family is fitted in one batch."""
    width = max(X.shape[1] for X in designs)
    out = np.zeros((len(designs), designs[0].shape[0], width))
    for i, X in enumerate(designs):
        out[i, :, :X.shape[1]] = X
    return out


def _poisson_irls(X: np.ndarray, Y: np.ndarray, beta: np.ndarray | None = None,
                  *, tol: float = 1e-10, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson log-linear MLEs on many tables at once (rows of ``Y``), each with design
    ``X`` (one shared design, or one per row: `_eta`): Newton–Raphson with step halving,
    batched. Returns ``(beta, converged, loglik)``, one row each; ``loglik`` omits the
    constant ``-sum log y!``.

    Serves the model table (every model of a family in one batch, `_stacked`), the profile
    likelihood and the bootstrap (thousands of tables). A table has converged when the
    gain the next Newton step predicts (half the Newton decrement ``grad' H^-1 grad``) is
    below ``tol``, in log-likelihood units. Not a relative change of the log-likelihood: in
    the profile likelihood at N ~ 1e9 the unobserved cell makes it ~2e10, so a relative
    1e-12 would stop 0.02 short, by an amount that differs from CPU to CPU. With empty
    margins the MLE lies at the boundary (some parameters run to infinity, the fitted cells
    to zero); the predicted gain still falls geometrically there, and halving keeps every
    step uphill, so such fits creep to the boundary instead of oscillating. A column of
    zeros (padding) keeps its coefficient: its Hessian entry is set to 1, its gradient is 0.
    """
    Y = np.asarray(Y, dtype=float)
    B, p = Y.shape[0], X.shape[-1]
    shared = X.ndim == 2
    Xt = np.swapaxes(X, -1, -2)
    padding = np.where(np.any(X != 0, axis=-2), 0.0, 1.0)[..., None] * np.eye(p)

    def rows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return a if shared else a[idx]

    def loglik(b: np.ndarray, y: np.ndarray, Xb: np.ndarray) -> np.ndarray:
        eta = np.clip(_eta(b, Xb), -700, 700)
        return np.einsum("bc,bc->b", y, eta) - np.exp(eta).sum(axis=1)

    if beta is None:
        start = np.log(Y + 0.5)
        beta = start @ np.linalg.pinv(X).T if shared else _eta(start, np.linalg.pinv(X))
    beta = np.array(np.broadcast_to(beta, (B, p)), dtype=float)
    f = loglik(beta, Y, X)
    active = np.ones(B, dtype=bool)
    failed = np.zeros(B, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        b, y, f_old = beta[idx], Y[idx], f[idx]
        Xb = rows(X, idx)
        mu = np.exp(np.clip(_eta(b, Xb), -700, 700))
        if shared:
            grad = (y - mu) @ X
            hess = np.matmul(Xt * mu[:, None, :], X) + padding
        else:
            grad = np.matmul((y - mu)[:, None, :], Xb)[:, 0]
            hess = np.matmul(Xt[idx] * mu[:, None, :], Xb) + padding[idx]
        try:
            step = np.linalg.solve(hess, grad[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a singular table: solve them one by one, NaN for it
            step = np.full_like(b, np.nan)
            for i in range(idx.size):
                try:
                    step[i] = np.linalg.solve(hess[i], grad[i])
                except np.linalg.LinAlgError:
                    pass
        bad_step = ~np.all(np.isfinite(step), axis=1)  # singular in all but name (N - n ~ 0)
        step[bad_step] = 0.0
        gain = 0.5 * np.einsum("bp,bp->b", grad, step)
        f_new = loglik(b + step, y, Xb)
        downhill = f_new < f_old - 1e-12 * np.abs(f_old)
        for _ in range(40):
            if not downhill.any():
                break
            step[downhill] /= 2
            f_new[downhill] = loglik(b[downhill] + step[downhill], y[downhill],
                                     Xb if shared else Xb[downhill])
            downhill = f_new < f_old - 1e-12 * np.abs(f_old)
        beta[idx] = b + step
        f[idx] = f_new
        done = gain <= tol
        failed[idx[bad_step]] = True
        active[idx[done | bad_step]] = False
    return beta, ~active & ~failed, f


def _fit_designs(designs: list[np.ndarray], counts: np.ndarray) -> dict[str, np.ndarray]:
    """Every design's Poisson fit on the observed cells (one batch, `_poisson_irls`), the
    unobserved cell predicted: arrays with one entry per design.

    ``converged`` when the fit converged and its unobserved cell is finite and below 1e6
    times n (beyond that the cell is unbounded in all but name); ``se`` is Rcapture's
    standard error of N, the Poisson variance of the unobserved cell plus the delta method,
    with the covariance of the parameters from the pseudo-inverse of ``W^(1/2) X`` (as
    statsmodels' GLM computes it)."""
    from scipy.special import gammaln

    X = _stacked(designs)
    Xo = X[:, 1:]
    y = np.asarray(counts[1:], dtype=float)
    n = y.sum()
    p = np.array([D.shape[1] for D in designs])
    beta, converged, _ = _poisson_irls(Xo, np.broadcast_to(y, (len(designs), y.size)))
    mu = np.exp(np.clip(_eta(beta, Xo), -700, 700))
    loglik = np.sum(y * np.log(np.where(mu > 0, mu, 1)) - mu - gammaln(y + 1), axis=1)
    pos = y > 0
    deviance = 2 * (np.sum(y[pos] * np.log(y[pos] / mu[:, pos]), axis=1) - np.sum(y - mu, axis=1))
    x0 = X[:, 0]
    m0 = np.exp(np.clip(np.einsum("mp,mp->m", beta, x0), -700, 700))
    root_w = np.linalg.pinv(np.sqrt(mu)[..., None] * Xo)  # (models, parameters, cells)
    var_b0 = np.sum(np.einsum("mp,mpc->mc", x0, root_w) ** 2, axis=1)
    ok = converged & np.isfinite(m0) & (m0 < 1e6 * max(n, 1)) & np.all(np.isfinite(beta), axis=1)
    return {
        "beta": beta, "params": p, "converged": ok, "deviance": deviance, "df": y.size - p, "loglik": loglik,
        "aic": -2 * loglik + 2 * p, "bic": -2 * loglik + p * math.log(n),
        "unobserved": np.where(ok, m0, np.inf), "estimate": np.where(ok, n + m0, np.inf),
        "se": np.where(ok, np.sqrt(m0 + m0**2 * var_b0), np.inf),
    }


def _fit_observed(X: np.ndarray, counts: np.ndarray) -> dict[str, Any]:
    """`_fit_designs` of one design, as plain numbers."""
    fit = _fit_designs([X], counts)
    out = {k: (v[0] if k == "beta" else v[0].item()) for k, v in fit.items()}
    out["params"], out["df"], out["converged"] = int(out["params"]), int(out["df"]), bool(out["converged"])
    return out


def _falling_factorial_terms(N: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log N!/(N-n)! - n log N`` and the derivative in N of ``log N!/(N-n)!`` (the
    digamma difference), both without cancellation.

    At N ~ 1e9 both log-gammas are ~2e10 and their difference keeps five decimals; for
    ``M = N - n >= 1000`` Stirling's series (to 1/z^3, error < 1e-12) gives the difference
    from ``log1p(-n/N)``, whose size is that of the result."""
    from scipy.special import digamma, gammaln

    M = N - n
    big = M >= 1000.0
    Ms, Ns = np.where(big, M, 1000.0), np.where(big, N, 1000.0 + n)
    l1p = np.log1p(-n / Ns)
    stirling = (-(Ms + 0.5) * l1p - n + (1 / Ns - 1 / Ms) / 12 - (Ns**-3 - Ms**-3) / 360)
    d_stirling = -l1p + (1 / Ns - 1 / Ms) / 2 - (Ns**-2 - Ms**-2) / 12
    Nd, Md = np.where(big, 1.0, N), np.where(big, 1.0, M)
    direct = gammaln(Nd + 1) - gammaln(Md + 1) - n * np.log(Nd)
    d_direct = digamma(Nd + 1) - digamma(Md + 1)
    return np.where(big, stirling, direct), np.where(big, d_stirling, d_direct)


def _profile_logliks(X: np.ndarray, Y: np.ndarray, N: np.ndarray, beta0: np.ndarray | None = None):
    """Multinomial profile log-likelihood of N for many tables at once (rows of ``Y``: the
    ``2**J - 1`` observed cells; ``N`` one value per table), maximised over the model's cell
    probabilities: ``log N!/(N-n)! + sum_c y_c log(mu_c / N)`` with the unobserved cell set
    to ``N - n``. Returns ``(loglik, d loglik / dN, beta)``, one row each.

    Written so that no term grows with N: the ``n log N`` of the falling factorial cancels
    the observed cells' ``- y_c log N`` exactly, and the unobserved cell's ``log(mu_0 / N)``
    is ``log1p(-s / N)`` with ``s`` the observed cells' fitted total (the fits keep
    ``sum mu = N``). At N ~ 1e9 the naive sum kept five decimals, too few to tell a rising
    likelihood from a flat one."""
    Y = np.asarray(Y, dtype=float)
    N = np.asarray(N, dtype=float)
    n = Y.sum(axis=1)
    y = np.column_stack([N - n, Y])
    beta, ok, _ = _poisson_irls(X, y, beta0)
    if beta0 is not None and not ok.all():  # a warm start far out on a boundary can stall: restart
        beta[~ok] = _poisson_irls(X if X.ndim == 2 else X[~ok], y[~ok])[0]
    mu = np.exp(np.clip(_eta(beta, X), -700, 700))
    share = mu[:, 1:].sum(axis=1) / N  # the observed cells' share; log1p only where it is small
    log_p0 = np.where(share < 0.5, np.log1p(-np.minimum(share, 0.5)),
                      np.log(np.maximum(mu[:, 0], 1e-300)) - np.log(N))
    falling, d_falling = _falling_factorial_terms(N, n)
    observed = np.sum(np.where(Y > 0, Y * np.log(np.maximum(mu[:, 1:], 1e-300)), 0.0), axis=1)
    ll = falling + observed + np.where(N > n, (N - n), 0.0) * log_p0
    return ll, d_falling + log_p0, beta


def _profile_loglik(X: np.ndarray, counts: np.ndarray, N: float, beta0: np.ndarray | None):
    """`_profile_logliks` of one table (``counts``: all ``2**J`` cells, cell 0 ignored)."""
    ll, _, beta = _profile_logliks(X, np.asarray(counts, dtype=float)[None, 1:], np.array([N]),
                                   None if beta0 is None else beta0[None])
    return float(ll[0]), beta[0]


def _profile_maxima(X: np.ndarray, Y: np.ndarray, N0: np.ndarray, steps: int = 8, *, tol: float = 1e-7,
                    floor: float = -np.inf, ceiling: float = np.inf):
    """``max_N`` of each table's profile log-likelihood and where it is: Newton in
    ``t = log(N - n)`` from ``N0`` (the Poisson estimates, already close), batched; the
    second derivative by a forward difference, each step at most 1 in t, the best point
    kept (so a maximum on the boundary N = n is approached, never overshot). ``t`` stays
    within ``[floor, ceiling]`` and the steps stop once all are below ``tol`` (relative to
    ``1 + |t|`` when ``floor`` is finite). Returns ``(loglik, N, beta, t, curvature)`` at the
    best point (the curvature from the last step)."""
    n = np.asarray(Y, dtype=float).sum(axis=1)
    t = np.clip(np.log(np.maximum(np.asarray(N0, dtype=float) - n, 1e-3)), floor, ceiling)
    ll, g, beta = _profile_logliks(X, Y, n + np.exp(t))
    best_ll, best_t, best_beta = ll.copy(), t.copy(), beta.copy()
    curvature = np.full(t.size, np.nan)
    h = 1e-3
    for _ in range(steps):
        slope = g * np.exp(t)
        _, g2, _ = _profile_logliks(X, Y, n + np.exp(t + h), beta)
        curvature = (g2 * np.exp(t + h) - slope) / h
        concave = curvature < 0
        step = np.where(concave, -slope / np.where(concave, curvature, -1.0), 0.5 * np.sign(slope))
        step = np.clip(step, -1.0, 1.0)
        step = np.where((t <= floor) & (step < 0), 0.0, step)  # on the floor (N = n): stay
        t = np.clip(t + step, floor, ceiling)
        ll, g, beta = _profile_logliks(X, Y, n + np.exp(t), beta)
        better = ll > best_ll
        best_ll[better], best_t[better], best_beta[better] = ll[better], t[better], beta[better]
        if np.all(np.abs(step) < tol * (1.0 + np.abs(t) if np.isfinite(floor) else 1.0)):
            break
    return best_ll, n + np.exp(best_t), best_beta, best_t, curvature


def profile_interval(X: np.ndarray, counts: np.ndarray, *, level: float = 0.95,
                     start: float | None = None, roots: tuple[float, float] | None = None) -> tuple[float, float, float]:
    """Multinomial profile-likelihood interval for N (as Rcapture's ``closedpCI.t``).

    For each N, the complete table (unobserved cell = N - n) is fitted by the model and
    the multinomial log-likelihood ``log N!/(N-n)! + sum_c y_c log(mu_c / N)`` kept; the
    interval is ``{N : 2 (l(N_hat) - l(N)) <= chi2_1(level)}``, N treated as continuous.
    ``roots=(r_lower, r_upper)`` gives other ends: where the signed root
    ``r(N) = sign(N_hat - N) sqrt(2 (l(N_hat) - l(N)))`` equals ``r_lower`` and ``r_upper``
    (the default is ``+-sqrt(chi2_1(level))``; an infinite root gives n or infinity).
    Returns ``(N_hat_multinomial, lower, upper)``; when the likelihood still rises as N grows
    (a model that empty cells leave unbounded) ``N_hat`` and ``upper`` are infinite and the
    lower end is measured from the likelihood at ``N - n = 1e6 n``. One design of
    `_profile_intervals`, which computes the intervals of many models at once.
    """
    n_hat, lower, upper = _profile_intervals([X], counts, np.array([np.nan if start is None else start]),
                                             level=level, roots=None if roots is None else np.array([roots]))
    return float(n_hat[0]), float(lower[0]), float(upper[0])


def _profile_intervals(designs: list[np.ndarray], counts: np.ndarray, starts: np.ndarray, *, level: float = 0.95,
                       roots: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`profile_interval` of every design in ``designs`` on one table, all at once: each
    step below is one batched evaluation of `_profile_logliks` for every model still
    searching (warm-started from its last fit). ``starts`` are the Poisson estimates (NaN:
    1.1 n), ``roots`` one ``(r_lower, r_upper)`` row per design. Returns ``(N_hat, lower,
    upper)`` arrays.

    In ``t = log(N - n)``, so that no search leaves N > n:

    1. A likelihood still rising at ``N - n = 1e6 n`` (the bound the fits use for an
       estimable unobserved cell) has no finite maximum: ``N_hat`` is infinite and the
       ends are measured from the likelihood there.
    2. Otherwise the maximum: Newton from the start, the curvature by a forward
       difference, each step at most 1 in t, the best point kept; on a boundary (best
       N = n) it runs down to ``N - n = 1e-9 n`` and the ends are searched from there.
    3. Each end: from ``t_hat``, steps of 1 down (for a positive root, below ``N_hat``; at
       most 60, else the end is n) or of 0.5 up (a negative root; up to ``N = 1e7 n``, else
       infinity) until the likelihood has fallen ``root**2 / 2``, then Newton on that
       bracket (bisection whenever a step leaves it or fails to halve the gap), to 1e-12
       in t. On a boundary the fits creep and two evaluations at one N can differ in the
       last digits; the bracket is kept from the values computed, so its sign change holds.
    """
    from scipy.stats import chi2

    M = len(designs)
    X = designs[0] if M == 1 else _stacked(designs)
    y = np.asarray(counts[1:], dtype=float)
    n = float(y.sum())
    Y = np.broadcast_to(y, (M, y.size))
    if roots is None:
        z = math.sqrt(chi2.ppf(level, 1))
        roots = np.tile([z, -z], (M, 1))
    roots = np.asarray(roots, dtype=float)

    def loglik(rows: np.ndarray, t: np.ndarray, beta: np.ndarray | None):
        Xr = X if M == 1 else X[rows]
        return _profile_logliks(Xr, Y[rows], n + np.exp(t), beta)

    every = np.arange(M)
    t_far = math.log(1e6 * max(n, 1.0))
    t_floor = math.log(1e-9 * max(n, 1.0))
    far, _, beta_far = loglik(every, np.full(M, t_far), None)
    unbounded = far >= loglik(every, np.full(M, t_far - 1.0), beta_far)[0]
    l_hat, t_max, beta_hat, curvature = far.copy(), np.full(M, t_far), beta_far.copy(), np.full(M, np.nan)
    live = np.flatnonzero(~unbounded)
    if live.size:  # step 2
        N0 = np.where(np.isnan(starts), 1.1 * n, starts)[live]
        found = _profile_maxima(X if M == 1 else X[live], Y[live], N0, steps=100, tol=1e-9, floor=t_floor,
                                ceiling=t_far + 1.0)
        l_hat[live], beta_hat[live], t_max[live], curvature[live] = found[0], found[2], found[3], found[4]
        ran_off = live[t_max[live] > t_far]  # the maximum lies beyond the bound
        unbounded[ran_off] = True
        l_hat[ran_off], t_max[ran_off], beta_hat[ran_off] = far[ran_off], t_far, beta_far[ran_off]
    n_hat = np.where(unbounded, np.inf, n + np.exp(t_max))
    # the ends (step 3), both sides of every model in one search
    r = roots.T.ravel()  # lower ends first
    model = np.tile(every, 2)
    cut = r * r / 2
    ends = np.where(r == 0, n_hat[model], np.where(r > 0, n, np.inf))
    todo = np.flatnonzero((r != 0) & np.isfinite(cut))
    if todo.size:
        k = model[todo]
        # the quadratic approximation at the maximum gives a first guess
        interior = ~unbounded[k] & (t_max[k] > t_floor) & (curvature[k] < 0)
        reach = np.sqrt(2 * cut[todo] / np.where(interior, -curvature[k], np.nan))
        ends[todo] = _profile_ends(loglik, k, t_max[k], l_hat[k] - cut[todo], beta_hat[k], down=r[todo] > 0, n=n,
                                   t_floor=t_floor, guess=t_max[k] + np.where(r[todo] > 0, -reach, reach))
    return n_hat, ends[:M], ends[M:]


def _profile_ends(loglik, models: np.ndarray, t_hat: np.ndarray, level: np.ndarray, beta: np.ndarray, *,
                  down: np.ndarray, n: float, t_floor: float, guess: np.ndarray) -> np.ndarray:
    """Where each model's profile likelihood falls to ``level``, below its maximum at
    ``t_hat`` (``down``) or above it: step 3 of `_profile_intervals`. ``loglik(models, t,
    beta)`` evaluates the profile likelihoods; ``guess`` (NaN: none) is tried first, and
    the steps go on from it when the likelihood has not fallen there yet. Returns N (n or
    infinity where the likelihood never falls that far)."""
    m = t_hat.size
    t_top = math.log(1e7 * max(n, 1.0))
    t_bottom = np.maximum(t_hat, t_floor) - 60.0
    result = np.where(down, n, np.inf)
    step = np.where(down, -1.0, 0.5)
    inside = np.maximum(t_hat, t_floor)  # g = level - l <= 0 here ...
    outside, g_out, slope_out = np.full(m, np.nan), np.zeros(m), np.zeros(m)  # ... and > 0 here
    g_in, slope_in = np.full(m, -np.inf), np.zeros(m)
    beta = beta.copy()
    guess = np.clip(guess, t_bottom, t_top)  # a flat maximum (curvature ~ 0) would guess far off
    trial = np.where(np.isfinite(guess) & np.where(down, guess < inside, guess > inside), guess, np.nan)
    searching = np.ones(m, dtype=bool)
    while True:
        searching &= np.isfinite(trial) | np.where(down, inside + step > t_bottom, inside <= t_top)
        idx = np.flatnonzero(searching)
        if idx.size == 0:
            break
        t = np.where(np.isfinite(trial[idx]), trial[idx], inside[idx] + step[idx])
        trial[idx] = np.nan
        ll, d_ll, beta[idx] = loglik(models[idx], t, beta[idx])
        g = level[idx] - ll
        fallen = g > 0
        hit = idx[fallen]
        outside[hit], g_out[hit], slope_out[hit] = t[fallen], g[fallen], (d_ll * np.exp(t))[fallen]
        stays = idx[~fallen]
        inside[stays], g_in[stays], slope_in[stays] = t[~fallen], g[~fallen], (d_ll * np.exp(t))[~fallen]
        searching[hit] = False
    # Newton on each bracket [inside, outside] (g' = -dl/dt), from the end nearer the level
    rows = np.flatnonzero(~np.isnan(outside))
    a, b = inside[rows], outside[rows]
    near_in = -g_in[rows] < g_out[rows]
    t = np.where(near_in, a, b)
    g = np.where(near_in, g_in[rows], g_out[rows])
    slope = np.where(near_in, slope_in[rows], slope_out[rows])
    b_rows = beta[rows]
    live = np.ones(rows.size, dtype=bool)
    for _ in range(100):
        idx = np.flatnonzero(live)
        if idx.size == 0:
            break
        newton = t[idx] + g[idx] / np.where(slope[idx] != 0, slope[idx], np.nan)
        lo, hi = np.minimum(a[idx], b[idx]), np.maximum(a[idx], b[idx])
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        t_new = np.where(ok, newton, 0.5 * (a[idx] + b[idx]))
        ll, d_ll, b_rows[idx] = loglik(models[rows[idx]], t_new, b_rows[idx])
        g_new = level[rows[idx]] - ll
        out = g_new > 0
        b[idx[out]], a[idx[~out]] = t_new[out], t_new[~out]
        moved = np.abs(t_new - t[idx])
        t[idx], g[idx], slope[idx] = t_new, g_new, d_ll * np.exp(t_new)
        tol = 1e-11 * (1.0 + np.abs(t_new))  # the fits' own noise (gain 1e-10) moves a root by about that much
        live[idx[(moved <= tol) | (np.abs(b[idx] - a[idx]) <= tol)]] = False
    result[rows] = n + np.exp(t)
    return result


def _selected_estimates(designs: list[np.ndarray], Y: np.ndarray, criterion: str) -> tuple[np.ndarray, np.ndarray]:
    """For each table (a row of ``Y``: the ``2**J - 1`` observed cells), N of the model the
    criterion selects among ``designs`` and that model's index, fitted by `_poisson_irls`
    (batched); N is ``inf`` and the index -1 when no model can be fitted (N not estimable
    from that table).

    The same rules as `loglinear`: a model counts when it passes `identifiability` on that
    table (checked once per pattern of empty cells, on which alone it depends: tables
    without an empty cell need no check), its fit converged and its unobserved cell is below
    1e6 times n; ties go to the first in ``designs`` (fewer terms)."""
    from scipy.special import gammaln

    Y = np.asarray(Y, dtype=float)
    n = Y.sum(axis=1)
    const = gammaln(Y + 1).sum(axis=1)
    best = np.full(Y.shape[0], np.inf)
    estimate = np.full(Y.shape[0], np.inf)
    selected = np.full(Y.shape[0], -1)
    for i, X in enumerate(designs):
        Xo = X[1:]
        if np.linalg.matrix_rank(Xo) < Xo.shape[1]:
            continue
        beta, ok, loglik = _poisson_irls(Xo, Y)
        loglik = loglik - const
        m0 = np.exp(np.clip(beta @ X[0], -700, 700))
        ok &= np.isfinite(m0) & (m0 < 1e6 * np.maximum(n, 1))
        ok &= _admissible(X, Y, beta, np.exp(np.clip(beta @ Xo.T, -700, 700)))
        penalty = 2.0 if criterion == "aic" else np.log(n)
        crit = np.where(ok, -2 * loglik + penalty * Xo.shape[1], np.inf)
        better = crit < best
        best[better], estimate[better], selected[better] = crit[better], n[better] + m0[better], i
    return estimate, selected


def _admissible(X: np.ndarray, Y: np.ndarray, beta: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """`identifiability` of design ``X`` on each table (rows of ``Y``, fitted parameters
    ``beta`` and means ``mu``), without a linear program per table.

    Only tables with an empty cell can fail. The rank depends on which terms are empty,
    and is computed once per set of them. A table whose MLE does not exist has, once
    fitted, some empty cells outside the empty terms with means at ~1e-10 (the fit stops
    when the next step would gain 1e-10; on the 1,024 two-way models of a sparse 5-list
    table these were at most 7e-11, and every fitted empty cell of an existing MLE was
    above 1e-4): only tables with such a cell below 1e-6 are checked, once per pattern of
    empty cells, by an exact certificate or else the linear program."""
    ok = np.ones(Y.shape[0], dtype=bool)
    sparse = np.flatnonzero((Y == 0).any(axis=1))
    if sparse.size == 0:
        return ok
    Xo = X[1:]
    support = Xo != 0
    positive = Y[sparse] > 0
    empty = (positive.astype(float) @ support == 0) & support.any(axis=0) & np.all(Xo >= 0, axis=0)
    empty[:, 0] = False  # the intercept
    in_empty_term = (empty.astype(float) @ support.T) > 0
    suspect = np.any(~positive & ~in_empty_term & (mu[sparse] < 1e-6), axis=1)
    sets, which = np.unique(empty, axis=0, return_inverse=True)
    for k, terms in enumerate(sets):
        if terms.any():  # the rank on the cells the empty terms leave
            cells = ~((terms.astype(float) @ support.T) > 0)
            if np.linalg.matrix_rank(Xo[cells][:, ~terms]) < (~terms).sum():
                ok[sparse[which.ravel() == k]] = False
    rows = np.flatnonzero(suspect)
    patterns, which = np.unique(positive[rows], axis=0, return_inverse=True)
    for k, pattern in enumerate(patterns):
        j = rows[which.ravel() == k]
        # A certificate that the MLE is infinite: on the cells the empty terms leave, the
        # part of the fitted parameters that no cell kept positive sees (the projection onto
        # the null space of those cells' rows) is the direction the fit ran along; when it
        # lowers every vanished cell and moves no other cell, it is one (the empty terms'
        # own columns take their cells down). Else the linear program decides.
        row, cells, terms = sparse[j[0]], ~in_empty_term[j[0]], ~empty[j[0]]
        vanished = ((mu[row] < 1e-6) & ~pattern)[cells]
        A, b = Xo[cells][:, terms], beta[row, terms]
        kept = A[~vanished]
        d = b - np.linalg.lstsq(kept, kept @ b, rcond=None)[0]
        scale = 1e-9 * (1.0 + np.abs(b).max())
        proved = np.all(np.abs(kept @ d) < scale) and np.all(A[vanished] @ d < -1.0)
        if proved or not _check_design(X, pattern.astype(float))["ok"]:
            ok[sparse[j]] = False
    return ok


def _resampled_tables(counts: np.ndarray, estimate: float, draws: int, random_seed: int) -> tuple[np.ndarray, int]:
    """The nonparametric bootstrap for closed populations (Buckland & Garthwaite 1991): the
    ``N_hat`` victims (the observed ones, and ``N_hat - n`` on no list) resampled with
    replacement ``draws`` times; returns the tables' observed cells and ``N_hat``, the
    bootstrap world's true N."""
    rng = np.random.default_rng(random_seed)
    y = np.asarray(counts[1:], dtype=float)
    n = y.sum()
    total = max(int(round(estimate)), int(n))
    shares = np.concatenate([[total - n], y]) / total
    return rng.multinomial(total, shares, size=draws)[:, 1:], total


def bootstrap_interval(designs: list[np.ndarray], counts: np.ndarray, estimate: float, *, criterion: str,
                       level: float = 0.95, draws: int = 999, random_seed: int) -> dict[str, Any]:
    """BCa bootstrap interval for N that repeats the model selection in every bootstrap table.

    The ``draws`` tables of `_resampled_tables` each go through the whole procedure again
    (every model in ``designs`` fitted, the ``criterion`` choosing one), as Buckland, Burnham
    & Augustin (1997) advise so that the interval carries the uncertainty of the choice of
    model. The interval is BCa (Efron 1987), the kind MultipleSystemsEstimation/SparseMSE
    give for stepwise selection (Chan, Silverman & Vincent 2021): the bias correction from
    the share of bootstrap estimates below ``estimate``, the acceleration from the jackknife
    over the observed victims. Tables in which no model can be fitted count as N = infinity
    (their share is returned).
    """
    from scipy.stats import norm

    tables, _ = _resampled_tables(counts, estimate, draws, random_seed)
    boot = _selected_estimates(designs, tables, criterion)[0]
    below = (np.sum(boot < estimate) + 0.5 * np.sum(boot == estimate)) / draws
    z0 = float(norm.ppf(min(max(below, 0.5 / draws), 1 - 0.5 / draws)))
    # jackknife: one victim fewer in each non-empty cell, weighted by the cell's count
    y = np.asarray(counts[1:], dtype=float)
    cells = np.flatnonzero(y > 0)
    left_out = np.repeat(y[None, :], cells.size, axis=0)
    left_out[np.arange(cells.size), cells] -= 1
    jack = _selected_estimates(designs, left_out, criterion)[0]
    w = y[cells]
    d = np.average(jack, weights=w) - jack
    spread = float(np.sum(w * d**2))
    acceleration = float(np.sum(w * d**3) / (6 * spread**1.5)) if np.isfinite(spread) and spread > 0 else 0.0
    z = norm.ppf([(1 - level) / 2, (1 + level) / 2])
    probs = norm.cdf(z0 + (z0 + z) / (1 - acceleration * (z0 + z)))
    lower, upper = np.quantile(boot, probs, method="inverted_cdf")
    return {"lower": float(lower), "upper": float(upper), "draws": int(draws), "z0": z0,
            "acceleration": acceleration, "not_estimable": float(np.mean(~np.isfinite(boot))),
            "random_seed": random_seed}


def signed_root_interval(designs: list[np.ndarray], counts: np.ndarray, estimate: float, selected: int, *,
                         criterion: str, level: float = 0.95, draws: int = 999,
                         random_seed: int) -> dict[str, Any]:
    """The selected model's profile-likelihood interval with its cut-offs calibrated by a
    bootstrap that repeats the model selection: equal-tailed signed-root likelihood ratio.

    The profile interval of a selected model is too short because the likelihood-ratio
    statistic of a model chosen by the data is larger than chi-square(1). Here its
    distribution is estimated instead (bootstrap calibration, "prepivoting": Beran 1988;
    of the signed root: DiCiccio, Martin & Stern 2001). In each table of
    `_resampled_tables` (true N = ``N_hat``) the ``criterion`` selects a model ``M_b``, and
    ``r_b = sign(N_b - N_hat) sqrt(2 (max_N l_b(N) - l_b(N_hat)))`` is the signed root of
    that model's profile likelihood ratio at the bootstrap world's true N (``N_b`` its
    maximum). The interval is the set of N whose signed root on the selected model
    ``designs[selected]`` lies between the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles
    of the ``r_b``: each end gets its own cut-off, because the tail of ``r_b`` is long on
    one side, which side depending on the data. Tables in which no model can be fitted
    count as ``r_b = +infinity`` (N infinitely above; their share is returned).
    """
    tables, truth = _resampled_tables(counts, estimate, draws, random_seed)
    boot, chosen = _selected_estimates(designs, tables, criterion)
    r = np.full(draws, np.inf)
    for k in np.unique(chosen[chosen >= 0]):
        rows = np.flatnonzero(chosen == k)
        l_max, n_max = _profile_maxima(designs[k], tables[rows], boot[rows])[:2]
        l_true = _profile_logliks(designs[k], tables[rows], np.full(rows.size, float(truth)))[0]
        r[rows] = np.sign(n_max - truth) * np.sqrt(np.maximum(2 * (l_max - l_true), 0.0))
    low, high = np.quantile(r, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    _, lower, upper = profile_interval(designs[selected], counts, start=estimate, roots=(float(high), float(low)))
    return {"lower": float(lower), "upper": float(upper), "draws": int(draws),
            "roots": (float(high), float(low)), "not_estimable": float(np.mean(chosen < 0)),
            "random_seed": random_seed}


def _auto_interval(table, designs: dict, models: list, counts: np.ndarray, criterion: str) -> str:
    """What ``interval="auto"`` means for these lists (measured in benchmarks/loglinear_coverage.md):
    the calibrated interval where it was measured to hold its level, after AIC among
    two-way models whose most general one leaves degrees of freedom (4 or more lists);
    elsewhere the full model's interval, which held it on every design (after BIC the
    calibrated one over-covered, on 3 lists it under-covered, and with three-way terms on 5
    lists its 999 tables take some ten minutes); when the full model cannot be fitted, the
    BCa bootstrap, which never covered less than 94.5%."""
    import warnings

    if len(models) == 1:
        return "profile"
    full = models[-1]
    two_way = max(len(term) for term in full) == 2
    if criterion == "aic" and two_way and designs[full].shape[1] < len(counts) - 1:
        return "calibrated"
    reason = table.loc[table["terms"] == full, "excluded"].iloc[0]
    if not reason:
        return "full"
    warnings.warn(f"the most general model cannot be fitted to these lists ({reason}), so the interval is the BCa "
                  "bootstrap, which relies on the selection of a simpler model; interval='full' shows what the "
                  "lists alone allow", stacklevel=3)
    return "bootstrap"


def _full_model_interval(table, designs: dict, full: tuple, counts: np.ndarray, level: float,
                         diagnostics: dict) -> tuple[float, float, str]:
    """The profile-likelihood interval of the family's most general model (``full``: every
    term up to the requested order), filled into ``table`` if it is not there yet and
    recorded in ``diagnostics["full"]``. N has the same meaning in every model of the
    family and each is nested in the most general one, so this interval is valid whichever
    model of the family is true, whatever the criterion chose. When that model cannot be
    used (excluded from the ranking: not identifiable, no finite MLE, or an unbounded
    unobserved cell) the data bound N only from below: the interval is ``[n, inf)``, with a
    warning."""
    import warnings

    i = table.index[table["terms"] == full][0]
    label = table.at[i, "model"]
    n = float(counts.sum())
    fitted = not table.at[i, "excluded"]
    if not fitted:
        warnings.warn(f"the most general model ({label}) cannot be fitted to these lists ({table.at[i, 'excluded']}): "
                      "without assuming some of its interactions away, the data bound N only from below, so "
                      "interval='full' gives [n, infinity); fewer terms or interval='bootstrap' rely on the "
                      "selection instead", stacklevel=3)
        lower, upper = n, math.inf
    else:
        if np.isnan(table.at[i, "lower"]):
            n_m, lo, hi = profile_interval(designs[full], counts, level=level, start=table.at[i, "estimate"])
            table.loc[i, ["multinomial_estimate", "lower", "upper"]] = [n_m, lo, hi]
        lower, upper = float(table.at[i, "lower"]), float(table.at[i, "upper"])
    diagnostics["full"] = {"model": label, "estimate": float(table.at[i, "estimate"]), "interval": (lower, upper),
                           "fitted": fitted}
    return lower, upper, f"profile likelihood (multinomial) of the most general model ({label})"


# -- the estimators -------------------------------------------------------------------------

@accepts_linkage
def loglinear(
    histories: Any,
    *,
    terms: str | int = "two-way",
    criterion: str = "aic",
    level: float = 0.95,
    profile_within: float | None = None,
    max_models: int = 20000,
    quantity: str = "total victims",
    interval: str = "auto",
    bootstrap_draws: int = 999,
    random_seed: int | None = None,
) -> Estimate:
    """Hierarchical log-linear models on ``J`` linked lists, fitted, ranked and selected.

    Model
    -----
    The counts of the ``2**J - 1`` observed inclusion patterns are independent Poisson,
    ``log E[n_x] = u + sum_j u_j x_j + sum_{T in M} u_T prod_{j in T} x_j``, for a
    hierarchical set ``M`` of interaction terms (list dependences) of order 2 up to
    ``terms`` (``"independence"``, ``"two-way"``, ``"three-way"`` or an integer; never
    the ``J``-way term, which the observed cells cannot identify; with two lists only the
    independence model is identifiable and is the one fitted), or the one model whose
    interactions ``terms`` lists as groups of list names (``[("A", "B"), ("B", "C")]``,
    hierarchical or not, as Rcapture's ``mX``). The unobserved cell is
    ``exp(u)`` (no list: all ``x_j = 0``) and the estimate is ``N = n + exp(u_hat)``. The
    assumption is that the highest-order interaction is zero: the dependence seen among the
    observed cells extends to the unobserved one. Heterogeneous catchability is captured
    only through the interactions.

    Every model is first checked by `identifiability` (as SparseMSE's ``checkident``: full
    rank, and a finite MLE by the linear program of Fienberg & Rinaldo 2012); a model that
    fails, or whose fit leaves the unobserved cell unbounded, stays in ``details`` with the
    reason in ``excluded`` and takes no part in the ranking. When the one model asked for
    fails, or every model does, a ValueError gives the reason. The others are fitted, all
    in one batch, by Newton–Raphson on the small ``2**J - 1``-cell design (the Poisson GLM
    that statsmodels and Rcapture fit: the same estimates to 1e-11 on the test data), and
    ranked by ``criterion`` (``"aic"``: ``-2 log L + 2p``; ``"bic"``: ``-2 log L + p log n``,
    ``n`` observed); the value is the selected model's estimate.

    Interval
    --------
    A ``level`` confidence interval; which one is ``interval``:

    * ``"calibrated"``: the selected model's profile-likelihood interval with each end's
      cut-off taken from a bootstrap instead of chi-square(1) (`signed_root_interval`). The
      ``bootstrap_draws`` tables resample the victims, the ``N_hat - n`` unseen included
      (Buckland & Garthwaite 1991), and repeat the whole selection; the cut-offs are
      quantiles of the signed root of the likelihood ratio of the model selected in each
      table, at the bootstrap world's true N (Beran 1988; DiCiccio, Martin & Stern 2001).
      Seeded by ``random_seed``, which is then required (``"auto"`` says when it chooses
      this interval).
    * ``"full"``: the profile-likelihood interval of the most general model of the family
      (every term up to ``terms``). N means the same in every model and each is nested in
      that one, so this interval is valid whichever model of the family is true and does
      not depend on the choice; it is longer. When that model cannot be fitted (empty cells)
      it is ``[n, inf)``, with a warning. Deterministic. The value stays the selected
      model's estimate; in the rare data set where it falls outside the interval (1 of 100
      on the 3-list OR 0.5 design), a warning says so, as it does for any interval.
    * ``"bootstrap"``: the BCa interval of the same bootstrap tables (`bootstrap_interval`;
      Buckland, Burnham & Augustin 1997; as SparseMSE does for its stepwise selection).
    * ``"profile"``: the selected model's multinomial profile-likelihood interval (Cormack
      1992; Rcapture's ``closedpCI.t``), which treats the chosen model as if it had been
      fixed in advance.
    * ``"auto"`` (default): ``"calibrated"`` after AIC selection among two-way models whose
      most general one leaves degrees of freedom (4 or more lists), where it was measured
      in band and is the shortest; ``"full"`` otherwise: on 3 lists (the most general model
      is saturated: 7 parameters on 7 observed cells), after BIC, and with three-way terms;
      ``"bootstrap"``, with a warning, when the most general model cannot be fitted (it is
      excluded: empty cells, such as an empty two-list overlap on 3 lists, leave it not
      identifiable or without a finite MLE); ``"profile"`` when only one model was fitted
      (``terms="independence"``, one model named by its interactions, or two lists).

    What each costs on the Kosovo lists (4 lists, 64 two-way models; median seconds per
    call on a shared 2-core machine, ``benchmarks/loglinear_speed.md``): the model table and
    estimate with the selected model's interval (``interval="profile"``,
    ``profile_within=0``) 0.02 s (Rcapture's ``closedp.t``: 0.025 s); ``"profile"`` or
    ``"full"`` with every model's profile interval in ``details`` 0.03 s; ``"bootstrap"``,
    ``"calibrated"`` and so the default 0.5 s (999 tables, each refitting all 64 models).

    Why ``"auto"`` chooses as it does, measured on simulated lists (``benchmarks/mse.py``;
    the full table, with every design and the alternatives tried and not adopted, is in
    ``benchmarks/loglinear_coverage.md``): after AIC selection the selected model's
    profile interval covered 78-94% (it ignores the choice of model), the bootstrap
    94.5-99% (long), the calibrated interval 93-97% on 4 and 5 lists and the shortest
    there, but 85.5-97% on 3 lists, where the full model's interval covered 94-97.5%.

    Returns
    -------
    Estimate with ``value`` the selected model's Poisson estimate; ``diagnostics`` the
    selected model's fit, its profile interval and, under ``"bootstrap"`` or
    ``"calibrated"``, the bootstrap's settings, its bias correction and acceleration or its
    signed-root cut-offs, and the share of tables where N was not estimable; under
    ``"full"``, the most general model, its estimate and interval;
    ``details`` one row per
    model (terms, parameters, deviance, df, AIC, BIC, estimate, se, ``converged``,
    ``excluded`` (why the model is not ranked, ``""`` when it is) and the profile interval:
    for the ranked models within ``profile_within`` of the best criterion, NaN for the
    others; by default every model when there are at most 64, else those within 10), sorted
    by criterion. ``interval_method`` names the interval computed.
    """
    from .._checks import check_seed
    from ._common import cell_counts, check_level

    level = check_level(level)
    if criterion not in ("aic", "bic"):
        raise ValueError(f"criterion must be 'aic' or 'bic', got {criterion!r}")
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {list(INTERVALS)}, got {interval!r}")
    if isinstance(bootstrap_draws, bool) or int(bootstrap_draws) != bootstrap_draws or bootstrap_draws < 99:
        raise ValueError(f"bootstrap_draws must be an integer >= 99, got {bootstrap_draws!r}")
    if random_seed is not None:
        check_seed(random_seed)
    names, counts = cell_counts(histories)
    J = len(names)
    if isinstance(terms, str | int) and not isinstance(terms, bool):
        if J < 3 and terms not in ("independence", 1):
            terms = 1  # two lists: only the independence model is identifiable
        order = _ORDERS.get(terms, terms) if isinstance(terms, str) else int(terms)
        if not isinstance(order, int) or order < 1:
            raise ValueError(f"terms must be one of {list(_ORDERS)}, a positive integer or a list of interactions, "
                             f"got {terms!r}")
        models = hierarchical_models(J, order, limit=max_models)
    else:  # one model, given by its interactions
        models = [_interaction_terms(names, terms)]
    table, designs = _ranked_models(models, J, names, counts, criterion=criterion, level=level,
                                    profile_within=profile_within)
    best = table.loc[table.index[table["excluded"] == ""][0]]
    diagnostics = {"models": len(table), "criterion": criterion, "selected": best["model"],
                   "aic": float(best["aic"]), "bic": float(best["bic"]),
                   "deviance": float(best["deviance"]), "df": int(best["df"]), "se": float(best["se"]),
                   "profile_interval": (float(best["lower"]), float(best["upper"])), "lists": names}
    chosen = _auto_interval(table, designs, models, counts, criterion) if interval == "auto" else interval
    lower, upper, method = _interval(chosen, table, designs, models, best, counts, diagnostics, level=level,
                                     criterion=criterion, bootstrap_draws=bootstrap_draws,
                                     random_seed=random_seed, auto=interval == "auto")
    if not lower <= best["estimate"] <= upper:  # rare (1 in 100 on a 3-list design), and confusing unflagged
        import warnings

        warnings.warn(f"the selected model's estimate {best['estimate']:,.0f} lies outside the interval "
                      f"({lower:,.0f} to {upper:,.0f}; {method}): the lists sit uneasily with the selected model "
                      "(details holds every model's estimate); the interval, not the value, has the measured "
                      "coverage", stacklevel=2)
    table["terms"] = table["terms"].map(lambda m: ";".join("".join(str(j) for j in t) for t in m))
    return Estimate(
        value=best["estimate"], lower=lower, upper=upper, level=level,
        interval="confidence", interval_method=method,
        method=f"loglinear ({best['model']}; {criterion.upper()})", quantity=quantity,
        observed=int(counts.sum()), diagnostics=diagnostics, details=table,
    )


def _ranked_models(models: list, J: int, names: list[str], counts: np.ndarray, *, criterion: str, level: float,
                   profile_within: float | None):
    """Every model checked (`identifiability`), fitted and ranked by ``criterion`` (the
    table `loglinear` returns in ``details``, terms still as tuples), with its profile
    interval where asked, and the design matrices by model.

    A model that is not identifiable, whose MLE does not exist, or whose fit leaves the
    unobserved cell unbounded stays in the table with the reason in ``excluded`` and out of
    the ranking (no interval); its fit is shown when the unobserved cell keeps a limit (a
    boundary fit, as Rcapture reports it), else ``estimate`` and ``se`` are NaN. When the
    one model asked for, or every model, is excluded, a ValueError says why."""
    import pandas as pd

    designs = {model: _design(J, model) for model in models}
    labels = [_term_label(names, m) for m in models]
    checks = _check_designs(list(designs.values()), counts[1:])
    excluded = ["" if c["ok"] else _identifiability_report(c, _column_labels(names, m), label, J)["message"]
                for c, m, label in zip(checks, models, labels)]
    _refuse_if_none_left(labels, excluded)
    fit = _fit_designs(list(designs.values()), counts)
    determined = np.array([c["unobserved_determined"] for c in checks])
    converged = fit["converged"] & determined
    for i in np.flatnonzero(~converged):
        if not excluded[i]:
            excluded[i] = "the fit did not converge to a finite unobserved cell (below 1e6 times n)"
    _refuse_if_none_left(labels, excluded)
    table = pd.DataFrame({"model": labels, "terms": models,
                          **{k: fit[k] for k in ("params", "deviance", "df", "aic", "bic")},
                          "estimate": np.where(determined, fit["estimate"], np.nan),
                          "se": np.where(determined, fit["se"], np.nan),
                          "converged": converged, "excluded": excluded})
    table = table.sort_values([criterion, "params"], kind="mergesort").reset_index(drop=True)
    ranked = table["excluded"] == ""
    table["delta_" + criterion] = table[criterion] - table.loc[ranked, criterion].iloc[0]
    table["lower"], table["upper"], table["multinomial_estimate"] = np.nan, np.nan, np.nan
    # Profile intervals for every model when there are few (J <= 4), else for those
    # within `profile_within` of the best criterion (the rest keep NaN).
    if profile_within is None:
        profile_within = np.inf if len(table) <= 64 else 10.0
    near = table.index[ranked & (table["delta_" + criterion] <= profile_within)]
    if len(near):
        n_m, lo, hi = _profile_intervals([designs[table.at[i, "terms"]] for i in near], counts,
                                         table.loc[near, "estimate"].to_numpy(), level=level)
        table.loc[near, "multinomial_estimate"], table.loc[near, "lower"], table.loc[near, "upper"] = n_m, lo, hi
    return table, designs


def _refuse_if_none_left(labels: list[str], excluded: list[str]) -> None:
    """The ValueError when the one model asked for, or every model, cannot be used."""
    if len(labels) == 1 and excluded[0]:
        raise ValueError(f"the model {labels[0]} cannot be used on these lists: {excluded[0]}")
    if all(excluded):
        kinds = {"not identifiable": "not identifiable", "the MLE does not exist": "without a finite MLE",
                 "the fit did not converge": "not converged"}
        counted = ", ".join(f"{sum(kind in r for r in excluded)} {said}" for kind, said in kinds.items()
                            if any(kind in r for r in excluded))
        raise ValueError(f"no log-linear model can be used on these lists ({len(labels)} tried: {counted}); "
                         f"for example {labels[-1]}: {excluded[-1]}")


def _interval(interval: str, table, designs: dict, models: list, best, counts: np.ndarray, diagnostics: dict, *,
              level: float, criterion: str, bootstrap_draws: int, random_seed: Any, auto: bool):
    """(lower, upper, method) of the interval chosen; bootstrap settings go in ``diagnostics``."""
    from .._checks import require_seed

    if interval == "full" and len(models) > 1:
        return _full_model_interval(table, designs, models[-1], counts, level, diagnostics)
    if interval in ("bootstrap", "calibrated"):
        args = ([designs[m] for m in models], counts, float(best["estimate"]))
        seed = require_seed(random_seed, f"interval={interval!r} (a bootstrap)"
                            + (", chosen by interval='auto' for these lists" if auto else ""))
        options = dict(criterion=criterion, level=level, draws=int(bootstrap_draws), random_seed=seed)
        if interval == "calibrated":
            boot = signed_root_interval(*args, models.index(best["terms"]), **options)
            method = (f"calibrated profile likelihood, {criterion.upper()} selection repeated in {boot['draws']} "
                      "bootstrap tables")
        else:
            boot = bootstrap_interval(*args, **options)
            method = f"BCa bootstrap, {criterion.upper()} selection repeated in {boot['draws']} tables"
        diagnostics[interval] = boot
        return boot["lower"], boot["upper"], method
    return best["lower"], best["upper"], "profile likelihood (multinomial), selected model"


_HETEROGENEITY = ("chao", "poisson", "darroch")


def _heterogeneity_columns(J: int, kind: str, theta: float = 2.0) -> np.ndarray:
    from ._common import patterns

    f = patterns(J).sum(axis=1).astype(float)
    if kind == "chao":  # Chao's lower bound: (f-2)+, (f-3)+, ..., (f-(J-1))+
        return np.column_stack([np.maximum(f - k, 0) for k in range(2, J)])
    if kind == "poisson":
        return (theta**f - 1)[:, None]
    if kind == "darroch":
        return (f**2 / 2)[:, None]
    raise ValueError(f"heterogeneity must be one of {_HETEROGENEITY}, got {kind!r}")


def _interaction_terms(names: list[str], interactions: Any) -> tuple[tuple[int, ...], ...]:
    """List-name sets -> sorted index tuples, refusing unknown names and the J-way term."""
    terms = set()
    for group in interactions:
        if isinstance(group, str) or len(set(group)) < 2:
            raise ValueError(f"each interaction is two or more list names, got {group!r}")
        unknown = [g for g in group if g not in names]
        if unknown:
            raise ValueError(f"interaction {group!r}: unknown list(s) {unknown}; the lists are {names}")
        if len(set(group)) == len(names):
            raise ValueError("the interaction of all lists is not identifiable from the observed cells")
        terms.add(tuple(sorted(names.index(g) for g in set(group))))
    return tuple(sorted(terms, key=lambda t: (len(t), t)))


@accepts_linkage
def mth(
    histories: Any,
    *,
    heterogeneity: str = "chao",
    interactions: Any = (),
    level: float = 0.95,
    negative_eta: bool = False,
    quantity: str = "total victims",
) -> Estimate:
    """Model M_th: list effects plus heterogeneous catchability (Rcapture's ``closedp.t``).

    Model
    -----
    Poisson log-linear on the observed cells with one main effect per list and a
    heterogeneity term in ``f``, the number of lists a victim is on
    (Baillargeon & Rivest 2007, Table 1; Rivest & Baillargeon 2007):

    * ``"chao"`` (Chao's lower bound): columns ``(f-2)+, ..., (f-(J-1))+``; with
      ``negative_eta=False`` (Rcapture's ``neg=TRUE``) columns whose coefficient is
      negative are dropped and the model refitted, which gives a lower bound for N;
    * ``"poisson"`` (Poisson2): ``2**f - 1``; ``"darroch"``: ``f**2 / 2``.

    It assumes the capture probabilities of a victim across lists are a list effect times
    a victim effect drawn from a mixing distribution (no list-to-list dependence beyond
    that). ``interactions`` adds list-to-list dependences on top, as pairs (or larger
    sets) of list names, e.g. ``[("A", "C"), ("B", "D")]``: Rcapture's ``closedpCI.t``
    with ``mX = ~ . + c1:c3 + c2:c4`` and ``h``. Needs ``J >= 3``. The interval is the
    multinomial profile-likelihood interval.
    """
    import pandas as pd

    from ._common import cell_counts, check_level

    level = check_level(level)
    names, counts = cell_counts(histories)
    J = len(names)
    if J < 3:
        raise ValueError("heterogeneity models need at least three lists")
    terms = _interaction_terms(names, interactions)
    base = _design(J, terms)
    H = _heterogeneity_columns(J, heterogeneity)
    columns = ([f"(f-{k})+" for k in range(2, J)] if heterogeneity == "chao"
               else ["2^f - 1"] if heterogeneity == "poisson" else ["f^2/2"])
    keep = np.ones(H.shape[1], dtype=bool)
    while True:
        X = np.column_stack([base, H[:, keep]]) if keep.any() else base
        check = _check_design(X, counts[1:])
        if not check["ok"]:
            labels = _column_labels(names, terms, [c for c, k in zip(columns, keep) if k])
            report = _identifiability_report(check, labels, _term_label(names, terms), J)
            raise ValueError(f"M_th {heterogeneity}: the model cannot be used on these lists: {report['message']}")
        fit = _fit_observed(X, counts)
        if heterogeneity != "chao" or negative_eta or not keep.any():
            break
        eta = fit["beta"][base.shape[1]:]
        if np.all(eta >= 0):
            break
        idx = np.flatnonzero(keep)
        keep[idx[eta < 0]] = False
    if not fit["converged"]:
        raise ValueError(f"M_th {heterogeneity}: the fit did not converge (N is not estimable from these counts)")
    n_m, lo, hi = profile_interval(X, counts, level=level, start=fit["estimate"])
    label = {"chao": "Mth Chao (LB)", "poisson": "Mth Poisson2", "darroch": "Mth Darroch"}[heterogeneity]
    if terms:
        label += " + " + _term_label(names, terms)
    details = pd.DataFrame([{
        "model": label, "estimate": fit["estimate"], "se": fit["se"], "deviance": fit["deviance"],
        "df": fit["df"], "aic": fit["aic"], "bic": fit["bic"], "multinomial_estimate": n_m,
        "lower": lo, "upper": hi}])
    return Estimate(
        value=fit["estimate"], lower=lo, upper=hi, level=level, interval="confidence",
        interval_method="profile likelihood (multinomial)", method=f"mth ({label})",
        quantity=quantity, observed=int(counts.sum()),
        diagnostics={"deviance": fit["deviance"], "df": fit["df"], "aic": fit["aic"], "se": fit["se"],
                     "heterogeneity_columns_kept": int(keep.sum())},
        details=details,
    )
