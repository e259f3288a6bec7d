"""`Linkage`: what `link_lists` returns: scored pairs, a clustering, and draws of others."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import clusters as _clusters

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class Linkage:
    """Records of several lists linked into people, with the linkage's uncertainty.

    Parameters
    ----------
    records
        One row per input record: ``unique_id``, ``list``, ``record`` and the compared
        columns (normalised name, skeletons, age, ...).
    pairs
        The scored candidate pairs: ``list_l``, ``record_l``, ``list_r``, ``record_r``,
        ``match_probability``, ``match_weight`` (log2 odds) and per-field evidence
        (``gamma_<field>``: the comparison level, -1 where a side is missing;
        ``mw_<field>``: that level's match weight). Pairs below
        `engine.MIN_PAIR_PROBABILITY` are not kept.
    threshold
        The match probability at or above which `clusters` links a pair.
    draws
        How many alternative clusterings the MSE estimators pool over by default.
    draw_method
        How they are drawn: ``"edges"`` or ``"partition"`` (`clusters.drawn`).
    random_seed
        The seed of the draws (`clusterings`).
    model
        The trained Fellegi–Sunter model (Splink's settings dictionary).
    warnings
        What Splink warned of while training (e.g. a comparison level never seen among
        the training pairs, whose m probability then keeps Splink's default).
    """

    records: pd.DataFrame
    pairs: pd.DataFrame
    threshold: float
    draws: int
    random_seed: int
    draw_method: str = "edges"
    model: dict[str, Any] = field(repr=False, default_factory=dict)
    warnings: list[str] = field(repr=False, default_factory=list)

    @property
    def lists(self) -> list[str]:
        """The list names, in the order given."""
        return list(dict.fromkeys(self.records["list"]))

    def _codes(self) -> np.ndarray:
        return self.records["list"].map({name: i for i, name in enumerate(self.lists)}).to_numpy()

    def _labels(self) -> np.ndarray:
        return _clusters.at_threshold(len(self.records), self._id_pairs(), self.threshold)

    def _id_pairs(self) -> pd.DataFrame:
        return self.pairs[["unique_id_l", "unique_id_r", "match_probability"]]

    @property
    def clusters(self) -> pd.DataFrame:
        """One row per input record: ``list``, ``record``, ``cluster`` (records with the
        same cluster are linked as one person, at `threshold`)."""
        out = self.records[["list", "record"]].copy()
        out["cluster"] = self._labels()
        return out

    def capture_histories(self, labels: np.ndarray | None = None) -> pd.DataFrame:
        """The capture-history pattern table (as `estimators.read_capture_histories`
        returns it) of the clustering at `threshold`, or of ``labels`` (one cluster label
        per record, e.g. from `clusterings`)."""
        labels = self._labels() if labels is None else np.asarray(labels)
        if labels.shape != (len(self.records),):
            raise ValueError(f"labels must give one cluster per record ({len(self.records)}), got shape {labels.shape}")
        return _clusters.histories(self.lists, self._codes(), labels)

    def clusterings(self, draws: int | None = None, *, random_seed: int | None = None,
                    method: str | None = None) -> Iterator[np.ndarray]:
        """Draws of plausible clusterings (cluster labels, one per record), by
        `clusters.drawn` (``method`` ``"edges"``: each pair linked with its match
        probability, links closed transitively). Same seed, same draws; defaults are the
        linkage's `draws`, `random_seed` and `draw_method`."""
        from .._checks import check_seed

        draws = self.draws if draws is None else check_draws(draws)
        seed = self.random_seed if random_seed is None else check_seed(random_seed)
        return _clusters.drawn(len(self.records), self._id_pairs(), draws, seed,
                               method=self.draw_method if method is None else method)

    def with_threshold(self, threshold: float) -> Linkage:
        """The same linkage, clustered at another match probability."""
        from dataclasses import replace

        return replace(self, threshold=check_threshold(threshold))

    def with_draws(self, draws: int | None = None, *, method: str | None = None) -> Linkage:
        """The same linkage, with another number or method of drawn clusterings (what
        the MSE estimators pool over)."""
        from dataclasses import replace

        method = self.draw_method if method is None else check_draw_method(method)
        return replace(self, draws=self.draws if draws is None else check_draws(draws), draw_method=method)

    def __repr__(self) -> str:
        n = len(self.records)
        k = int(self._labels().max()) + 1
        return (f"<Linkage: {n:,} records on {len(self.lists)} lists, {len(self.pairs):,} scored pairs, "
                f"{k:,} people at threshold {self.threshold:g}>")


def check_draws(draws: int) -> int:
    if isinstance(draws, bool) or int(draws) != draws or draws < 1:
        raise ValueError(f"draws must be a whole number of at least 1, got {draws!r}")
    return int(draws)


def check_draw_method(method: str) -> str:
    if method not in _clusters.DRAW_METHODS:
        raise ValueError(f"draw_method must be one of {_clusters.DRAW_METHODS}, got {method!r}")
    return method


def check_threshold(threshold: float) -> float:
    threshold = float(threshold)
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be a match probability in (0, 1), got {threshold}")
    return threshold
