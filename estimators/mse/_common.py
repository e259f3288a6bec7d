"""Shared helpers: capture histories as the 2^J cell counts (the sufficient statistics)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_level, check_seed  # noqa: F401  (re-exported for the estimators)
from ..data.capture_histories import patterns  # noqa: F401  (the one definition; re-exported for the estimators)


def cell_counts(histories: Any) -> tuple[list[str], np.ndarray]:
    """List names and the ``2**J`` counts (cell 0, the unobserved, is 0).

    ``histories`` is what `estimators.data.read_capture_histories` returns, or a frame it
    accepts (a pattern table, one row per victim); not a file name. Cell ``i`` is the
    pattern with list ``j`` present when bit ``j`` of ``i`` is set.
    """
    from ..data import read_capture_histories, refuse_file

    refuse_file(histories, estimator="an MSE estimator", reader="read_capture_histories")

    table = read_capture_histories(histories)
    lists = list(table.attrs["lists"])
    counts = np.zeros(2 ** len(lists), dtype=np.int64)
    counts[1:] = table["count"].to_numpy(dtype=np.int64)
    if counts.sum() == 0:
        raise ValueError("no victim is on any list: there is nothing to estimate from")
    return lists, counts


def independence_missing(counts: np.ndarray) -> int:
    """Starting value for the unobserved count: the M_t (independent lists) estimate,
    from Darroch's equation 1 - n/N = prod_j (1 - n_j/N) by fixed-point iteration."""
    J = int(np.log2(len(counts)))
    n = float(counts.sum())
    nj = (patterns(J) * counts[:, None]).sum(axis=0).astype(float)
    N = 1.5 * n
    for _ in range(200):
        seen = 1 - np.prod(1 - np.minimum(nj / N, 1))
        N = n / max(seen, 1e-9)
    return int(min(max(N - n, 0), 10 * n))
