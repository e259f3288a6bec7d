"""The latent-class capture–recapture Gibbs sampler, compiled with numba.

Kept apart from `latent_class` so that importing the estimator does not import numba
until a sampler runs. The chain functions release the GIL, so chains run on threads; numba
keeps one random state per thread and each chain seeds its own, so a chain's draws do not
depend on which thread ran it. Works on the ``2**J`` cell counts, not on individuals: victims with
the same pattern are exchangeable, so their class labels are one multinomial draw per cell.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def log_factorials(size):
    """Table of log k! for k < size (BTRS looks these up instead of calling lgamma)."""
    out = np.empty(size)
    for k in range(size):
        out[k] = math.lgamma(k + 1.0)
    return out


@njit(cache=True)
def _logfact(k, table):
    if k < table.shape[0]:
        return table[int(k)]
    return math.lgamma(k + 1.0)


@njit(cache=True)
def binomial(n, p, table=np.zeros(0)):
    """Exact binomial draw in O(1): inversion when n p < 10, else Hörmann's (1993) BTRS
    transformed rejection with squeeze. (numba's own sampler costs O(n p).) ``table``
    holds log k! for small k (`log_factorials`), or is empty."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial(n, 1.0 - p, table)
    if n * p < 10.0:
        u = np.random.random()
        if u <= 1.0 - n * p:  # 1 - n p <= (1 - p)^n = P(0): the answer is 0, no power needed
            return 0
        q = 1.0 - p
        s = p / q
        a = (n + 1) * s
        r = q**n
        x = 0
        while u > r:
            u -= r
            x += 1
            if x > n:  # rounding: start again
                u = np.random.random()
                x = 0
                r = q**n
                continue
            r *= a / x - s
        return x
    spq = math.sqrt(n * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    lpq = math.log(p / (1.0 - p))
    m = math.floor((n + 1) * p)
    h = _logfact(m, table) + _logfact(n - m, table)
    while True:
        u = np.random.random() - 0.5
        v = np.random.random()
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return int(k)
        v = math.log(v * alpha / (a / (us * us) + b))
        if v <= h - _logfact(k, table) - _logfact(n - k, table) + (k - m) * lpq:
            return int(k)


@njit(cache=True)
def beta(a, b):
    """Beta(a, b) draw; one uniform when a or b is 1 (empty classes, unseen lists)."""
    if a == 1.0 and b == 1.0:
        return np.random.random()
    if b == 1.0:
        return np.random.random() ** (1.0 / a)
    if a == 1.0:
        return 1.0 - np.random.random() ** (1.0 / b)
    return np.random.beta(a, b)


@njit(cache=True)
def _initial_state(counts, J, K):
    """Start with almost everyone in one class whose capture probabilities are the lists'
    observed shares (the other classes share 1% and the same lambdas).

    The chain then opens the classes the data ask for within a few hundred sweeps. Starting
    with the classes equally weighted instead (as we did before) can leave every class
    occupied, alpha large and N too high for tens of thousands of sweeps (measured on a
    4-list data set with 5,172 observed: 1 chain in 6 still had 10 occupied classes after
    60,000 sweeps)."""
    C = counts.shape[0]
    n = 0.0
    lam = np.empty((J, K))
    share = np.zeros(J)
    for x in range(1, C):
        n += counts[x]
        for j in range(J):
            if (x >> j) & 1:
                share[j] += counts[x]
    for j in range(J):
        base = min(max(share[j] / max(n, 1.0), 0.02), 0.98)
        for k in range(K):
            lam[j, k] = base
    pi = np.full(K, 0.01 / max(K - 1, 1))
    pi[0] = 0.99 if K > 1 else 1.0
    return lam, pi


@njit(cache=True)
def _setup(counts, K):
    """What both samplers start from: the number of cells and lists, the observed total,
    a log-factorial table, each cell's capture pattern (``bits[x, j]``) and the starting
    lambda and class weights."""
    C = counts.shape[0]
    J = 0
    while (1 << J) < C:
        J += 1
    n = 0
    for x in range(1, C):
        n += counts[x]
    lf = log_factorials(min(4 * n + 16, 1 << 22))
    bits = np.zeros((C, J), dtype=np.int64)
    for x in range(C):
        for j in range(J):
            bits[x, j] = (x >> j) & 1
    lam, pi = _initial_state(counts, J, K)
    return C, J, n, lf, bits, lam, pi


@njit(cache=True)
def _cell_probabilities(P, pi, lam, J, K):
    """Fill ``P[x, k] = pi_k prod_j lam_jk^x_j (1 - lam_jk)^(1 - x_j)`` for every capture
    pattern x (bit j = on list j), doubling the filled rows list by list."""
    for k in range(K):
        P[0, k] = pi[k]
    size = 1
    for j in range(J):
        for x in range(size):
            for k in range(K):
                P[x + size, k] = P[x, k] * lam[j, k]
                P[x, k] = P[x, k] * (1.0 - lam[j, k])
        size *= 2


@njit(cache=True)
def _allocate(P, x, c, K, J, bits, totals, ones, lf):
    """Split the ``c`` records of cell ``x`` among the K classes — a multinomial with
    probabilities proportional to ``P[x, :]``, drawn as sequential binomials — and add
    them to the class totals and to the per-list counts of captures (``ones``)."""
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
                b = binomial(rem, q, lf)
        rest -= P[x, k]
        rem -= b
        if b > 0:
            totals[k] += b
            for j in range(J):
                if bits[x, j] == 1:
                    ones[j, k] += b


@njit(cache=True)
def _weights_and_alpha(sizes, alpha, a_alpha, b_alpha, K, V, pi):
    """Stick-breaking fractions ``V_k ~ Beta(1 + N_k, alpha + sum_{l>k} N_l)`` and weights
    ``pi`` given the class sizes ``N_k``, then ``alpha | V ~ Gamma(a + K - 1, b - sum log(1 - V_k))``;
    returns the new alpha."""
    tail = 0.0
    for k in range(K):
        tail += sizes[k]
    logsum = 0.0
    remain = 1.0
    for k in range(K - 1):
        tail -= sizes[k]
        v = beta(1.0 + sizes[k], alpha + tail)
        if v > 1.0 - 1e-12:
            v = 1.0 - 1e-12
        V[k] = v
        pi[k] = v * remain
        remain *= 1.0 - v
        logsum += math.log(1.0 - v)
    V[K - 1] = 1.0
    pi[K - 1] = remain
    return np.random.gamma(a_alpha + K - 1, 1.0 / (b_alpha - logsum))


@njit(cache=True)
def _outputs(draws):
    """Per kept draw: N, alpha, the number of occupied classes and p0."""
    return (np.empty(draws, dtype=np.int64), np.empty(draws), np.empty(draws, dtype=np.int64),
            np.empty(draws))


@njit(cache=True, nogil=True)
def gibbs(counts, K, a_alpha, b_alpha, burn, draws, thin, seed, n0_init):
    """Run one chain; return N, alpha, occupied classes and p0 per kept draw."""
    np.random.seed(seed)
    C, J, n, lf, bits, lam, pi = _setup(counts, K)
    V = np.empty(K)
    alpha = 1.0
    n0 = n0_init
    P = np.empty((C, K))
    nk = np.zeros(K, dtype=np.int64)
    ones = np.zeros((J, K), dtype=np.int64)
    sizes = np.empty(K)
    out_N, out_alpha, out_k, out_p0 = _outputs(draws)
    total = burn + draws * thin
    kept = 0
    for it in range(total):
        # 1. cell-by-class probabilities
        _cell_probabilities(P, pi, lam, J, K)
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
            _allocate(P, x, c, K, J, bits, nk, ones, lf)
        # 4. lam_jk ~ Beta(1 + ones, 1 + n_k - ones)
        for j in range(J):
            for k in range(K):
                v = beta(1.0 + ones[j, k], 1.0 + nk[k] - ones[j, k])
                if v < 1e-300:
                    v = 1e-300
                lam[j, k] = v
        # 5. stick-breaking weights and 6. alpha
        for k in range(K):
            sizes[k] = nk[k]
        alpha = _weights_and_alpha(sizes, alpha, a_alpha, b_alpha, K, V, pi)
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


@njit(cache=True)
def _lbeta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@njit(cache=True)
def _g(m, k, K, n, M_other, nobs, m0, alpha, o, r, J):
    """log p(m0_k = m | everything else), lambda and pi integrated out (up to a constant)."""
    if m < 0:
        return -np.inf
    out = math.lgamma(n + M_other + m) - math.lgamma(m + 1.0)
    Nk = nobs[k] + m
    # stick-breaking terms: sum_{l < K-1} lbeta(1 + N_l, alpha + T_l), T_l = sum_{l' > l} N_l'
    T = 0.0
    for l in range(K - 1, -1, -1):
        Nl = Nk if l == k else nobs[l] + m0[l]
        if l < K - 1 and l <= k:
            out += _lbeta(1.0 + Nl, alpha + T)
        T += Nl
    for j in range(J):
        out += _lbeta(1.0 + o[j, k], 1.0 + r[j, k] + m)
    return out


@njit(cache=True)
def _g_fast(m, k, K, n, M_other, Tbase, nobs, alpha, r, J):
    """`_g` up to a constant in m, in O(J + k): the stick-breaking Beta functions telescope.

    ``Tbase[l]`` is ``sum_{l' > l, l' != k} N_l'`` for ``l = -1..k-1`` (stored at l + 1).
    """
    if m < 0:
        return -np.inf
    Nk = nobs[k] + m
    out = math.lgamma(n + M_other + m) - math.lgamma(m + 1.0)
    for j in range(J):
        out += math.lgamma(1.0 + r[j, k] + m)
    out -= J * math.lgamma(2.0 + Nk)
    out -= math.lgamma(alpha + Tbase[0] + Nk)
    if k < K - 1:
        out += math.lgamma(1.0 + Nk)
        for l in range(-1, k):
            out -= math.log(alpha + Tbase[l + 1] + Nk)
    else:
        out += math.lgamma(alpha + Nk)
        for l in range(-1, K - 2):
            out -= math.log(alpha + Tbase[l + 1] + Nk)
    return out


@njit(cache=True, nogil=True)
def gibbs_collapsed(counts, K, a_alpha, b_alpha, burn, draws, thin, seed, n0_init):
    """Partially collapsed Gibbs sampler: the unobserved class counts m0_k are updated with
    lambda and pi integrated out (exact 1-D slice sampling on the integers), then lambda,
    pi, alpha and the observed victims' classes by their conjugate full conditionals."""
    np.random.seed(seed)
    C, J, n, lf, bits, lam, pi = _setup(counts, K)
    V = np.empty(K)
    alpha = 1.0
    m0 = np.zeros(K)
    m0[0] = n0_init
    P = np.empty((C, K))
    nobs = np.zeros(K)
    o = np.zeros((J, K))
    r = np.zeros((J, K))
    width = 1.0 + math.sqrt(n)
    Tb = np.zeros(K + 1)
    sizes = np.empty(K)
    out_N, out_alpha, out_k, out_p0 = _outputs(draws)
    total = burn + draws * thin
    kept = 0
    for it in range(total):
        # 1. observed victims' classes given lambda, pi: one multinomial per observed cell
        _cell_probabilities(P, pi, lam, J, K)
        for k in range(K):
            nobs[k] = 0.0
            for j in range(J):
                o[j, k] = 0.0
        for x in range(1, C):
            c = counts[x]
            if c == 0:
                continue
            _allocate(P, x, c, K, J, bits, nobs, o, lf)
        for k in range(K):
            for j in range(J):
                r[j, k] = nobs[k] - o[j, k]
        # 2. unobserved class counts m0_k | observed classes, alpha (lambda, pi integrated)
        M = 0.0
        for k in range(K):
            M += m0[k]
        for k in range(K):
            M_other = M - m0[k]
            # Tbase[l + 1] = sum over classes l' > l other than k of N_l', for l = -1..K-2
            acc = 0.0
            for l in range(K - 1, -1, -1):
                if l != k:
                    acc += nobs[l] + m0[l]
                Tb[l] = acc  # holds sum_{l' >= l, l' != k}; Tbase[l'+1] for l' = l - 1
            cur = m0[k]
            gy = _g_fast(cur, k, K, n, M_other, Tb, nobs, alpha, r, J) - np.random.exponential(1.0)
            u = cur + np.random.random()
            left = u - width * np.random.random()
            right = left + width
            while left > 0.0 and _g_fast(math.floor(left), k, K, n, M_other, Tb, nobs, alpha, r, J) > gy:
                left -= width
            while _g_fast(math.floor(right), k, K, n, M_other, Tb, nobs, alpha, r, J) > gy:
                right += width
            if left < 0.0:
                left = 0.0
            while True:
                u_new = left + (right - left) * np.random.random()
                cand = math.floor(u_new)
                if _g_fast(cand, k, K, n, M_other, Tb, nobs, alpha, r, J) > gy:
                    break
                if u_new < u:
                    left = u_new
                else:
                    right = u_new
            m0[k] = cand
            M = M_other + cand
        # 3. lambda, sticks, alpha | all classes
        for j in range(J):
            for k in range(K):
                v = beta(1.0 + o[j, k], 1.0 + r[j, k] + m0[k])
                if v < 1e-300:
                    v = 1e-300
                lam[j, k] = v
        for k in range(K):
            sizes[k] = nobs[k] + m0[k]
        alpha = _weights_and_alpha(sizes, alpha, a_alpha, b_alpha, K, V, pi)
        if it >= burn and (it - burn) % thin == thin - 1:
            occupied = 0
            p0 = 0.0
            for k in range(K):
                if nobs[k] + m0[k] > 0:
                    occupied += 1
                p0 += P[0, k]
            out_N[kept] = n + int(M)
            out_alpha[kept] = alpha
            out_k[kept] = occupied
            out_p0[kept] = p0
            kept += 1
    return out_N, out_alpha, out_k, out_p0
