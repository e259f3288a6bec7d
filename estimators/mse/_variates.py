"""Random variates for the compiled samplers, on a random state the caller owns.

numba's ``np.random`` functions are NumPy's legacy generators and its ``Generator`` methods
are called through a function pointer: a uniform costs 7–9 ns, a beta 65–155 ns, and the
latent-class sampler spent most of its time there. These functions take an explicit state
(a ``uint64[4]`` array, one per chain) and are compiled into the caller, so a uniform costs
about 1 ns and a beta about 30 ns. They are exact samplers:

* uniforms from xoshiro256+ (Blackman & Vigna 2021), the top 53 bits, shifted half a step
  so that they lie in the open interval (0, 1);
* normals by Marsaglia & Tsang's (2000) ziggurat;
* gammas by Marsaglia & Tsang (2000), with ``Gamma(a) = Gamma(a + 1) U^(1/a)`` for ``a < 1``
  (and their logarithms, ``log_gamma``, computed as such so that tiny shapes do not underflow);
  betas as ``X / (X + Y)`` of two gammas;
* binomials by inversion when ``n p < 10``, else Hörmann's (1993) BTRS;
* Poissons by inversion when the mean is below 10, else Hörmann's (1993) PTRS.

``tests/test_variates.py`` checks each against its distribution.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


def new_state(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """A xoshiro256+ state from a NumPy SeedSequence (never all zero)."""
    state = seed_sequence.generate_state(4, dtype=np.uint64)
    if not state.any():
        state[0] = 1
    return state


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


def _ziggurat_tables():
    """Marsaglia & Tsang's (2000) 256-layer ziggurat for the standard normal, with 52-bit
    abscissae (the layout of NumPy's ``random_standard_normal``)."""
    r, area = 3.6541528853610088, 0.00492867323399
    m1 = 2.0**52
    k, w, f = np.zeros(256, dtype=np.uint64), np.zeros(256), np.zeros(256)
    x = r
    q = area / math.exp(-0.5 * r * r)
    k[0] = np.uint64((r / q) * m1)
    w[0], w[255] = q / m1, r / m1
    f[0], f[255] = 1.0, math.exp(-0.5 * r * r)
    for i in range(254, 0, -1):
        x_next = math.sqrt(-2.0 * math.log(area / x + math.exp(-0.5 * x * x)))
        k[i + 1] = np.uint64((x_next / x) * m1)
        x = x_next
        f[i], w[i] = math.exp(-0.5 * x * x), x / m1
    return k, w, f, r


_ZK, _ZW, _ZF, _ZR = _ziggurat_tables()


@njit(cache=True, inline="always")
def _next64(s):
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    result = s0 + s3
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    return result


@njit(cache=True, inline="always")
def uniform(s):
    """Uniform on (0, 1); advances the state ``s`` (xoshiro256+)."""
    return (float(_next64(s) >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def normal(s):
    """Standard normal by the ziggurat: one 64-bit draw in 99% of calls."""
    while True:
        bits = _next64(s)
        i = int(bits & np.uint64(0xFF))
        bits >>= np.uint64(8)
        sign = bits & np.uint64(1)
        mag = (bits >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
        x = float(mag) * _ZW[i]
        if sign:
            x = -x
        if mag < _ZK[i]:
            return x
        if i == 0:  # the tail beyond r, by Marsaglia's (1964) method
            while True:
                xx = -math.log(uniform(s)) / _ZR
                yy = -math.log(uniform(s))
                if yy + yy > xx * xx:
                    return -(_ZR + xx) if sign else _ZR + xx
        if (_ZF[i - 1] - _ZF[i]) * uniform(s) + _ZF[i] < math.exp(-0.5 * x * x):
            return x


@njit(cache=True)
def exponential(s):
    """Standard exponential, by inversion."""
    return -math.log(uniform(s))


@njit(cache=True)
def _gamma_at_least_one(s, a):
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(s)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(s)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return d * v
        if math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v


@njit(cache=True)
def gamma(s, a):
    """Gamma with shape ``a > 0`` and scale 1."""
    if a < 1.0:
        return _gamma_at_least_one(s, a + 1.0) * uniform(s) ** (1.0 / a)
    return _gamma_at_least_one(s, a)


@njit(cache=True)
def log_gamma(s, a):
    """log of a Gamma(a, 1) variate, exact for tiny shapes: for ``a < 1``,
    ``log Gamma(a + 1) + log(U) / a``, which does not underflow where ``U^(1/a)`` does."""
    if a < 1.0:
        return math.log(_gamma_at_least_one(s, a + 1.0)) + math.log(uniform(s)) / a
    return math.log(_gamma_at_least_one(s, a))


@njit(cache=True)
def beta(s, a, b):
    """Beta(a, b); one uniform when a or b is 1 (empty classes, unseen lists)."""
    if a == 1.0 and b == 1.0:
        return uniform(s)
    if b == 1.0:
        return uniform(s) ** (1.0 / a)
    if a == 1.0:
        return 1.0 - uniform(s) ** (1.0 / b)
    x = gamma(s, a)
    return x / (x + gamma(s, b))


@njit(cache=True)
def log_factorials(size):
    """Table of log k! for k < size (BTRS and PTRS look these up instead of calling lgamma)."""
    out = np.empty(size)
    for k in range(size):
        out[k] = math.lgamma(k + 1.0)
    return out


@njit(cache=True, inline="always")
def _logfact(k, table):
    if k < table.shape[0]:
        return table[int(k)]
    return math.lgamma(k + 1.0)


@njit(cache=True)
def binomial(s, n, p, table):
    """Binomial(n, p) in O(1): inversion when n p < 10, else Hörmann's (1993) BTRS
    transformed rejection with squeeze. ``table`` holds log k! for small k
    (`log_factorials`), or is empty."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - _binomial_half(s, n, 1.0 - p, table)
    return _binomial_half(s, n, p, table)


@njit(cache=True)
def _binomial_half(s, n, p, table):
    """`binomial` for 0 < p <= 1/2."""
    if n * p < 10.0:
        u = uniform(s)
        if u <= 1.0 - n * p:  # 1 - n p <= (1 - p)^n = P(0): the answer is 0, no power needed
            return 0
        q = 1.0 - p
        r = q**n
        ratio = p / q
        a = (n + 1) * ratio
        x = 0
        while u > r:
            u -= r
            x += 1
            if x > n:  # rounding: start again
                u = uniform(s)
                x = 0
                r = q**n
                continue
            r *= a / x - ratio
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
        u = uniform(s) - 0.5
        v = uniform(s)
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
def poisson(s, mu, table):
    """Poisson(mu): inversion when mu < 10, else Hörmann's (1993) PTRS."""
    if mu <= 0.0:
        return 0
    if mu < 10.0:
        x = 0
        prod = uniform(s)
        limit = math.exp(-mu)
        while prod > limit:
            x += 1
            prod *= uniform(s)
        return x
    smu = math.sqrt(mu)
    b = 0.931 + 2.53 * smu
    a = -0.059 + 0.02483 * b
    log_inv_alpha = math.log(1.1239 + 1.1328 / (b - 3.4))
    v_r = 0.9277 - 3.6224 / (b - 2.0)
    log_mu = math.log(mu)
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + mu + 0.43)
        if us >= 0.07 and v <= v_r:
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + log_inv_alpha - math.log(a / (us * us) + b) <= -mu + k * log_mu - _logfact(k, table):
            return int(k)
