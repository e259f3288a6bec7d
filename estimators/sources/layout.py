"""The table of counts turned into the index arrays both computations are built from."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

NO_UPPER = 1e15  # a censored count's "no upper end"


@dataclass
class Layout:
    """The validated table turned into the index arrays the model is built from."""

    table: Any
    events: list[str]
    kinds: list[str]
    sources: list[tuple[str, str]]  # (event, "label (kind)")
    source_kind: np.ndarray
    source_event: np.ndarray
    monitor_sources: list[int]  # source index of each monitor
    row_source: np.ndarray
    row_event: np.ndarray
    row_point: np.ndarray  # 1: an exact count y
    row_y: np.ndarray
    row_lo: np.ndarray  # censored interval (lo >= 1 means a lower end)
    row_hi: np.ndarray  # NO_UPPER: no upper end
    row_kind: np.ndarray  # 0 lower bound (binomial), 1 marginal beta-binomial, 2 monitor
    row_ack: np.ndarray
    row_monitor_idx: np.ndarray
    version_index: np.ndarray  # (source, max versions) row indices, -1 padded
    floor: np.ndarray  # per event: the least N the lower-bound sources allow
    calibration: tuple[int, int] | None

    def coords(self) -> dict[str, list[str]]:
        """The dimension names the PyMC model and the InferenceData share."""
        return {"event": self.events, "kind": self.kinds,
                "source": [f"{e}: {s}" for e, s in self.sources],
                "monitor": [f"{self.sources[i][0]}: {self.sources[i][1]}" for i in self.monitor_sources]}

    def versions(self, s: int) -> np.ndarray:
        """Row indices of source s's versions."""
        return self.version_index[s][self.version_index[s] >= 0]


def calibration_counts(calibration: Any) -> tuple[int, int] | None:
    """``(conceded, reported)`` on the same incidents, from a pair or from two rows.

    Rows (e.g. ``figures.query("event == 'coalition-credible-incidents' and unit ==
    'deaths'")``) must hold one ``acknowledged`` and one ``monitor count`` figure.
    """
    if calibration is None:
        return None
    import pandas as pd

    if isinstance(calibration, pd.DataFrame):
        kinds = calibration["kind"].tolist()
        if sorted(kinds) != ["acknowledged", "monitor count"]:
            raise ValueError("calibration rows must be one 'acknowledged' and one 'monitor count' figure "
                             f"for the same incidents; got kinds {kinds}")
        if calibration["event"].nunique() != 1:
            raise ValueError("calibration rows must concern the same incidents (one event)")
        by = dict(zip(calibration["kind"], calibration["value"]))
        conceded, reported = by["acknowledged"], by["monitor count"]
    else:
        try:
            conceded, reported = calibration
        except (TypeError, ValueError):
            raise TypeError("calibration must be (conceded, reported) or a DataFrame of two rows") from None
    for name, x in (("conceded", conceded), ("reported", reported)):
        if x is None or x != x or x < 0 or float(x) % 1:
            raise ValueError(f"calibration {name} must be a non-negative whole number, got {x!r}")
    if conceded > reported:
        raise ValueError(f"calibration: conceded ({conceded:g}) exceeds reported ({reported:g}) on the same incidents")
    if reported == 0:
        raise ValueError("calibration: reported deaths must be positive")
    return int(conceded), int(reported)


def table_layout(counts: Any, *, calibration: Any, about_tolerance: float, n_min: float) -> Layout:
    """Validate ``counts`` (`estimators.data.read_source_counts`) and lay it out as arrays."""
    from ..data import LOWER_BOUND_KINDS, MONITOR_KINDS, read_source_counts, refuse_file

    refuse_file(counts, estimator="multi_source", reader="read_source_counts")
    if not 0 <= about_tolerance < 1:
        raise ValueError(f"about_tolerance must be in [0, 1), got {about_tolerance}")
    table = read_source_counts(counts)
    if len(table) == 0:
        raise ValueError("no rows: multi_source needs at least one count")
    events = list(dict.fromkeys(table["event"]))
    kinds = list(dict.fromkeys(table["kind"]))
    keys = [(ev, f"{label} ({kind})") for ev, label, kind in zip(table["event"], table["label"], table["kind"])]
    sources = list(dict.fromkeys(keys))
    s_index = {s: i for i, s in enumerate(sources)}
    source_kind = np.zeros(len(sources), dtype=int)
    for key, kind in zip(keys, table["kind"]):
        source_kind[s_index[key]] = kinds.index(kind)
    source_event = np.array([events.index(ev) for ev, _ in sources])
    monitor_sources = [i for i, _ in enumerate(sources) if kinds[source_kind[i]] in MONITOR_KINDS]

    n = len(table)
    row_source = np.array([s_index[k] for k in keys])
    row_event = source_event[row_source]
    row_point = np.zeros(n, dtype=int)
    row_y = np.zeros(n)
    row_lo = np.ones(n)
    row_hi = np.ones(n)
    for r, row in enumerate(table.itertuples(index=False)):
        row_point[r], row_y[r], row_lo[r], row_hi[r] = _censoring(row, about_tolerance)
    # A source's versions: its rows.
    by_source: dict[int, list[int]] = {}
    for r, s in enumerate(row_source):
        by_source.setdefault(int(s), []).append(r)
    width = max(len(v) for v in by_source.values())
    version_index = -np.ones((len(sources), width), dtype=int)
    for s, rows in by_source.items():
        version_index[s, : len(rows)] = rows
    # Row likelihood families: monitors (Poisson); named/field sample with one exact version
    # (beta-binomial, p integrated out); everything else binomial/Poisson with explicit p.
    row_kind = np.zeros(n, dtype=int)
    row_ack = np.zeros(n, dtype=int)
    row_monitor_idx = np.zeros(n, dtype=int)
    for r in range(n):
        s = row_source[r]
        kind = kinds[source_kind[s]]
        if kind in MONITOR_KINDS:
            row_kind[r], row_monitor_idx[r] = 2, monitor_sources.index(s)
        elif kind != "acknowledged" and len(by_source[s]) == 1 and row_point[r]:
            row_kind[r] = 1
        row_ack[r] = kind == "acknowledged"
    # Floor of N per event: every lower-bound source must be possible.
    floor = np.full(len(events), float(n_min))
    for s, rows in by_source.items():
        if kinds[source_kind[s]] in LOWER_BOUND_KINDS:
            least = min(row_y[r] if row_point[r] else row_lo[r] for r in rows)
            floor[source_event[s]] = max(floor[source_event[s]], least)
    return Layout(table, events, kinds, sources, source_kind, source_event, monitor_sources,
                  row_source, row_event, row_point, row_y, row_lo, row_hi, row_kind, row_ack,
                  row_monitor_idx, version_index, floor, calibration_counts(calibration))


def _censoring(row: Any, about_tolerance: float) -> tuple[int, float, float, float]:
    """``(point, y, lo, hi)`` of one row: an exact count y, or the interval [lo, hi] its
    qualifier allows (the unused entries are 0 for y and 1 for lo and hi)."""
    q, v = row.qualifier, row.value
    if v == v:  # a single value
        if q == "exact":
            return 1, v, 1.0, 1.0
        lo, hi = {"at least": (v, NO_UPPER), "more than": (v + 1, NO_UPPER), "up to": (0.0, v),
                  "about": (math.floor(v * (1 - about_tolerance)), math.ceil(v * (1 + about_tolerance)))}[q]
    else:
        lo, hi = row.low, row.high
        if q == "about":
            lo, hi = math.floor(lo * (1 - about_tolerance)), math.ceil(hi * (1 + about_tolerance))
        elif q in ("at least", "more than"):
            lo, hi = lo + (q == "more than"), NO_UPPER
        elif q == "up to":
            lo = 0.0
    return 0, 0.0, lo, hi
