"""Gibbs sweeps of the pairwise-odds partition model (`clusters.drawn`), compiled with numba.

Kept apart so that importing the linkage does not import numba. Records ``0..n-1``;
the scored pairs as a symmetric CSR graph (``indptr``, ``indices``, ``log_odds``);
``labels`` in ``0..2n-1`` (a free label is always available for a new singleton).
"""

import numpy as np
from numba import njit


@njit(cache=True)
def sweeps(order, indptr, indices, log_odds, labels, size, floor, n_sweeps, uniforms):
    """``n_sweeps`` Gibbs sweeps over the records in ``order``, in place.

    A record may join any cluster holding one of its scored neighbours; each member it
    was not scored against costs ``floor`` (the log odds of the weakest pair kept). The
    weight of a cluster is exp(sum of log odds to its members); standing alone weighs 1.
    ``uniforms`` holds one U(0, 1) per update (``n_sweeps * len(order)``)."""
    n2 = size.shape[0]
    score = np.zeros(n2)
    seen = np.zeros(n2, dtype=np.int64)
    touched = np.empty(indices.shape[0] + 1, dtype=np.int64)
    u = 0
    for _ in range(n_sweeps):
        for i in order:
            own = labels[i]
            size[own] -= 1
            k = 0
            for e in range(indptr[i], indptr[i + 1]):
                c = labels[indices[e]]
                if seen[c] == 0:
                    touched[k] = c
                    k += 1
                score[c] += log_odds[e]
                seen[c] += 1
            top = 0.0  # standing alone: log weight 0
            for t in range(k):
                c = touched[t]
                score[c] += (size[c] - seen[c]) * floor
                if score[c] > top:
                    top = score[c]
            total = np.exp(-top)
            for t in range(k):
                total += np.exp(score[touched[t]] - top)
            r = uniforms[u] * total
            u += 1
            choice = -1
            acc = np.exp(-top)
            if r >= acc:
                for t in range(k):
                    acc += np.exp(score[touched[t]] - top)
                    if r < acc:
                        choice = touched[t]
                        break
                if choice == -1:  # rounding at the top end
                    choice = touched[k - 1]
            if choice == -1:  # alone: keep its own label if it is now empty, else a free one
                if size[own] == 0:
                    choice = own
                else:
                    for c in range(n2):
                        if size[c] == 0:
                            choice = c
                            break
            labels[i] = choice
            size[choice] += 1
            for t in range(k):
                score[touched[t]] = 0.0
                seen[touched[t]] = 0
