"""Exact marginalisation: the engine `multi_source` runs.

Given the kind hyperparameters θ, N (in cells), every completeness (on a logit grid), each
monitor's over-count share and κ (in strata) are summed out, so θ's likelihood is exact up
to those grids; θ is sampled by Metropolis-within-Gibbs, the rest drawn from its exact
conditionals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .layout import Layout
from .likelihood import binomial_row, poisson_row
from .priors import Priors, beta_grid_weights, check_kinds, draw_theta, expit, log_prior_block


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


def population_bounds(population: Any, events: list[str]) -> list[tuple[float, float] | None]:
    """Per event, the population bound as ``(low, high)`` (None: no bound)."""
    if population is None:
        return [None] * len(events)
    if isinstance(population, Mapping):
        unknown = sorted(set(population) - set(events))
        if unknown:
            raise ValueError(f"population: no event {unknown[0]!r} in the counts (events: {events})")
        return [population_bounds(population[ev], [ev])[0] if ev in population else None for ev in events]
    if isinstance(population, (int, float, np.integer, np.floating)):
        low = high = float(population)
    else:
        try:
            low, high = (float(x) for x in population)
        except (TypeError, ValueError):
            raise TypeError("population must be a number, (low, high), or a mapping event -> either") from None
    if not (math.isfinite(low) and math.isfinite(high) and 1 <= low <= high):
        raise ValueError(f"population must be finite with 1 <= low <= high, got {(low, high)}")
    return [(low, high)] * len(events)


def population_weight(n: np.ndarray, n_min: float, bound: tuple[float, float] | None) -> np.ndarray:
    """Relative prior mass of N = n under a population bound P on N: the log-uniform prior
    on ``[n_min, P]``, averaged over P uniform on ``bound = (low, high)`` (one point when
    ``low == high``): ``E_P[1(n <= P) / log((P + 1) / n_min)]``, up to a constant."""
    if bound is None:
        return np.ones_like(n, dtype=float)
    ps, inv_z = population_grid(n_min, bound)
    return np.mean((np.asarray(n, dtype=float)[:, None] <= ps[None, :]) * inv_z[None, :], axis=1)


def population_grid(n_min: float, bound: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The values of the bound P averaged over, and each one's log-uniform normaliser 1/log((P + 1)/n_min)."""
    low, high = bound
    ps = np.array([low]) if high <= low else np.linspace(low, high, 201)
    return ps, 1 / np.log((ps + 1) / n_min)


class _BetaMixture:
    """An equal-weight mixture of Beta distributions, with its cdf and (tabulated) ppf."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        from scipy import stats

        self.a, self.b = np.atleast_1d(a), np.atleast_1d(b)
        self._x = np.linspace(0.0, 1.0, 20001)
        self._cdf = stats.beta.cdf(self._x[:, None], self.a, self.b).mean(axis=1)

    def ppf(self, q):
        return np.interp(q, self._cdf, self._x)

    def interval(self, level: float) -> tuple[float, float]:
        return float(self.ppf((1 - level) / 2)), float(self.ppf((1 + level) / 2))


def conceded_share_posterior(priors: Priors, conceded: int, reported: int, incidents: int | None) -> _BetaMixture:
    """Posterior of κ from ``conceded`` of ``reported`` deaths on the same incidents.

    Deaths cluster in incidents: the belligerent concedes or disputes an incident as a
    whole more often than death by death. With only totals the clustering cannot be
    learnt, so it is a stated prior: the intra-incident correlation ρ ~ Beta(
    ``priors.calibration_icc``), the design effect ``d = 1 + (m - 1) ρ`` with ``m =
    reported / incidents`` deaths per incident (Kish), and the counts enter as
    ``conceded / d`` of ``reported / d`` — a beta-binomial over incidents to second order.
    κ's posterior is the mixture over ρ. Without ``incidents`` the deaths are taken as
    independent (d = 1)."""
    from scipy import stats

    if incidents is None or reported <= incidents:
        d = np.array([1.0])
    else:
        rho = stats.beta(*priors.calibration_icc).ppf((np.arange(40) + 0.5) / 40)
        d = 1 + (reported / incidents - 1) * rho
    return _BetaMixture(priors.conceded[0] + conceded / d, priors.conceded[1] + (reported - conceded) / d)


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


def _per_stratum(terms: list[np.ndarray]) -> np.ndarray:
    """log P(all figures | θ, κ_j) per stratum j, from every event's (J, cells) terms."""
    return sum(_lse(t, axis=1) for t in terms)


class Engine:
    """The model with N and every completeness integrated out exactly (on grids).

    Per source s, ``L_s[j, g, c]`` is the probability of its figure(s) when N is cell c's
    value, its completeness is grid point ``p_g`` and (for acknowledged figures) the
    conceded share is ``κ_j``; monitors' over-count share is integrated out on its own
    grid. The hyperparameters θ (each kind's mean completeness and concentration) are the
    only sampled quantities; given θ, N and each completeness are drawn exactly.
    """

    def __init__(self, lay: Layout, priors: Priors, *, n_min: float, n_max: float,
                 exact_until: int = 500, ratio: float = 1.01, grid: int = 110, kappa_strata: int = 3,
                 population: list[tuple[float, float] | None] | None = None):
        from scipy import special as sp
        from scipy import stats

        self.lay, self.priors = lay, priors
        check_kinds(priors, lay.kinds)
        self.logit = np.linspace(-12.0, 9.0, grid)
        self.p = sp.expit(self.logit)
        self.log_p, self.log_q = np.log(self.p), np.log1p(-self.p)
        # Over-count share: a logit grid with the (fixed) prior's weights, tails included.
        self.o_grid = sp.expit(np.linspace(-9.0, 4.0, 40))
        self.o_weights = beta_grid_weights(*priors.overcount, np.log(self.o_grid), np.log1p(-self.o_grid))
        # Conceded share κ: equal-mass strata of its calibration posterior.
        if lay.calibration is not None:
            self.kappa_dist = conceded_share_posterior(priors, *lay.calibration)
            self.kappa = self.kappa_dist.ppf((np.arange(kappa_strata) + 0.5) / kappa_strata)
        else:
            self.kappa_dist, self.kappa = None, np.array([1.0])
        self.population = population or [None] * len(lay.events)
        tops = [n_max if b is None else min(n_max, b[1]) for b in self.population]
        self.cells = [_cells(lay.floor[e], n_min, tops[e], exact_until, ratio) for e in range(len(lay.events))]
        self.log_prior_cell = []
        for (first, last, rep), bound in zip(self.cells, self.population):
            with np.errstate(divide="ignore"):
                mass = np.log((last + 1) / first) * population_weight(rep, n_min, bound)
                self.log_prior_cell.append(np.log(mass) - np.log(mass.sum()))
        self.L = []
        for s in range(len(lay.sources)):
            rows = lay.versions(s)
            n = self.cells[lay.source_event[s]][2]
            is_ack = bool(lay.row_ack[rows[0]]) and lay.calibration is not None
            kappas = self.kappa if is_ack else np.array([1.0])
            mats = np.stack([np.mean([self._row_matrix(r, n, k) for r in rows], axis=0) for k in kappas])
            self.L.append(mats)
        self._event_sources = [np.flatnonzero(lay.source_event == e) for e in range(len(lay.events))]
        self._flat = [np.ascontiguousarray(mat.transpose(1, 0, 2).reshape(mat.shape[1], -1)) for mat in self.L]

    def _row_matrix(self, r: int, n: np.ndarray, kappa: float) -> np.ndarray:
        """P(row r | N = n_c, completeness p_g) on the (grid, cell) lattice."""
        nn = n[None, :]
        if self.lay.row_kind[r] == 2:  # monitor: over-count integrated out
            out = np.zeros((len(self.p), len(n)))
            for o, wo in zip(self.o_grid, self.o_weights):
                if wo < 1e-12:
                    continue
                out += wo * poisson_row(self.lay, r, nn, self.p[:, None], o)
            return out
        return binomial_row(self.lay, r, nn, (self.p * kappa)[:, None])

    # θ on the unconstrained scale: per kind (logit m_k, log φ_k).
    @property
    def dim(self) -> int:
        return 2 * len(self.lay.kinds)

    def theta(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = np.asarray(z).reshape(-1, len(self.lay.kinds), 2)
        return 1 / (1 + np.exp(-z[..., 0])), np.exp(z[..., 1])

    def _weights(self, m: float, phi: float) -> np.ndarray:
        """The completeness grid's weights under Beta(m φ, (1 - m) φ)."""
        return beta_grid_weights(m * phi, (1 - m) * phi, self.log_p, self.log_q)

    def _log_vector(self, s: int, w: np.ndarray) -> np.ndarray:
        """log P(source s's figures | N = cell c, κ_j) with its completeness weighted by w: (J, C)."""
        J, _, C = self.L[s].shape
        with np.errstate(divide="ignore"):
            return np.log((w @ self._flat[s]).reshape(J, C))

    def log_source_vectors(self, z: np.ndarray) -> list[np.ndarray]:
        """`_log_vector` of every source at θ = z."""
        m, phi = self.theta(z)
        w = [self._weights(m[0, k], phi[0, k]) for k in range(len(self.lay.kinds))]
        return [self._log_vector(s, w[self.lay.source_kind[s]]) for s in range(len(self.L))]

    def _kind_vectors(self, k: int, m: float, phi: float, logs: list) -> list:
        """Copy of ``logs`` with the sources of kind ``k`` recomputed."""
        w = self._weights(m, phi)
        logs = list(logs)
        for s in np.flatnonzero(self.lay.source_kind == k):
            logs[s] = self._log_vector(s, w)
        return logs

    def event_logpost(self, e: int, logs: list) -> np.ndarray:
        """log P(N in cell c, figures of event e | θ, κ_j): array (J, cells)."""
        out = np.broadcast_to(self.log_prior_cell[e], (len(self.kappa), len(self.log_prior_cell[e]))).copy()
        for s in self._event_sources[e]:
            out += logs[s]  # (1, C) or (J, C)
        return out

    def _loglik(self, logs: list) -> float:
        """log p(all figures | θ), κ averaged over its strata."""
        per_j = _per_stratum([self.event_logpost(e, logs) for e in range(len(self.lay.events))])
        if not np.any(np.isfinite(per_j)):
            return -np.inf
        return float(_lse(per_j) - math.log(len(per_j)))

    def sample(self, *, draws: int, tune: int, chains: int, rng) -> dict[str, Any]:
        """Metropolis-within-Gibbs on θ (continuous), one block (m_k, φ_k) per kind, chains
        run one after another. Each sweep updates every block twice: an adaptive 2-D random
        walk (Haario et al. 2001, adapted during tuning only) and an independence proposal
        from the block's prior (accepted on the likelihood ratio), which mixes fast when —
        as here — the data say little about a kind's hyperparameters. Only the sources of
        the updated kind are recomputed. Returns z (chain, draw, dim) and acceptance rates."""
        kinds = self.lay.kinds
        K = len(kinds)
        zs = np.zeros((chains, draws, 2 * K))
        accept = np.zeros(chains)
        for c in range(chains):
            for _ in range(100):
                z = draw_theta(self.priors, kinds, rng)
                logs = self.log_source_vectors(z)
                ll = self._loglik(logs)
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
                            log_ratio_prior = (log_prior_block(self.priors, kinds[k], prop)
                                               - log_prior_block(self.priors, kinds[k], zk))
                        else:  # all kinds drawn, k's kept: the random stream (and every result) as before
                            prop = draw_theta(self.priors, kinds, rng)[2 * k: 2 * k + 2]
                            log_ratio_prior = 0.0
                        m, phi = expit(prop[0]), math.exp(prop[1])
                        if not (1e-12 < m < 1 - 1e-12 and 1e-6 < phi < 1e6):
                            continue
                        logs_new = self._kind_vectors(k, m, phi, logs)
                        ll_new = self._loglik(logs_new)
                        n_prop += it >= tune
                        if math.log(rng.uniform()) < ll_new - ll + log_ratio_prior:
                            z = z.copy()
                            z[2 * k: 2 * k + 2] = prop
                            zk, logs, ll = prop, logs_new, ll_new
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
        pmf_out = [np.zeros((chains, draws, len(cells[0])), dtype=np.float32) for cells in self.cells]
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
                    logs = self.log_source_vectors(z)
                    m, phi = self.theta(z)
                    terms = [self.event_logpost(e, logs) for e in range(len(lay.events))]
                    per_j = _per_stratum(terms)
                    w_j = np.exp(per_j - _lse(per_j))
                    pmfs = [(w_j[:, None] * np.exp(tm - _lse(tm, axis=1)[:, None])).sum(axis=0) for tm in terms]
                    last_z = z
                for e in range(len(lay.events)):
                    pmf_out[e][c, t] = pmfs[e]
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
                        p_out[c, t, s] = expit(self.logit[g] + step * (rng.uniform() - 0.5))
                        if s in lay.monitor_sources:
                            like = self.o_weights * sum(poisson_row(lay, r, rep[cell], self.p[g], self.o_grid)
                                                        for r in lay.versions(s))
                            with np.errstate(divide="ignore"):
                                h = _choice(rng, np.log(like)) if like.sum() > 0 else 0
                            o_out[c, t, lay.monitor_sources.index(s)] = self.o_grid[h]
        return {"N": n_out, "N_pmf": pmf_out, "completeness": p_out, "overcount": o_out, "conceded_share": k_out,
                "completeness_mean": m_out.reshape(chains, draws, -1),
                "concentration": phi_out.reshape(chains, draws, -1)}
