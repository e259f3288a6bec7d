"""Shared helpers: capture histories as observed patterns, or as the 2^J cell counts."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_level, check_seed  # noqa: F401  (re-exported for the estimators)
from ..data.capture_histories import patterns  # noqa: F401  (the one definition; re-exported for the estimators)

#: Most lists an estimator on the full ``2**J`` table accepts (a million cells).
MOST_LISTS_FOR_CELLS = 20


def observed_patterns(histories: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
    """List names, the patterns seen at least once and their counts.

    ``histories`` is what `estimators.data.read_capture_histories` returns, or a frame it
    accepts (a pattern table, one row per victim); not a file name. A pattern is its
    index ``sum_j x_j 2**j`` (list ``j`` is bit ``j``), in increasing order; at most n of
    them, however many lists there are (up to 62).
    """
    from ..data import read_capture_histories, refuse_file

    refuse_file(histories, estimator="an MSE estimator", reader="read_capture_histories")

    table = read_capture_histories(histories, all_patterns=False)
    lists = list(table.attrs["lists"])
    counts = table["count"].to_numpy(dtype=np.int64)
    if counts.sum() == 0:
        raise ValueError("no victim is on any list: there is nothing to estimate from")
    bits = table[lists].to_numpy(dtype=np.int64)
    return lists, bits @ (np.int64(1) << np.arange(len(lists), dtype=np.int64)), counts


def cell_counts(histories: Any) -> tuple[list[str], np.ndarray]:
    """List names and the ``2**J`` counts (cell 0, the unobserved, is 0): cell ``i`` is the
    pattern with list ``j`` present when bit ``j`` of ``i`` is set. For the estimators that
    need every cell (log-linear models, decomposable graphs); at most 20 lists."""
    lists, index, counts = observed_patterns(histories)
    if len(lists) > MOST_LISTS_FOR_CELLS:
        raise ValueError(f"{len(lists)} lists: this estimator works on all 2**J cells of the table, which "
                         f"allows at most {MOST_LISTS_FOR_CELLS} lists; latent_class works on the observed "
                         "patterns only and takes up to 62")
    return lists, cells_from_patterns(index, counts, len(lists))


def cells_from_patterns(index: np.ndarray, counts: np.ndarray, J: int) -> np.ndarray:
    """The ``2**J`` cell counts from the observed patterns ``index`` (``sum_j x_j 2**j``)
    and their ``counts``; the cells not given are 0."""
    cells = np.zeros(2 ** int(J), dtype=np.int64)
    cells[np.asarray(index, dtype=np.int64)] = counts
    return cells


def independence_missing(n: int, list_totals: np.ndarray) -> int:
    """Starting value for the unobserved count: the M_t (independent lists) estimate, from
    Darroch's equation 1 - n/N = prod_j (1 - n_j/N) by fixed-point iteration; ``n`` victims
    observed, ``list_totals[j]`` of them on list j."""
    nj = np.asarray(list_totals, dtype=float)
    n = float(n)
    N = 1.5 * n
    for _ in range(200):
        seen = 1 - np.prod(1 - np.minimum(nj / N, 1))
        N = n / max(seen, 1e-9)
    return int(min(max(N - n, 0), 10 * n))
