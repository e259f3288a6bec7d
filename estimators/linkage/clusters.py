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


def drawn(n_records: int, pairs: pd.DataFrame, draws: int, random_seed: int) -> Iterator[np.ndarray]:
    """Plausible clusterings: each pair is linked with its match probability,
    independently, then links are closed transitively (connected components).

    This reads the pairwise probabilities as calibrated and independent; where they are
    overconfident (the Fellegi–Sunter independence assumption tends to make them so) the
    spread of the draws understates the linkage error (measured in `benchmarks/linkage.py`).
    """
    rng = np.random.default_rng(random_seed)
    p = pairs["match_probability"].to_numpy()
    left, right = pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy()
    for _ in range(draws):
        keep = rng.random(len(p)) < p
        yield components(n_records, left[keep], right[keep])


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
