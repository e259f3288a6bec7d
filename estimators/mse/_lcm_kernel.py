"""The latent-class capture–recapture Gibbs sampler, compiled with numba.

Kept apart from `latent_class` so that importing the estimator does not import numba
until a sampler runs. The chain functions release the GIL, so chains run on threads; each
chain draws from its own random state (`_variates`), so its draws do not depend on which
thread ran it. Works on the observed capture patterns with their counts, not on
individuals: victims with the same pattern are exchangeable, so their class labels are one
multinomial draw per pattern. Row 0 of the pattern arrays is the unobserved pattern (on no
list, count 0); the other rows are the patterns seen at least once, so a sweep costs
O(patterns x classes x lists), whatever the number of records and however many of the
``2**J`` patterns were never seen (J up to 62).

Pattern probabilities are products over the lists. They are built from per-chunk tables:
the lists are cut into chunks of at most 8, each chunk's ``2**width x K`` table of products
is filled by doubling, and a pattern's probability is the product of one entry per chunk
(``codes[x, c]`` = the pattern's bits in chunk c), ``ceil(J / 8)`` multiplications instead
of J.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._variates import beta, binomial, exponential, gamma, log_factorials, log_gamma, normal, poisson, uniform


CHUNK = 8  # lists per lookup table: 256 x K entries, small enough to stay in cache


@njit(cache=True)
def _initial_state(counts, bits, J, K):
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
            if bits[x, j]:
                share[j] += counts[x]
    for j in range(J):
        base = min(max(share[j] / max(n, 1.0), 0.02), 0.98)
        for k in range(K):
            lam[j, k] = base
    pi = np.full(K, 0.01 / max(K - 1, 1))
    pi[0] = 0.99 if K > 1 else 1.0
    return lam, pi


@njit(cache=True)
def _setup(index, counts, J, K):
    """What both samplers start from: the number of rows, the observed total, a log-factorial
    table, each row's capture pattern (``bits[x, j]``), its chunk codes, the chunk tables and
    the starting lambda and class weights. Row 0 must be the unobserved pattern."""
    C = counts.shape[0]
    n = 0
    for x in range(1, C):
        n += counts[x]
    # BTRS looks up log k! for k up to the largest count; beyond the table it calls lgamma.
    # A table much larger than the cache made each sweep slower as n grew.
    lf = log_factorials(min(4 * n + 16, 1 << 16))
    bits = np.zeros((C, J), dtype=np.int8)
    for x in range(C):
        for j in range(J):
            bits[x, j] = (index[x] >> j) & 1
    chunks = (J + CHUNK - 1) // CHUNK
    codes = np.empty((C, chunks), dtype=np.int64)
    for x in range(C):
        for c in range(chunks):
            codes[x, c] = (index[x] >> (CHUNK * c)) & ((1 << CHUNK) - 1)
    tables = np.empty((chunks, 1 << CHUNK, K))
    lam, pi = _initial_state(counts, bits, J, K)
    return C, n, lf, bits, codes, tables, lam, pi


@njit(cache=True)
def _fill_tables(tables, lam, J, K):
    """``tables[c, b, k]`` = the probability, in class k, of the capture pattern ``b`` on the
    lists of chunk c (bit i of b = on list ``CHUNK c + i``), filled by doubling list by list."""
    chunks = tables.shape[0]
    for c in range(chunks):
        for k in range(K):
            tables[c, 0, k] = 1.0
        size = 1
        for j in range(CHUNK * c, min(CHUNK * (c + 1), J)):
            for b in range(size):
                for k in range(K):
                    tables[c, b + size, k] = tables[c, b, k] * lam[j, k]
                    tables[c, b, k] = tables[c, b, k] * (1.0 - lam[j, k])
            size *= 2


@njit(cache=True)
def _pattern_probabilities(P, pi, lam, J, K, codes, tables):
    """Fill ``P[x, k] = pi_k prod_j lam_jk^x_j (1 - lam_jk)^(1 - x_j)`` for every row x."""
    _fill_tables(tables, lam, J, K)
    C, chunks = codes.shape
    for x in range(C):
        for k in range(K):
            acc = pi[k]
            for c in range(chunks):
                acc *= tables[c, codes[x, c], k]
            P[x, k] = acc


@njit(cache=True)
def _allocate(s, P, x, c, K, J, bits, totals, ones, lf):
    """Split the ``c`` records of row ``x`` among the K classes — a multinomial with
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
                b = binomial(s, rem, q, lf)
        rest -= P[x, k]
        rem -= b
        if b > 0:
            totals[k] += b
            for j in range(J):
                if bits[x, j] == 1:
                    ones[j, k] += b


_SMALLEST_WEIGHT = 1e-300
_ALL_IN_ONE = 1.0 - 1e-12  # a class weight above which the other classes weigh nothing


@njit(cache=True)
def _weights_and_alpha(s, sizes, alpha, a_alpha, b_alpha, K, pi):
    """Stick-breaking fractions ``V_k ~ Beta(1 + N_k, alpha + sum_{l>k} N_l)`` and weights
    ``pi`` given the class sizes ``N_k``, then ``alpha | V ~ Gamma(a + K - 1, b - sum log(1 - V_k))``;
    returns the new alpha.

    The fractions are drawn on the log scale, as two log-gamma variates (as LCMCR does):
    with alpha below about 0.3, ``1 - V_k`` of the last occupied and the empty classes is
    often below 1e-12, and a Beta drawn as ``X / (X + Y)`` rounds it to 0. Clipping it there
    (as this function did until 2026-12) caps each ``-log(1 - V_k)`` at 27.6, which raised
    alpha and, on the Kosovo lists, the 2.5% quantile of N from 9,021 +- 11 to 9,058 +- 17
    (means over 14 and 6 runs of 8 chains x 5,000 draws; issue 19, benchmarks/mse_scale.md).
    ``pi_k`` is floored at 1e-300 so that its logarithm stays finite."""
    tail = 0.0
    for k in range(K):
        tail += sizes[k]
    log_rest = 0.0  # log prod_{l<k} (1 - V_l)
    for k in range(K - 1):
        tail -= sizes[k]
        g1 = log_gamma(s, 1.0 + sizes[k])
        g2 = log_gamma(s, alpha + tail)
        top = max(g1, g2)
        log_sum = top + math.log(math.exp(g1 - top) + math.exp(g2 - top))
        pi[k] = max(math.exp(g1 - log_sum + log_rest), _SMALLEST_WEIGHT)
        log_rest += g2 - log_sum
    pi[K - 1] = max(math.exp(log_rest), _SMALLEST_WEIGHT)
    return gamma(s, a_alpha + K - 1) / (b_alpha - log_rest)


@njit(cache=True)
def _outputs(draws):
    """Per kept draw: N, alpha, the number of occupied classes and p0."""
    return (np.empty(draws, dtype=np.int64), np.empty(draws), np.empty(draws, dtype=np.int64),
            np.empty(draws))


# --- Metropolis moves on the marginal posterior of the largest class -----------------
#
# The data-augmentation sweep moves N slowly: given theta the unobserved count has a
# standard deviation of about 120 on the Kosovo lists, against 1,200 a posteriori (lag-1
# autocorrelation of N 0.992). After each sweep, `_largest_class_moves` therefore takes
# random-walk Metropolis steps on theta with the class labels and n0 summed out. Validity:
# the steps leave p(theta | alpha, data) invariant, and the next sweep redraws n0 and the
# labels from their full conditionals, so the sweep then leaves the joint posterior
# invariant (a partially collapsed Gibbs sampler; van Dyk & Park 2008).


@njit(cache=True)
def _log_stick_density(pi, alpha, K):
    """log density of the truncated stick-breaking weights on the simplex (w.r.t. Lebesgue
    measure on K - 1 of them), up to a constant: ``(alpha - 1) log pi_K - sum_{k=2}^{K-1}
    log R_k`` with ``R_k = sum_{l >= k} pi_l`` (the Jacobian from the sticks V to pi)."""
    tail = pi[K - 1]
    out = (alpha - 1.0) * math.log(pi[K - 1])
    for k in range(K - 2, 0, -1):
        tail += pi[k]
        out -= math.log(tail)
    return out


@njit(cache=True)
def _observed_log_likelihood(tot, counts, n, C):
    """``sum_x n_x log q_x - n log(1 - q_0)``: the observed counts' likelihood with N
    summed out under p(N) ∝ 1/N (``tot`` holds the pattern probabilities q)."""
    out = 0.0
    for x in range(1, C):
        if counts[x] > 0:
            out += counts[x] * math.log(tot[x])
    return out - n * math.log(1.0 - tot[0])


@njit(cache=True)
def _largest_class_moves(s, F, tot, pi, lam, counts, n, C, J, K, alpha, L, step, moves, u, un, fk, pin, newF,
                         codes, one_table, one):
    """``moves`` random-walk Metropolis steps on the marginal posterior of the largest
    class d's parameters ``u = (logit lambda_1d .. logit lambda_Jd, logit pi_d)``,
    proposals ``u + step L eps``, eps standard normal; the other classes keep their relative
    weights, scaled by ``(1 - pi_d') / (1 - pi_d)``. A proposal after which d is no longer
    the largest class is rejected, so the reverse move always exists and the proposal is
    symmetric. ``F[x, k]`` holds the pattern probabilities within class k; ``fk`` (J x 1),
    ``newF`` (C x 1), ``one_table`` and ``one`` are work space for the proposed class's;
    returns the number of accepted steps (``u`` then holds the current block, for the adaptation)."""
    d = 0
    for k in range(1, K):
        if pi[k] > pi[d]:
            d = k
    if K > 1 and pi[d] >= _ALL_IN_ONE:
        # logit pi_d is degenerate there; proposals into this region are rejected below,
        # so skipping the steps in it keeps the kernel reversible
        return 0
    for x in range(C):
        acc = 0.0
        for k in range(K):
            acc += pi[k] * F[x, k]
        tot[x] = acc
    current = _observed_log_likelihood(tot, counts, n, C) + _log_stick_density(pi, alpha, K)
    # log Jacobian of u: logit transforms, and (1 - pi_d)^(K - 2) from the rescaled weights
    for j in range(J):
        current += math.log(lam[j, d] * (1.0 - lam[j, d]))
        u[j] = math.log(lam[j, d] / (1.0 - lam[j, d]))
    D = J
    if K > 1:  # with one class pi_1 = 1 and the block is the lambdas alone
        current += math.log(pi[d]) + (K - 1) * math.log(1.0 - pi[d])
        u[J] = math.log(pi[d] / (1.0 - pi[d]))
        D = J + 1
    accepted = 0
    for _ in range(moves):
        for i in range(D):
            un[i] = step * normal(s)
        for i in range(D - 1, -1, -1):  # un = u + L eps, L lower triangular, in place
            acc = u[i]
            for m in range(i + 1):
                acc += L[i, m] * un[m]
            un[i] = acc
        pd, scale, proposed = 1.0, 1.0, 0.0
        if K > 1:
            pd = 1.0 / (1.0 + math.exp(-un[J]))
            if not 0.0 < pd < _ALL_IN_ONE:
                continue
            scale = (1.0 - pd) / (1.0 - pi[d])
            proposed = math.log(pd) + (K - 1) * math.log(1.0 - pd)
        largest = True
        for k in range(K):
            pin[k] = pd if k == d else scale * pi[k]
            if k != d and (pin[k] > pd or pin[k] <= 0.0):
                largest = False
        if not largest:
            continue
        inside = True
        for j in range(J):
            v = 1.0 / (1.0 + math.exp(-un[j]))
            if not 0.0 < v < 1.0:
                inside = False
            fk[j, 0] = v
            proposed += math.log(v * (1.0 - v))
        if not inside:
            continue
        _pattern_probabilities(newF, one, fk, J, 1, codes, one_table)
        q0 = scale * (tot[0] - pi[d] * F[0, d]) + pd * newF[0, 0]
        if q0 >= 1.0:
            continue
        proposed += _log_stick_density(pin, alpha, K) - n * math.log(1.0 - q0)
        for x in range(1, C):
            if counts[x] > 0:
                proposed += counts[x] * math.log(scale * (tot[x] - pi[d] * F[x, d]) + pd * newF[x, 0])
        if math.log(uniform(s)) < proposed - current:
            accepted += 1
            current = proposed
            for x in range(C):
                tot[x] = scale * (tot[x] - pi[d] * F[x, d]) + pd * newF[x, 0]
                F[x, d] = newF[x, 0]
            for k in range(K):
                pi[k] = pin[k]
            for j in range(J):
                lam[j, d] = fk[j, 0]
            for i in range(D):
                u[i] = un[i]
    return accepted


@njit(cache=True)
def _cholesky(A, L, D):
    for i in range(D):
        for m in range(i + 1):
            acc = A[i, m]
            for r in range(m):
                acc -= L[i, r] * L[m, r]
            L[i, m] = math.sqrt(max(acc, 1e-12)) if i == m else acc / L[m, m]
        for m in range(i + 1, D):
            L[i, m] = 0.0


@njit(cache=True)
def _adapt(it, burn, accepted, moves, u, L, stats, S2, D):
    """Adapt the proposal during burn-in only (so the chain after it is a fixed, valid
    kernel): the log step size ``stats[1]`` every sweep by Robbins–Monro towards 25%
    acceptance; every 200 sweeps the shape ``L`` to the Cholesky factor of the covariance of
    the block's draws since the first fifth of burn-in times 2.38^2 / D (Haario et al.
    2001), once there are 200 of them (0.02 times the identity before).
    ``stats`` = [count, log step size, sums of u...]."""
    stats[1] += (accepted / moves - 0.25) * 2.0 / math.sqrt(it + 10.0)
    if it >= burn // 5:
        stats[0] += 1.0
        for i in range(D):
            stats[2 + i] += u[i]
            for m in range(D):
                S2[i, m] += u[i] * u[m]
    ns = stats[0]
    if it % 200 != 0 or ns <= 200:
        return
    if ns <= 400:  # the first learned shape replaces 0.02 I: restart the step size from 1
        stats[1] = 0.0
    f = 2.38 * 2.38 / D
    A = np.empty((D, D))
    for i in range(D):
        for m in range(D):
            A[i, m] = f * (S2[i, m] / ns - stats[2 + i] * stats[2 + m] / (ns * ns))
        A[i, i] += 1e-8
    _cholesky(A, L, D)


@njit(cache=True, nogil=True)
def gibbs(index, counts, J, K, a_alpha, b_alpha, burn, draws, thin, s, n0_init, moves):
    """Run one chain on the pattern rows ``index`` (row 0 the unobserved pattern, 0) with
    their ``counts``; return N, alpha, occupied classes, p0 per kept draw and the share of
    the ``moves`` Metropolis steps per sweep accepted after burn-in (0 moves: LCMCR's
    sampler)."""
    C, n, lf, bits, codes, tables, lam, pi = _setup(index, counts, J, K)
    D = J + 1 if K > 1 else J
    F = np.empty((C, K))
    tot = np.empty(C)
    fk = np.empty((J, 1))
    pin = np.empty(K)
    newF = np.empty((C, 1))
    one_table = np.empty((tables.shape[0], tables.shape[1], 1))
    one = np.ones(1)
    u = np.empty(J + 1)
    un = np.empty(J + 1)
    no_weights = np.ones(K)
    L = np.zeros((D, D))
    for i in range(D):
        L[i, i] = 0.02
    stats = np.zeros(2 + D)
    S2 = np.zeros((D, D))
    accepted = 0
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
        # 1. pattern-by-class probabilities
        _pattern_probabilities(P, pi, lam, J, K, codes, tables)
        # 2. n0 | theta ~ NegBin(n, 1 - p0) under the prior p(N) ~ 1/N (gamma-Poisson draw)
        p0 = 0.0
        for k in range(K):
            p0 += P[0, k]
        if p0 > 1.0 - 1e-12:
            p0 = 1.0 - 1e-12
        n0 = poisson(s, gamma(s, n) * p0 / (1.0 - p0), lf)
        # 3. class labels: one multinomial per pattern (sequential binomials)
        for k in range(K):
            nk[k] = 0
            for j in range(J):
                ones[j, k] = 0
        for x in range(C):
            c = n0 if x == 0 else counts[x]
            if c == 0:
                continue
            _allocate(s, P, x, c, K, J, bits, nk, ones, lf)
        # 4. lam_jk ~ Beta(1 + ones, 1 + n_k - ones)
        for j in range(J):
            for k in range(K):
                v = beta(s, 1.0 + ones[j, k], 1.0 + nk[k] - ones[j, k])
                if v < 1e-300:
                    v = 1e-300
                lam[j, k] = v
        # 5. stick-breaking weights and 6. alpha
        for k in range(K):
            sizes[k] = nk[k]
        alpha = _weights_and_alpha(s, sizes, alpha, a_alpha, b_alpha, K, pi)
        # 7. Metropolis steps on the largest class, labels and n0 summed out
        if moves > 0:
            _pattern_probabilities(F, no_weights, lam, J, K, codes, tables)
            a = _largest_class_moves(s, F, tot, pi, lam, counts, n, C, J, K, alpha, L, math.exp(stats[1]), moves, u, un,
                                     fk, pin, newF, codes, one_table, one)
            if it < burn:
                _adapt(it, burn, a, moves, u, L, stats, S2, D)
            else:
                accepted += a
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
    return out_N, out_alpha, out_k, out_p0, accepted / max(moves * (total - burn), 1)


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
def gibbs_collapsed(index, counts, J, K, a_alpha, b_alpha, burn, draws, thin, s, n0_init):
    """Partially collapsed Gibbs sampler: the unobserved class counts m0_k are updated with
    lambda and pi integrated out (exact 1-D slice sampling on the integers), then lambda,
    pi, alpha and the observed victims' classes by their conjugate full conditionals."""
    C, n, lf, bits, codes, tables, lam, pi = _setup(index, counts, J, K)
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
        # 1. observed victims' classes given lambda, pi: one multinomial per observed pattern
        _pattern_probabilities(P, pi, lam, J, K, codes, tables)
        for k in range(K):
            nobs[k] = 0.0
            for j in range(J):
                o[j, k] = 0.0
        for x in range(1, C):
            c = counts[x]
            if c == 0:
                continue
            _allocate(s, P, x, c, K, J, bits, nobs, o, lf)
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
            gy = _g_fast(cur, k, K, n, M_other, Tb, nobs, alpha, r, J) - exponential(s)
            u = cur + uniform(s)
            left = u - width * uniform(s)
            right = left + width
            while left > 0.0 and _g_fast(math.floor(left), k, K, n, M_other, Tb, nobs, alpha, r, J) > gy:
                left -= width
            while _g_fast(math.floor(right), k, K, n, M_other, Tb, nobs, alpha, r, J) > gy:
                right += width
            if left < 0.0:
                left = 0.0
            while True:
                u_new = left + (right - left) * uniform(s)
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
                v = beta(s, 1.0 + o[j, k], 1.0 + r[j, k] + m0[k])
                if v < 1e-300:
                    v = 1e-300
                lam[j, k] = v
        for k in range(K):
            sizes[k] = nobs[k] + m0[k]
        alpha = _weights_and_alpha(s, sizes, alpha, a_alpha, b_alpha, K, pi)
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
