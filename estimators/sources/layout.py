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
    calibration: tuple[int, int, int | None] | None  # (conceded, reported, incidents)

    def coords(self) -> dict[str, list[str]]:
        """The dimension names the PyMC model and the InferenceData share."""
        return {"event": self.events, "kind": self.kinds,
                "source": [f"{e}: {s}" for e, s in self.sources],
                "monitor": [f"{self.sources[i][0]}: {self.sources[i][1]}" for i in self.monitor_sources]}

    def versions(self, s: int) -> np.ndarray:
        """Row indices of source s's versions."""
        return self.version_index[s][self.version_index[s] >= 0]


def calibration_counts(calibration: Any) -> tuple[int, int, int | None] | None:
    """``(conceded, reported, incidents)`` on the same incidents, from a tuple or from rows.

    A tuple is ``(conceded, reported)`` or ``(conceded, reported, incidents)``. Rows (e.g.
    ``figures.query("event == 'coalition-credible-incidents'")``) must hold one
    ``acknowledged`` and one ``monitor count`` death figure, and may hold the number of
    incidents (a row with unit ``incidents``); other rows are refused. ``incidents`` is
    None when not given: the deaths are then taken as independent, which overstates how
    much the calibration says when deaths cluster in incidents (see
    `conceded_share_posterior`).
    """
    if calibration is None:
        return None
    import pandas as pd

    incidents = None
    if isinstance(calibration, pd.DataFrame):
        units = calibration["unit"] if "unit" in calibration.columns else pd.Series("deaths", index=calibration.index)
        per_incident = calibration[units == "incidents"]
        deaths = calibration[units != "incidents"]
        if len(per_incident) > 1:
            raise ValueError(f"calibration rows: at most one count of incidents, got {len(per_incident)}")
        if len(per_incident):
            incidents = per_incident["value"].iloc[0]
        kinds = deaths["kind"].tolist()
        if sorted(kinds) != ["acknowledged", "monitor count"]:
            raise ValueError("calibration rows must be one 'acknowledged' and one 'monitor count' figure "
                             f"for the same incidents (and optionally their number, unit 'incidents'); got kinds {kinds}")
        if calibration["event"].nunique() != 1:
            raise ValueError("calibration rows must concern the same incidents (one event)")
        by = dict(zip(deaths["kind"], deaths["value"]))
        conceded, reported = by["acknowledged"], by["monitor count"]
    else:
        try:
            conceded, reported, *rest = calibration
        except (TypeError, ValueError):
            raise TypeError("calibration must be (conceded, reported[, incidents]) or a DataFrame of rows") from None
        if len(rest) > 1:
            raise TypeError(f"calibration must be (conceded, reported[, incidents]), got {len(rest) + 2} numbers")
        incidents = rest[0] if rest else None
    for name, x in (("conceded", conceded), ("reported", reported), ("incidents", incidents)):
        if name == "incidents" and x is None:
            continue
        if x is None or x != x or x < 0 or float(x) % 1:
            raise ValueError(f"calibration {name} must be a non-negative whole number, got {x!r}")
    if conceded > reported:
        raise ValueError(f"calibration: conceded ({conceded:g}) exceeds reported ({reported:g}) on the same incidents")
    if reported == 0:
        raise ValueError("calibration: reported deaths must be positive")
    if incidents is not None and not 1 <= incidents <= reported:
        raise ValueError(f"calibration: incidents ({incidents:g}) must be between 1 and the reported deaths ({reported:g})")
    return int(conceded), int(reported), None if incidents is None else int(incidents)


def table_layout(counts: Any, *, calibration: Any, about_tolerance: float, n_min: float) -> Layout:
    """Validate ``counts`` (`estimators.data.read_source_counts`) and lay it out as arrays."""
    from ..data import LOWER_BOUND_KINDS, MONITOR_KINDS, read_source_counts, refuse_file

    refuse_file(counts, estimator="multi_source", reader="read_source_counts")
    if not 0 <= about_tolerance < 1:
        raise ValueError(f"about_tolerance must be in [0, 1), got {about_tolerance}")
    table = read_source_counts(counts)
    if len(table) == 0:
        raise ValueError("no rows: multi_source needs at least one count")
    table, nested = _split_nested(table, about_tolerance)
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
    # A nested list's count is part of its parent's: the parent counted at least as many.
    key_of = {(ev, label): k for (ev, label), k in zip(zip(table["event"], table["label"]), keys)}
    for (ev, parent), least in nested.items():
        for r in by_source[s_index[key_of[(ev, parent)]]]:
            if row_point[r] and row_y[r] < least[0]:
                raise ValueError(f"figure {table['figure_id'].iloc[r]!r} ({row_y[r]:,.0f}) is smaller than "
                                 f"{least[1]!r} ({least[0]:,.0f}), which is given as within it")
            if not row_point[r]:
                row_lo[r] = max(row_lo[r], least[0])
                if row_lo[r] > row_hi[r]:
                    raise ValueError(f"figure {table['figure_id'].iloc[r]!r} allows at most {row_hi[r]:,.0f}, less "
                                     f"than {least[1]!r} ({least[0]:,.0f}), which is given as within it")
    # Floor of N per event: every lower-bound source must be possible.
    floor = np.full(len(events), float(n_min))
    for s, rows in by_source.items():
        if kinds[source_kind[s]] in LOWER_BOUND_KINDS:
            least = min(row_y[r] if row_point[r] else row_lo[r] for r in rows)
            floor[source_event[s]] = max(floor[source_event[s]], least)
    for (ev, _), (least, _, lower_bound) in nested.items():
        if lower_bound:
            floor[events.index(ev)] = max(floor[events.index(ev)], least)
    return Layout(table, events, kinds, sources, source_kind, source_event, monitor_sources,
                  row_source, row_event, row_point, row_y, row_lo, row_hi, row_kind, row_ack,
                  row_monitor_idx, version_index, floor, calibration_counts(calibration))


def _split_nested(table: Any, about_tolerance: float) -> tuple[Any, dict]:
    """The rows of lists given as ``within`` another source (column ``within``: the
    parent's label, same event) taken out of the table.

    A nested list (641 names verified within the 1,000+ names gathered; a monitor's
    earlier total within its later one) is a share of its parent's count, so it says
    something about that share and nothing more about N: the model uses it only as a
    lower end of its parent's count (and, for a lower-bound kind, of N). Chains of
    nesting pass the largest such end to the outermost list. Returns the table without
    nested rows and ``{(event, outermost label): (least count, figure_id, lower_bound)}``.
    """
    from ..data import LOWER_BOUND_KINDS

    if "within" not in table.columns:
        return table, {}
    within = table["within"].where(table["within"].notna(), None)
    parent = {}
    for r, (ev, label, w, fid) in enumerate(zip(table["event"], table["label"], within, table["figure_id"])):
        if not (isinstance(w, str) and w):
            continue
        if w == label:
            raise ValueError(f"figure {fid!r}: 'within' names its own label {w!r}")
        if not ((table["event"] == ev) & (table["label"] == w)).any():
            raise ValueError(f"figure {fid!r}: 'within' names {w!r}, which is no label of event {ev!r}")
        if parent.setdefault((ev, label), w) != w:
            raise ValueError(f"figure {fid!r}: the rows labelled {label!r} name different lists in 'within'")
    # Each nested list's least count (the smallest of its versions), passed to the outermost list.
    own: dict = {}
    for r, (ev, label, kind, fid) in enumerate(zip(table["event"], table["label"], table["kind"], table["figure_id"])):
        if (ev, label) in parent:
            point, y, lo, _ = _censoring(table.iloc[r], about_tolerance)
            least = y if point else lo
            if (ev, label) not in own or least < own[(ev, label)][0]:
                own[(ev, label)] = (least, fid, kind in LOWER_BOUND_KINDS)
    nested: dict = {}
    for (ev, label), value in own.items():
        root, seen = label, {label}
        while (ev, root) in parent:
            root = parent[(ev, root)]
            if root in seen:
                raise ValueError(f"figure {value[1]!r}: 'within' goes round in a circle through {root!r}")
            seen.add(root)
        if (ev, root) not in nested or value[0] > nested[(ev, root)][0]:
            nested[(ev, root)] = value
    keep = [(ev, lab) not in parent for ev, lab in zip(table["event"], table["label"])]
    return table[keep].reset_index(drop=True), nested


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
