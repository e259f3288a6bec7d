"""Clusterings of records from scored pairs: at a threshold, or drawn from the pairs'
match probabilities; and the capture histories of a clustering.

A clustering is an integer label per record (records with the same label are one
person): the connected components of the graph whose edges are the accepted pairs
(Splink clusters the same way: connected components, which makes links transitive).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def components(n_records: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Labels 0..k-1 of the connected components of the graph with the given edges,
    numbered in order of each component's first record (so equal inputs, equal labels)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n_records, n_records))
    _, labels = connected_components(graph, directed=False)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # rank of each component by its first record
    return order[inverse].astype(np.int64)


def at_threshold(n_records: int, pairs: pd.DataFrame, threshold: float) -> np.ndarray:
    """Link every pair whose match probability is at least ``threshold``."""
    keep = pairs["match_probability"].to_numpy() >= threshold
    return components(n_records, pairs["unique_id_l"].to_numpy()[keep], pairs["unique_id_r"].to_numpy()[keep])


#: Gibbs sweeps before the first drawn clustering, and between two draws.
BURN_SWEEPS, THIN_SWEEPS = 20, 5


#: How `drawn` draws clusterings (see there).
DRAW_METHODS = ("edges", "partition")


def drawn(n_records: int, pairs: pd.DataFrame, draws: int, random_seed: int, *, method: str = "edges",
          floor: float = 1e-3) -> Iterator[np.ndarray]:
    """Plausible clusterings, drawn from the pairs' match probabilities.

    ``method="edges"`` (default): each pair is linked with its match probability,
    independently, and the links are closed transitively (connected components, as at a
    threshold). On simulated lists (`benchmarks/linkage_coverage.md`, 200 replicates)
    the log-linear interval pooled over these draws covered the true N in 95.0% of
    replicates (as often as on the true links), the one on the clustering at 0.5 in
    87.0%.

    ``method="partition"``: the pairwise-odds partition model. A partition has
    probability proportional to ``prod p_ij / (1 - p_ij)`` over every pair of records in
    one cluster (``floor`` for a pair never scored); an isolated pair is linked with
    probability exactly ``p_ij``, and a record joins a cluster only if the evidence about
    every member supports it, so weak links do not chain people together. Drawn by
    Gibbs updates of one record at a time from the clustering at 0.5, `BURN_SWEEPS`
    sweeps before the first draw and `THIN_SWEEPS` between draws. Because Fellegi–Sunter
    probabilities of the pairs within one person are not all high, it splits people
    more often than the truth does (+3.1% bias in N, coverage 80.5% in the same study).

    Both read the probabilities as calibrated: where they are overconfident, the spread
    of the draws understates the linkage error.
    """
    if method not in DRAW_METHODS:
        raise ValueError(f"method must be one of {DRAW_METHODS}, got {method!r}")
    rng = np.random.default_rng(random_seed)
    p = pairs["match_probability"].to_numpy(dtype=float)
    left, right = pairs["unique_id_l"].to_numpy(np.int64), pairs["unique_id_r"].to_numpy(np.int64)
    if method == "edges":
        for _ in range(draws):
            keep = rng.random(len(p)) < p
            yield components(n_records, left[keep], right[keep])
        return
    yield from _partitions(n_records, left, right, p, draws, rng, floor)


def _partitions(n_records, left, right, p, draws, rng, floor):
    from ._partition_kernel import sweeps

    p = np.clip(p, 1e-12, 1 - 1e-12)
    log_odds = np.log(p) - np.log1p(-p)
    # symmetric CSR adjacency of the scored pairs
    src, dst = np.concatenate([left, right]), np.concatenate([right, left])
    by = np.argsort(src, kind="stable")
    indices, weights = dst[by], np.concatenate([log_odds, log_odds])[by]
    indptr = np.zeros(n_records + 1, dtype=np.int64)
    np.add.at(indptr, src + 1, 1)
    indptr = np.cumsum(indptr)
    order = np.flatnonzero(np.diff(indptr) > 0)
    keep = p >= 0.5
    labels = components(n_records, left[keep], right[keep])
    size = np.bincount(labels, minlength=2 * n_records).astype(np.int64)
    floor_log_odds = float(np.log(floor) - np.log1p(-floor))
    for d in range(draws):
        n = BURN_SWEEPS if d == 0 else THIN_SWEEPS
        sweeps(order, indptr, indices, weights, labels, size, floor_log_odds, n, rng.random(n * len(order)))
        _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        yield np.argsort(np.argsort(first))[inverse].astype(np.int64)


def histories(lists: list[str], list_codes: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """The capture-history pattern table of a clustering: one person per cluster, on
    every list one of its records is on (two records of one list count once).
    ``list_codes[i]`` is the position in ``lists`` of record ``i``'s list."""
    import pandas as pd

    from ..data import read_capture_histories

    on = np.zeros((labels.max() + 1, len(lists)), dtype=np.int8)
    on[labels, list_codes] = 1
    frame = pd.DataFrame(on, columns=lists)
    return read_capture_histories(frame.value_counts().rename("count").reset_index())
