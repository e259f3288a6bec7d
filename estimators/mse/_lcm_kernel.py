"""The latent-class capture–recapture Gibbs sampler, compiled with numba.

Kept apart from `latent_class` so that importing the estimator does not import numba
until a sampler runs. Works on the ``2**J`` cell counts, not on individuals: victims with
the same pattern are exchangeable, so their class labels are one multinomial draw per cell.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _seed(seed):
    np.random.seed(seed)


@njit(cache=True)
def gibbs(counts, K, a_alpha, b_alpha, burn, draws, thin, seed, n0_init):
    """Run one chain; return N, alpha, occupied classes and p0 per kept draw."""
    np.random.seed(seed)
    C = counts.shape[0]
    J = 0
    while (1 << J) < C:
        J += 1
    n = 0
    for x in range(1, C):
        n += counts[x]
    # bits[x, j]
    bits = np.zeros((C, J), dtype=np.int64)
    for x in range(C):
        for j in range(J):
            bits[x, j] = (x >> j) & 1
    lam = np.empty((J, K))
    for j in range(J):
        for k in range(K):
            lam[j, k] = 0.1 + 0.8 * np.random.random()
    pi = np.full(K, 1.0 / K)
    V = np.empty(K)
    alpha = 1.0
    n0 = n0_init
    P = np.empty((C, K))
    m = np.zeros((C, K), dtype=np.int64)
    nk = np.zeros(K, dtype=np.int64)
    ones = np.zeros((J, K), dtype=np.int64)
    out_N = np.empty(draws, dtype=np.int64)
    out_alpha = np.empty(draws)
    out_k = np.empty(draws, dtype=np.int64)
    out_p0 = np.empty(draws)
    total = burn + draws * thin
    kept = 0
    for it in range(total):
        # 1. cell-by-class probabilities P[x, k] = pi_k prod_j lam^x (1 - lam)^(1 - x)
        for k in range(K):
            P[0, k] = pi[k]
        size = 1
        for j in range(J):
            for x in range(size):
                for k in range(K):
                    P[x + size, k] = P[x, k] * lam[j, k]
                    P[x, k] = P[x, k] * (1.0 - lam[j, k])
            size *= 2
        # 2. n0 | theta ~ NegBin(n, 1 - p0) under the prior p(N) ~ 1/N (gamma-Poisson draw)
        p0 = 0.0
        for k in range(K):
            p0 += P[0, k]
        if p0 > 1.0 - 1e-12:
            p0 = 1.0 - 1e-12
        rate = np.random.gamma(n, p0 / (1.0 - p0))
        n0 = np.random.poisson(rate)
        # 3. class labels: one multinomial per cell (sequential binomials)
        for k in range(K):
            nk[k] = 0
            for j in range(J):
                ones[j, k] = 0
        for x in range(C):
            c = n0 if x == 0 else counts[x]
            if c == 0:
                continue
            rest = 0.0
            for k in range(K):
                rest += P[x, k]
            rem = c
            for k in range(K):
                if rem == 0:
                    break
                if k == K - 1 or rest <= 0.0:
                    b = rem
                else:
                    q = P[x, k] / rest
                    if q >= 1.0:
                        b = rem
                    elif q <= 0.0:
                        b = 0
                    else:
                        b = np.random.binomial(rem, q)
                rest -= P[x, k]
                rem -= b
                if b > 0:
                    nk[k] += b
                    for j in range(J):
                        if bits[x, j] == 1:
                            ones[j, k] += b
        # 4. lam_jk ~ Beta(1 + ones, 1 + n_k - ones)
        for j in range(J):
            for k in range(K):
                v = np.random.beta(1.0 + ones[j, k], 1.0 + nk[k] - ones[j, k])
                if v < 1e-300:
                    v = 1e-300
                lam[j, k] = v
        # 5. stick-breaking weights and 6. alpha
        tail = 0
        for k in range(K):
            tail += nk[k]
        logsum = 0.0
        remain = 1.0
        for k in range(K - 1):
            tail -= nk[k]
            v = np.random.beta(1.0 + nk[k], alpha + tail)
            if v > 1.0 - 1e-12:
                v = 1.0 - 1e-12
            V[k] = v
            pi[k] = v * remain
            remain *= 1.0 - v
            logsum += np.log(1.0 - v)
        V[K - 1] = 1.0
        pi[K - 1] = remain
        alpha = np.random.gamma(a_alpha + K - 1, 1.0 / (b_alpha - logsum))
        if it >= burn and (it - burn) % thin == thin - 1:
            occupied = 0
            for k in range(K):
                if nk[k] > 0:
                    occupied += 1
            out_N[kept] = n + n0
            out_alpha[kept] = alpha
            out_k[kept] = occupied
            out_p0[kept] = p0
            kept += 1
    return out_N, out_alpha, out_k, out_p0
