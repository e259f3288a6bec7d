"""Shared helpers: capture histories as the 2^J cell counts (the sufficient statistics)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data.capture_histories import patterns  # noqa: F401  (the one definition; re-exported for the estimators)


def cell_counts(histories: Any) -> tuple[list[str], np.ndarray]:
    """List names and the ``2**J`` counts (cell 0, the unobserved, is 0).

    ``histories`` is what `estimators.data.read_capture_histories` returns (or anything it
    accepts: a pattern table, one row per victim, a CSV path). Cell ``i`` is the pattern
    with list ``j`` present when bit ``j`` of ``i`` is set.
    """
    from ..data import read_capture_histories

    table = read_capture_histories(histories)
    lists = list(table.attrs["lists"])
    counts = np.zeros(2 ** len(lists), dtype=np.int64)
    counts[1:] = table["count"].to_numpy(dtype=np.int64)
    if counts.sum() == 0:
        raise ValueError("no victim is on any list: there is nothing to estimate from")
    return lists, counts


def check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return float(level)


def check_seed(random_seed: Any) -> int:
    if isinstance(random_seed, bool) or not isinstance(random_seed, int | np.integer):
        raise TypeError(f"random_seed must be an integer, got {random_seed!r}")
    return int(random_seed)


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
