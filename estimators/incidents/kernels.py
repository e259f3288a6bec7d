"""Compiled inner loop of `estimators.incidents.sampler`: exact draws of true deaths.

Imported only when `incident_model` runs (numba is a heavy import). One pass over
(draw, incident) with one uniform per pair: genuine iff u < p; given that, u / p is again
uniform on (0, 1) and independent of the event, and draws the deaths.
"""

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def true_deaths(seed, p_cell, cell_of, low, high, grade, eps, tau, totals, per_grade):  # pragma: no cover
    np.random.seed(seed)
    n_draws, n = p_cell.shape[0], cell_of.shape[0]
    for s in range(n_draws):
        total = 0.0
        by_grade = np.zeros(5)
        for i in range(n):
            p = p_cell[s, cell_of[i]]
            u = np.random.random()
            if u < p:
                v = u / p
                e = eps[i]
                if v < e:
                    d = high[i] + 1.0 + np.random.poisson(tau * high[i])
                else:
                    d = low[i] + np.floor((v - e) / (1.0 - e) * (high[i] - low[i] + 1.0))
                    if d > high[i]:
                        d = high[i]
                total += d
                by_grade[grade[i]] += d
        totals[s] = total
        for g in range(5):
            per_grade[s, g] = by_grade[g]
