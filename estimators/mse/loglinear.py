"""Log-linear models for multiple lists: hierarchical models, selection, profile intervals.

The models of Fienberg (1972) and Bishop, Fienberg & Holland (1975, ch. 6), as Rcapture
fits them (Baillargeon & Rivest 2007): a Poisson GLM on the ``2**J - 1`` observed cells
of the list-inclusion table, the unobserved cell predicted from the fitted model.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from ..result import Estimate
from .linked import accepts_linkage

__all__ = ["loglinear", "mth", "hierarchical_models", "profile_interval", "bootstrap_interval",
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


# -- fitting --------------------------------------------------------------------------------

def _poisson_irls(X: np.ndarray, Y: np.ndarray, beta: np.ndarray | None = None,
                  *, tol: float = 1e-10, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson log-linear MLEs of one design ``X`` on many tables at once (rows of ``Y``):
    Newton–Raphson with step halving, batched. Returns ``(beta, converged, loglik)``, one
    row each; ``loglik`` omits the constant ``-sum log y!``.

    Serves the profile likelihood (one table) and the bootstrap (thousands). A table has
    converged when the gain the next Newton step predicts (half the Newton decrement
    ``grad' H^-1 grad``) is below ``tol``, in log-likelihood units. Not a relative change
    of the log-likelihood: in the profile likelihood at N ~ 1e9 the unobserved cell makes
    it ~2e10, so a relative 1e-12 would stop 0.02 short, by an amount that differs from
    CPU to CPU. With empty margins the MLE lies at the boundary (some parameters run to
    infinity, the fitted cells to zero); the predicted gain still falls geometrically there,
    and halving keeps every step uphill, so such fits creep to the boundary instead of
    oscillating.
    """
    Y = np.asarray(Y, dtype=float)
    B, p = Y.shape[0], X.shape[1]

    def loglik(b: np.ndarray, y: np.ndarray) -> np.ndarray:
        eta = np.clip(b @ X.T, -700, 700)
        return np.einsum("bc,bc->b", y, eta) - np.exp(eta).sum(axis=1)

    if beta is None:
        beta = np.log(Y + 0.5) @ np.linalg.pinv(X).T
    beta = np.array(np.broadcast_to(beta, (B, p)), dtype=float)
    f = loglik(beta, Y)
    active = np.ones(B, dtype=bool)
    failed = np.zeros(B, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        b, y, f_old = beta[idx], Y[idx], f[idx]
        mu = np.exp(np.clip(b @ X.T, -700, 700))
        grad = (y - mu) @ X
        hess = np.einsum("bc,cp,cq->bpq", mu, X, X)
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
        f_new = loglik(b + step, y)
        downhill = f_new < f_old - 1e-12 * np.abs(f_old)
        for _ in range(40):
            if not downhill.any():
                break
            step[downhill] /= 2
            f_new[downhill] = loglik(b[downhill] + step[downhill], y[downhill])
            downhill = f_new < f_old - 1e-12 * np.abs(f_old)
        beta[idx] = b + step
        f[idx] = f_new
        done = gain <= tol
        failed[idx[bad_step]] = True
        active[idx[done | bad_step]] = False
    return beta, ~active & ~failed, f


def _fit_observed(X: np.ndarray, counts: np.ndarray) -> dict[str, Any]:
    """Poisson GLM (statsmodels) on the observed cells; the unobserved cell predicted."""
    import statsmodels.api as sm
    from scipy.special import gammaln

    y = counts[1:].astype(float)
    Xo = X[1:]
    n = y.sum()
    out: dict[str, Any] = {"params": Xo.shape[1]}
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(y, Xo, family=sm.families.Poisson()).fit(tol=1e-12, maxiter=200)
        beta = np.asarray(res.params)
        cov = np.asarray(res.cov_params())
        converged = bool(res.converged)
    except (np.linalg.LinAlgError, ValueError):
        beta, converged = np.full(Xo.shape[1], np.nan), False
        cov = np.full((Xo.shape[1], Xo.shape[1]), np.nan)
    rank = np.linalg.matrix_rank(Xo)
    mu = np.exp(Xo @ beta)
    loglik = float(np.sum(y * np.log(np.where(mu > 0, mu, 1)) - mu - gammaln(y + 1)))
    pos = y > 0
    deviance = float(2 * (np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y - mu)))
    m0 = float(np.exp(X[0] @ beta))
    var_b0 = float(X[0] @ cov @ X[0])
    ok = converged and rank == Xo.shape[1] and np.isfinite(m0) and m0 < 1e6 * max(n, 1)
    out.update(
        beta=beta, converged=ok, deviance=deviance, df=len(y) - Xo.shape[1], loglik=loglik,
        aic=-2 * loglik + 2 * Xo.shape[1], bic=-2 * loglik + Xo.shape[1] * math.log(n),
        unobserved=m0 if ok else math.inf, estimate=n + m0 if ok else math.inf,
        # Rcapture's standard error: Poisson variance of the cell plus the delta method.
        se=math.sqrt(m0 + m0**2 * var_b0) if ok else math.inf,
    )
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
        beta[~ok] = _poisson_irls(X, y[~ok])[0]
    mu = np.exp(np.clip(beta @ X.T, -700, 700))
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


def _profile_maxima(X: np.ndarray, Y: np.ndarray, N0: np.ndarray, steps: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """``max_N`` of each table's profile log-likelihood and where it is: Newton in
    ``t = log(N - n)`` from ``N0`` (the Poisson estimates, already close), batched; the
    second derivative by a forward difference, each step at most 1 in t, the best point
    kept (so a maximum on the boundary N = n is approached, never overshot)."""
    n = np.asarray(Y, dtype=float).sum(axis=1)
    t = np.log(np.maximum(np.asarray(N0, dtype=float) - n, 1e-3))
    ll, g, beta = _profile_logliks(X, Y, n + np.exp(t))
    best_ll, best_t = ll.copy(), t.copy()
    h = 1e-3
    for _ in range(steps):
        slope = g * np.exp(t)
        _, g2, _ = _profile_logliks(X, Y, n + np.exp(t + h), beta)
        curvature = (g2 * np.exp(t + h) - slope) / h
        concave = curvature < 0
        step = np.where(concave, -slope / np.where(concave, curvature, -1.0), 0.5 * np.sign(slope))
        step = np.clip(step, -1.0, 1.0)
        t = t + step
        ll, g, beta = _profile_logliks(X, Y, n + np.exp(t), beta)
        better = ll > best_ll
        best_ll[better], best_t[better] = ll[better], t[better]
        if np.all(np.abs(step) < 1e-7):
            break
    return best_ll, n + np.exp(best_t)


class _Unbounded(Exception):
    """The profile likelihood still rises at N - n = 1e6 n: no finite maximum."""


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
    lower end is measured from the likelihood at ``N - n = 1e6 n``.
    """
    from scipy.optimize import brentq, minimize_scalar
    from scipy.stats import chi2

    n = float(counts[1:].sum())
    if roots is None:
        z = math.sqrt(chi2.ppf(level, 1))
        roots = (z, -z)
    warm: dict[str, Any] = {"beta": None}

    def ll(N: float) -> float:
        value, beta = _profile_loglik(X, counts, N, warm["beta"])
        warm["beta"] = beta
        return value

    # 1e6 n: the bound the fits use for an estimable unobserved cell. A likelihood still
    # rising there (empty cells leave the model unbounded) has no finite maximum.
    t_far = math.log(1e6 * max(n, 1.0))

    def objective(t: float) -> float:
        if t > t_far + 1.0:
            raise _Unbounded
        return -ll(n + math.exp(t))

    m0 = max((start or n * 1.1) - n, 1e-3)
    # Maximise over log(N - n) so that the search never leaves N > n.
    try:
        if ll(n + math.exp(t_far)) >= ll(n + math.exp(t_far - 1.0)):
            raise _Unbounded
        res = minimize_scalar(objective, bracket=(math.log(m0) - 0.5, math.log(m0) + 0.5), tol=1e-10)
        t_max, l_hat = float(res.x), -float(res.fun)
    except _Unbounded:
        t_max = t_far
        warm["beta"] = None  # the last warm start came from far out
        l_hat = ll(n + math.exp(t_max))
    # On a boundary (best N = n) the maximiser runs off towards log(0); the ends are then
    # searched from N - n = 1e-9 n, or the steps of 0.5 below would not move it.
    t_hat = max(t_max, math.log(1e-9 * max(n, 1.0)))
    n_hat = n + math.exp(t_max) if t_max < t_far else math.inf

    def end(root: float) -> float:
        """The N where r(N) = root: below N_hat for a positive root, above for a negative."""
        if root == 0:
            return n_hat
        cut = root * root / 2
        if math.isinf(cut):
            return n if root > 0 else math.inf
        g = lambda t: l_hat - ll(n + math.exp(t)) - cut  # noqa: E731

        def crossing(a: float, b: float) -> float | None:
            # None when g no longer changes sign on [a, b]: on a boundary (an empty margin)
            # the fits creep, and two evaluations at one N can differ in the last digits
            try:
                return n + math.exp(brentq(g, a, b, xtol=1e-12))
            except ValueError:
                return None

        t = t_hat
        if root > 0:
            for _ in range(60):
                t -= 1.0
                if g(t) > 0 and (found := crossing(t, t + 1.0)) is not None:
                    return found
            return n
        while t <= math.log(1e7 * n):  # by 0.5 in log(N - n), however small N_hat - n is
            t += 0.5
            if g(t) > 0 and (found := crossing(t - 0.5, t)) is not None:
                return found
        return math.inf

    return n_hat, end(roots[0]), end(roots[1])


def _selected_estimates(designs: list[np.ndarray], Y: np.ndarray, criterion: str) -> tuple[np.ndarray, np.ndarray]:
    """For each table (a row of ``Y``: the ``2**J - 1`` observed cells), N of the model the
    criterion selects among ``designs`` and that model's index, fitted by `_poisson_irls`
    (batched); N is ``inf`` and the index -1 when no model can be fitted (N not estimable
    from that table).

    The same rules as `loglinear`: a model counts when its fit converged, its design has full
    rank and its unobserved cell is below 1e6 times n; ties go to the first in ``designs``
    (fewer terms)."""
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
        penalty = 2.0 if criterion == "aic" else np.log(n)
        crit = np.where(ok, -2 * loglik + penalty * Xo.shape[1], np.inf)
        better = crit < best
        best[better], estimate[better], selected[better] = crit[better], n[better] + m0[better], i
    return estimate, selected


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
        l_max, n_max = _profile_maxima(designs[k], tables[rows], boot[rows])
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
    if table.loc[table["terms"] == full, "converged"].iloc[0]:
        return "full"
    warnings.warn("the most general model cannot be fitted to these lists (empty cells leave its unobserved cell "
                  "unbounded), so the interval is the BCa bootstrap, which relies on the selection of a simpler "
                  "model; interval='full' shows what the lists alone allow", stacklevel=3)
    return "bootstrap"


def _full_model_interval(table, designs: dict, full: tuple, counts: np.ndarray, level: float,
                         diagnostics: dict) -> tuple[float, float, str]:
    """The profile-likelihood interval of the family's most general model (``full``: every
    term up to the requested order), filled into ``table`` if it is not there yet and
    recorded in ``diagnostics["full"]``. N has the same meaning in every model of the
    family and each is nested in the most general one, so this interval is valid whichever
    model of the family is true, whatever the criterion chose. When that model cannot be
    fitted (empty margins leave its unobserved cell unbounded) the data bound N only from
    below: the interval is ``[n, inf)``, with a warning."""
    import warnings

    i = table.index[table["terms"] == full][0]
    label = table.at[i, "model"]
    n = float(counts.sum())
    if not table.at[i, "converged"]:
        warnings.warn(f"the most general model ({label}) cannot be fitted to these lists (empty cells leave its "
                      "unobserved cell unbounded): without assuming some of its interactions away, the data bound "
                      "N only from below, so interval='full' gives [n, infinity); fewer terms or "
                      "interval='bootstrap' rely on the selection instead", stacklevel=3)
        lower, upper = n, math.inf
    else:
        if np.isnan(table.at[i, "lower"]):
            n_m, lo, hi = profile_interval(designs[full], counts, level=level, start=table.at[i, "estimate"])
            table.loc[i, ["multinomial_estimate", "lower", "upper"]] = [n_m, lo, hi]
        lower, upper = float(table.at[i, "lower"]), float(table.at[i, "upper"])
    diagnostics["full"] = {"model": label, "estimate": float(table.at[i, "estimate"]), "interval": (lower, upper),
                           "fitted": bool(table.at[i, "converged"])}
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
    independence model is identifiable and is the one fitted). The unobserved cell is
    ``exp(u)`` (no list: all ``x_j = 0``) and the estimate is ``N = n + exp(u_hat)``. The
    assumption is that the highest-order interaction is zero: the dependence seen among the
    observed cells extends to the unobserved one. Heterogeneous catchability is captured
    only through the interactions.

    Every hierarchical model is fitted (statsmodels GLM, Poisson) and ranked by
    ``criterion`` (``"aic"``: ``-2 log L + 2p``; ``"bic"``: ``-2 log L + p log n``, ``n``
    observed); the value is the selected model's estimate.

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
      ``"bootstrap"``, with a warning, when the most general model cannot be fitted (empty
      cells, such as an empty two-list overlap on 3 lists); ``"profile"`` when only one
      model was fitted (``terms="independence"``, or two lists).

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
    model (terms, parameters, deviance, df, AIC, BIC, estimate, se, and the profile interval:
    for the models within ``profile_within`` of the best criterion, NaN for the others;
    by default every model when there are at most 64, else those within 10), sorted by
    criterion.
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
    if J < 3 and terms not in ("independence", 1):
        terms = 1  # two lists: only the independence model is identifiable
    order = _ORDERS.get(terms, terms) if isinstance(terms, str) else int(terms)
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"terms must be one of {list(_ORDERS)} or a positive integer, got {terms!r}")
    models = hierarchical_models(J, order, limit=max_models)
    table, designs = _ranked_models(models, J, names, counts, criterion=criterion, level=level,
                                    profile_within=profile_within)
    best = table.loc[table.index[table["converged"]][0]]
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
    """Every model fitted and ranked by ``criterion`` (the table `loglinear` returns in
    ``details``, terms still as tuples), with its profile interval where asked, and the
    design matrices by model."""
    import pandas as pd

    rows, designs = [], {}
    for model in models:
        X = _design(J, model)
        designs[model] = X
        fit = _fit_observed(X, counts)
        rows.append({
            "model": _term_label(names, model), "terms": model, "params": fit["params"],
            "deviance": fit["deviance"], "df": fit["df"], "aic": fit["aic"], "bic": fit["bic"],
            "estimate": fit["estimate"], "se": fit["se"], "converged": fit["converged"],
        })
    table = pd.DataFrame(rows)
    table = table.sort_values([criterion, "params"], kind="mergesort").reset_index(drop=True)
    usable = table[table["converged"]]
    if usable.empty:
        raise ValueError("no log-linear model could be fitted (empty cells make the unobserved cell inestimable)")
    table["delta_" + criterion] = table[criterion] - usable[criterion].iloc[0]
    table["lower"], table["upper"], table["multinomial_estimate"] = np.nan, np.nan, np.nan
    # Profile intervals for every model when there are few (J <= 4), else for those
    # within `profile_within` of the best criterion (the rest keep NaN).
    if profile_within is None:
        profile_within = np.inf if len(table) <= 64 else 10.0
    near = table["delta_" + criterion] <= profile_within
    for i in table.index[table["converged"] & near]:
        n_m, lo, hi = profile_interval(designs[table.at[i, "terms"]], counts, level=level,
                                       start=table.at[i, "estimate"])
        table.loc[i, ["multinomial_estimate", "lower", "upper"]] = [n_m, lo, hi]
    return table, designs


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
    keep = np.ones(H.shape[1], dtype=bool)
    while True:
        X = np.column_stack([base, H[:, keep]]) if keep.any() else base
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
