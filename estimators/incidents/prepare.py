"""An incident table as the arrays the incident model runs on: one cell per (grade,
assessment, share) with its count, and the reported sums per grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import GRADES

_NONE, _CREDIBLE, _NON_CREDIBLE = 0, 1, 2


@dataclass(frozen=True)
class _Prepared:
    grade: np.ndarray  # (n,) grade index into GRADES
    low: np.ndarray  # (n,) smallest possible true deaths if genuine
    high: np.ndarray  # (n,) reported maximum (at least low)
    cell_of: np.ndarray  # (n,) index of the incident's cell
    cell_grade: np.ndarray  # (C,) grade of each cell
    cell_assess: np.ndarray  # (C,) 0 none/unused, 1 credible, 2 non-credible
    cell_share: np.ndarray  # (C,) this belligerent's share of a genuine incident
    cell_count: np.ndarray  # (C,) incidents in the cell
    fixed_genuine: np.ndarray  # (C,) bool: confirmed incidents taken as genuine
    reported_min: np.ndarray  # (5,) sums per grade
    reported_max: np.ndarray  # (5,)
    incidents: np.ndarray  # (5,)
    without_count: int
    label: str


def _prepare(incidents: Any, *, belligerent: str | None, contested_share: str | float,
             confirmed_genuine: bool) -> _Prepared:
    from ..data import is_validated_incidents, read_incidents, refuse_file

    refuse_file(incidents, estimator="incident_model", reader="read_incidents")

    frame = incidents if is_validated_incidents(incidents) else read_incidents(incidents)
    if belligerent is not None:
        codes, uniques = frame["belligerents"].factorize()
        names = np.array([belligerent in str(u).split(";") for u in uniques], dtype=bool)
        frame = frame[names[codes]] if len(uniques) else frame
        if len(frame) == 0:
            raise ValueError(f"no incident names the belligerent {belligerent!r}")
    if len(frame) == 0:
        raise ValueError("the incident table is empty")
    grade = frame["grade"].map({g: i for i, g in enumerate(GRADES)}).to_numpy(dtype=np.int64)
    contested = grade == GRADES.index("contested")
    k = frame["n_belligerents"].to_numpy(dtype=np.float64)
    share = np.ones(len(frame))
    if contested_share == "equal":
        if belligerent is not None:
            share[contested] = 1.0 / k[contested]
    else:
        value = float(contested_share)
        if not 0 < value <= 1:
            raise ValueError(f"contested_share must be 'equal' or a number in (0, 1], got {contested_share!r}")
        share[contested] = value
    assess_text = frame["assessment"].to_numpy(dtype=object)
    assess = np.where(assess_text == "credible", _CREDIBLE, np.where(assess_text == "non-credible", _NON_CREDIBLE, _NONE))
    confirmed = grade == 0
    # A confirmed grade *is* the belligerent accepting responsibility: its assessment is
    # not separate evidence and is not used.
    assess[confirmed] = _NONE

    def counts(col: str) -> np.ndarray:
        return frame[col].to_numpy(dtype=np.float64, na_value=0.0).astype(np.int64)

    dmin, dmax = counts("deaths_min"), counts("deaths_max")
    low = np.maximum.reduce([dmin, counts("named_victims"), counts("conceded_min")])
    high = np.maximum(dmax, low)
    share_key = np.round(share, 12)
    keys = np.stack([grade, assess, share_key * 1e12], axis=1)
    uniq, cell_of = np.unique(keys, axis=0, return_inverse=True)
    cell_of = cell_of.ravel()
    cell_grade = uniq[:, 0].astype(np.int64)
    fixed = (cell_grade == 0) & confirmed_genuine
    return _Prepared(
        grade=grade, low=low, high=high, cell_of=cell_of,
        cell_grade=cell_grade, cell_assess=uniq[:, 1].astype(np.int64), cell_share=uniq[:, 2] / 1e12,
        cell_count=np.bincount(cell_of, minlength=len(uniq)), fixed_genuine=fixed,
        reported_min=np.bincount(grade, weights=dmin, minlength=5).astype(np.int64),
        reported_max=np.bincount(grade, weights=dmax, minlength=5).astype(np.int64),
        incidents=np.bincount(grade, minlength=5),
        without_count=int((~frame["has_count"].to_numpy(dtype=bool)).sum()),
        label=belligerent or "the belligerents named",
    )
