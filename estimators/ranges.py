"""Graded incident ranges: the monitors' method (sum of minima to sum of maxima).

Airwars (and monitors that follow it) record each alleged incident with a minimum and a
maximum number of civilians reported killed, and grade it: confirmed, fair, weak,
contested, discounted. The headline "likely" range is the sum of the minima to the sum of
the maxima over incidents graded confirmed or fair; the "alleged" range is the same sums
over all five grades; the per-grade rows add up exactly to the alleged range. A
belligerent's page counts every incident that names it.

`graded_range` reproduces that arithmetic on an incident table or on a published
per-grade summary, so that published snapshots can be checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .data import GRADES
from .result import Estimate, EstimateTable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["graded_range", "normalise_grades", "LIKELY", "ALLEGED"]

LIKELY = ("confirmed", "fair")
ALLEGED = GRADES

#: Per-grade columns of ``details`` (the table monitors publish), in order.
_DETAIL_COLUMNS = (
    "incidents", "deaths_min", "deaths_max", "named_victims", "conceded_min",
    "conceded_max", "conceded_incidents", "incidents_without_count",
)
_SPECIAL_BY = ("belligerent", "year", "month")


def normalise_grades(grades: str | Sequence[str]) -> tuple[str, ...]:
    """``"all"`` -> every grade; a name or names (any case, "disproven" = discounted) ->
    the tuple of grades in the canonical order. Unknown names raise ``ValueError``."""
    if isinstance(grades, str):
        if grades.strip().lower() == "all":
            return GRADES
        grades = [g for g in grades.split(";")]
    wanted = set()
    for g in grades:
        key = str(g).strip().lower()
        key = "discounted" if key == "disproven" else key
        if key not in GRADES:
            raise ValueError(f"unknown grade {g!r}; expected 'all' or some of {', '.join(GRADES)}")
        wanted.add(key)
    if not wanted:
        raise ValueError("grades is empty; expected 'all' or some of " + ", ".join(GRADES))
    return tuple(g for g in GRADES if g in wanted)


def _label(selected: tuple[str, ...]) -> str:
    if selected == GRADES:
        return "all grades (alleged)"
    if selected == LIKELY:
        return "confirmed + fair incidents"
    return " + ".join(selected) + " incidents"


def _as_table(incidents: Any) -> tuple[str, pd.DataFrame]:
    """('incidents' | 'summary', validated frame); validates unless already validated."""
    import pandas as pd

    from .data import GRADE_SUMMARY_MARK, is_validated_incidents, read_grade_summary, read_incidents, refuse_file

    refuse_file(incidents, estimator="graded_range", reader="read_incidents (or read_grade_summary)")
    if is_validated_incidents(incidents):
        return "incidents", incidents
    if isinstance(incidents, pd.DataFrame) and incidents.attrs.get(GRADE_SUMMARY_MARK[0]) == GRADE_SUMMARY_MARK[1]:
        return "summary", incidents
    if not isinstance(incidents, pd.DataFrame):
        raise TypeError(f"graded_range takes an incident table or a per-grade summary, got {type(incidents).__name__}")
    columns = set(incidents.columns)
    if "incident_id" in columns:
        return "incidents", read_incidents(incidents)
    if {"grade", "deaths_min", "deaths_max"} <= columns:
        return "summary", read_grade_summary(incidents)
    raise ValueError(
        "expected an incident table (with incident_id, grade, deaths_min, deaths_max, ...; "
        "see estimators.data.read_incidents) or a per-grade summary (grade, incidents, "
        f"deaths_min, deaths_max); got columns {sorted(columns)}"
    )


# -- grouping keys (numpy, so that a million incidents take well under a second) ---------

def _belligerent_rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(row index, belligerent code, names): one entry per (incident, named belligerent)."""
    import numpy as np

    codes, uniques = frame["belligerents"].factorize()
    name_lists = [str(u).split(";") for u in uniques]
    names = sorted({n for lst in name_lists for n in lst})
    name_id = {n: i for i, n in enumerate(names)}
    counts = np.array([len(lst) for lst in name_lists], dtype=np.int64)
    flat = np.array([name_id[n] for lst in name_lists for n in lst], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_row = counts[codes]
    rows = np.repeat(np.arange(len(frame)), per_row)
    within = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return rows, flat[starts[codes][rows] + within], names


def _key_codes(frame: pd.DataFrame, key: str, rows: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes (for the given rows) and labels of one non-belligerent grouping key."""
    import numpy as np
    import pandas as pd

    if key in ("year", "month") and key not in frame.columns:
        dates = frame["date"].to_numpy(dtype="datetime64[ns]")
        unit = "Y" if key == "year" else "M"
        periods = dates.astype(f"datetime64[{unit}]").astype(np.int64)
        # Codes relative to the first period (labels for every period in between; the
        # empty ones are dropped when groups are combined): no sort of a million rows.
        first = int(periods.min()) if len(periods) else 0
        codes = periods - first
        span = range(first, first + (int(codes.max()) + 1 if len(codes) else 0))
        if key == "year":
            labels = [u + 1970 for u in span]
        else:
            labels = [str(np.datetime64(u, "M")) for u in span]
        return codes[rows], labels
    if key not in frame.columns:
        raise ValueError(
            f"by={key!r}: no such column; use a column of the table or one of {_SPECIAL_BY}"
        )
    codes, uniques = pd.factorize(frame[key], sort=True, use_na_sentinel=True)
    labels = list(uniques)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels.append("(missing)")
    return codes[rows], labels


def _groups(frame: pd.DataFrame, by: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """(row index, group code, group labels); incidents naming several belligerents
    appear once per belligerent when ``"belligerent"`` is among the keys."""
    import numpy as np

    if "belligerent" in by and "belligerent" not in frame.columns:
        rows, bell, bell_names = _belligerent_rows(frame)
    else:
        rows, bell, bell_names = np.arange(len(frame)), None, None
    parts = []
    for key in by:
        if key == "belligerent" and bell is not None:
            parts.append((bell, bell_names))
        else:
            parts.append(_key_codes(frame, key, rows))
    combined = np.zeros(len(rows), dtype=np.int64)
    for codes, labels in parts:
        combined = combined * len(labels) + codes
    size = int(np.prod([float(len(labels)) for _, labels in parts]))
    if size <= 4 * len(combined) + 1_000_000:
        present = np.bincount(combined, minlength=size) > 0  # dense re-coding, no sort
        uniq = np.flatnonzero(present)
        group = (np.cumsum(present) - 1)[combined]
    else:  # many sparse key combinations
        uniq, group = np.unique(combined, return_inverse=True)
    labels = []
    for u in uniq:
        parts_label = []
        for codes, lab in reversed(parts):
            parts_label.append(lab[int(u % len(lab))])
            u //= len(lab)
        parts_label.reverse()
        labels.append(parts_label[0] if len(parts_label) == 1 else tuple(parts_label))
    return rows, group, labels


def _per_grade_sums(frame: pd.DataFrame, rows: np.ndarray, group: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    """Each detail column summed per (group, grade): arrays of shape (n_groups, 5)."""
    import numpy as np

    grade = frame["grade"].map({g: i for i, g in enumerate(GRADES)}).to_numpy(dtype=np.int64)[rows]
    cell = group * len(GRADES) + grade
    size = n_groups * len(GRADES)

    def col(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=np.float64, na_value=0.0)[rows]

    weights = {
        "incidents": None,
        "deaths_min": col("deaths_min"),
        "deaths_max": col("deaths_max"),
        "named_victims": col("named_victims"),
        "conceded_min": col("conceded_min"),
        "conceded_max": col("conceded_max"),
        "conceded_incidents": (frame["assessment"].to_numpy(dtype=object) == "credible")[rows].astype(np.float64),
        "incidents_without_count": (~frame["has_count"].to_numpy(dtype=bool))[rows].astype(np.float64),
    }
    out = {}
    for name, w in weights.items():
        # float64 sums are exact below 2**53; the readers' bound on a count (1e9) keeps
        # them there up to nine million incidents, and this refuses anything beyond
        if w is not None and w.sum() >= 2.0**53:
            raise ValueError(f"the {name} column sums to more than 2**53: too large to add exactly")
        sums = np.bincount(cell, weights=w, minlength=size)
        out[name] = np.rint(sums).astype(np.int64).reshape(n_groups, len(GRADES))
    return out


def _grade_frame(sums: dict[str, np.ndarray], index: int, selected: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame({"grade": list(GRADES)})
    for name in _DETAIL_COLUMNS:
        frame[name] = sums[name][index]
    frame["included"] = [g in selected for g in GRADES]
    return frame


def graded_range(
    incidents: Any,
    *,
    grades: str | Sequence[str] = LIKELY,
    by: str | Sequence[str] | None = None,
    belligerent: str | None = None,
) -> Estimate | EstimateTable:
    """The monitors' range: sum of reported minima – sum of reported maxima over the
    incidents whose grade is in ``grades``.

    Parameters
    ----------
    incidents
        An incident table (`estimators.data.read_incidents`; an unvalidated DataFrame is
        validated first; a file name is refused: read it first), or a per-grade summary (grade, incidents,
        deaths_min, deaths_max; `estimators.data.read_grade_summary`), such as a
        published snapshot from `estimators.datasets.load_grade_snapshots`.
    grades
        Which grades to sum: default confirmed + fair (Airwars' "likely" range);
        ``"all"`` gives the "alleged" range.
    by
        ``None`` for one `Estimate`; a column name, ``"belligerent"``, ``"year"`` or
        ``"month"`` (or a sequence of these, e.g. ``("belligerent", "month")``) for an
        `EstimateTable` with one row per group. With ``"belligerent"`` an incident is
        counted once for every belligerent it names (as per-belligerent pages do), so
        groups can overlap; without it each incident counts once.
    belligerent
        Keep only incidents that name this belligerent (exact name), as one
        belligerent's page does.

    Returns
    -------
    Estimate or EstimateTable
        ``interval="range"`` with no level and no central value: this is arithmetic on
        reported counts, not a statistical interval. ``details`` is the per-grade table
        (grade, incidents, deaths_min, deaths_max, named_victims, conceded_min,
        conceded_max, conceded_incidents, incidents_without_count, included), whose rows
        add up to the alleged range; for a table, ``details`` stacks it per group.
        Incidents with no reported death count add zero to the sums; their number is in
        ``details`` and ``diagnostics["incidents_without_count"]``.

    Notes
    -----
    The result does not depend on row order (sums are exact integer arithmetic).
    ``conceded_*`` sum the belligerent's conceded deaths over all incidents of a grade;
    ``conceded_incidents`` counts incidents it assessed as credible.
    """
    import numpy as np

    selected = normalise_grades(grades)
    keys: tuple[str, ...] = () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    kind, frame = _as_table(incidents)
    if kind == "summary":
        if keys or belligerent is not None:
            raise ValueError("a per-grade summary has no incidents to group or filter; "
                             "by= and belligerent= need an incident table")
        return _summary_range(frame, selected)

    if belligerent is not None:
        codes, uniques = frame["belligerents"].factorize()
        names = np.array([belligerent in str(u).split(";") for u in uniques], dtype=bool)
        frame = frame[names[codes]] if len(uniques) else frame
    label = _label(selected)
    who = f", {belligerent}" if belligerent else ""
    if not keys:
        rows, group, labels = np.arange(len(frame)), np.zeros(len(frame), dtype=np.int64), [None]
    else:
        rows, group, labels = _groups(frame, keys)
    sums = _per_grade_sums(frame, rows, group, len(labels))
    mask = np.array([g in selected for g in GRADES])
    lower = sums["deaths_min"][:, mask].sum(axis=1)
    upper = sums["deaths_max"][:, mask].sum(axis=1)
    n_sel = sums["incidents"][:, mask].sum(axis=1)
    n_missing = sums["incidents_without_count"][:, mask].sum(axis=1)
    n_all = sums["incidents"].sum(axis=1)

    def make(i: int, group_label: Any, details: Any) -> Estimate:
        where = "" if group_label is None else f", {group_label}"
        return Estimate(
            value=None, lower=float(lower[i]), upper=float(upper[i]), interval="range",
            interval_method=label, method="graded_range",
            quantity=f"civilians reported killed{who}{where}",
            diagnostics={"incidents": int(n_sel[i]), "incidents_alleged": int(n_all[i]),
                         "incidents_without_count": int(n_missing[i])},
            details=details,
        )

    if not keys:
        details = _grade_frame(sums, 0, selected)
        est = make(0, None, details)
        flagged = int(frame["conceded_above_reported"].sum())
        est.diagnostics["conceded_above_reported"] = flagged
        return est

    import pandas as pd

    by_name = keys[0] if len(keys) == 1 else ", ".join(keys)
    estimates = {lab: make(i, lab, None) for i, lab in enumerate(labels)}
    long = pd.DataFrame({
        "group": np.repeat(np.array(labels, dtype=object), len(GRADES)) if len(keys) == 1
        else [lab for lab in labels for _ in GRADES],
        "grade": np.tile(np.array(GRADES, dtype=object), len(labels)),
    })
    if len(keys) > 1:
        for j, key in enumerate(keys):
            long[key] = [g[j] for g in long["group"]]
        long = long.drop(columns="group")
    else:
        long = long.rename(columns={"group": keys[0]})
    for name in _DETAIL_COLUMNS:
        long[name] = sums[name].ravel()
    long["included"] = np.tile(mask, len(labels))
    return EstimateTable(by=by_name, estimates=estimates, method="graded_range", details=long)


def _summary_range(summary: pd.DataFrame, selected: tuple[str, ...]) -> Estimate:
    """The range from a per-grade summary: rows whose grades all lie in ``selected``."""
    import numpy as np

    chosen, absent = set(selected), set(selected)
    included = []
    for pos, grade_set in enumerate(summary["grade"]):
        names = set(grade_set.split(";"))
        absent -= names
        if names <= chosen:
            included.append(True)
        elif names & chosen:
            raise ValueError(
                f"row {pos + 1} sums grades {grade_set!r} together; the grades asked for "
                f"({', '.join(selected)}) take only part of it, and a published sum cannot "
                "be split. Ask for all of its grades or none."
            )
        else:
            included.append(False)
    inc = np.array(included, dtype=bool)
    details = summary.copy()
    details["included"] = inc
    counts = summary["incidents"][inc]
    diagnostics: dict[str, Any] = {
        "incidents": None if counts.isna().any() else int(counts.sum()),
        "incidents_alleged": None if summary["incidents"].isna().any() else int(summary["incidents"].sum()),
    }
    if absent:
        diagnostics["warnings"] = [f"no row for grade(s) {', '.join(sorted(absent))}; counted as zero"]
    return Estimate(
        value=None,
        lower=float(summary["deaths_min"][inc].sum()),
        upper=float(summary["deaths_max"][inc].sum()),
        interval="range", interval_method=_label(selected), method="graded_range (per-grade summary)",
        quantity="civilians reported killed", diagnostics=diagnostics, details=details,
    )
