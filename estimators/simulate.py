"""Data generators with known truth, one per data shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["capture_histories"]


# -- linked lists (capture histories) -----------------------------------------------------

def capture_histories(
    N: int,
    lists: int | Sequence[float] | Sequence[str],
    *,
    probabilities: Sequence[float] | None = None,
    heterogeneity: Any = None,
    dependence: float | Sequence[tuple[int, int, float]] = 0.0,
    random_seed: int,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Simulate linked victim lists for a population of ``N`` with known truth.

    Parameters
    ----------
    N
        The true total (victims on any list plus victims on none).
    lists
        Number of lists ``J`` (probabilities then default to 0.3 each), or the capture
        probabilities themselves (one per list), or list names.
    probabilities
        Capture probability of each list (overrides ``lists`` when it is a count).
    heterogeneity
        ``None`` (everyone equally catchable, model M_t); or a latent-class structure
        ``{"weights": [w_1..w_K], "probabilities": [[p_1j..], ...]}`` (K rows of J
        capture probabilities, the LCMCR model's own assumption); or a float ``s > 0``:
        individual capture logits vary as ``logit p_ij = logit p_j + s * z_i`` with
        ``z_i ~ N(0, 1)`` (positively correlated catchability across lists).
    dependence
        List dependence between pairs of lists, as an odds ratio: a float applies to lists
        0 and 1; a sequence of ``(j, k, odds_ratio)`` to each pair. ``odds_ratio > 1``:
        being on list ``j`` raises the odds of being on list ``k`` (positive dependence,
        which makes two-list estimates too low); ``< 1``: negative dependence.
        Implemented sequentially: list ``k`` is drawn after list ``j``, with its logit
        shifted by ``log(odds_ratio)`` when the victim is on list ``j``.
    random_seed
        Integer seed (same seed, same data).
    names
        List names; default ``L1..LJ`` (or ``lists`` if it is a sequence of names).

    Returns
    -------
    The pattern table as `estimators.data.read_capture_histories` returns it, with the
    truth in ``.attrs``: ``"N"`` (true total) and ``"unobserved"`` (true uncounted).
    """
    import numpy as np
    import pandas as pd

    from .data import read_capture_histories

    if not isinstance(random_seed, int | np.integer):
        raise TypeError("random_seed must be an integer")
    if int(N) != N or N < 0:
        raise ValueError(f"N must be a non-negative whole number, got {N!r}")
    N = int(N)
    rng = np.random.default_rng(int(random_seed))
    if isinstance(lists, int | np.integer):
        J = int(lists)
        p = np.full(J, 0.3) if probabilities is None else np.asarray(probabilities, float)
    elif all(isinstance(x, str) for x in lists):
        names = list(lists) if names is None else names
        J = len(lists)
        p = np.full(J, 0.3) if probabilities is None else np.asarray(probabilities, float)
    else:
        p = np.asarray(lists, dtype=float)
        J = len(p)
    if len(p) != J or J < 2:
        raise ValueError("need at least two lists and one probability per list")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("capture probabilities must lie strictly between 0 and 1")
    names = [f"L{j + 1}" for j in range(J)] if names is None else list(names)

    logit = np.log(p / (1 - p))
    if heterogeneity is None:
        eta = np.broadcast_to(logit, (N, J)).copy()
    elif isinstance(heterogeneity, dict):
        w = np.asarray(heterogeneity["weights"], float)
        probs = np.asarray(heterogeneity["probabilities"], float)
        if probs.shape != (len(w), J):
            raise ValueError(f"heterogeneity probabilities must have shape ({len(w)}, {J})")
        z = rng.choice(len(w), size=N, p=w / w.sum())
        eta = np.log(probs / (1 - probs))[z]
    else:
        s = float(heterogeneity)
        eta = logit + s * rng.standard_normal(N)[:, None]

    if isinstance(dependence, int | float):
        pairs = [] if dependence == 0 else [(0, 1, float(dependence))]
    else:
        pairs = [(int(j), int(k), float(r)) for j, k, r in dependence]
    for j, k, r in pairs:
        if not (0 <= j < k < J) or r <= 0:
            raise ValueError(f"dependence ({j}, {k}, {r}): need 0 <= j < k < J and odds ratio > 0")

    x = np.zeros((N, J), dtype=np.int64)
    for k in range(J):
        e = eta[:, k].copy()
        for j, kk, r in pairs:
            if kk == k:
                e += np.log(r) * x[:, j]
        x[:, k] = rng.random(N) < 1 / (1 + np.exp(-e))
    index = x @ (1 << np.arange(J))
    counts = np.bincount(index, minlength=2**J)
    patterns = (np.arange(1, 2**J)[:, None] >> np.arange(J)) & 1
    frame = pd.DataFrame(patterns, columns=names)
    frame["count"] = counts[1:]
    out = read_capture_histories(frame)
    out.attrs["N"] = N
    out.attrs["unobserved"] = int(counts[0])
    return out
