"""Airwars' incident export, read as it is: every quirk of the real file met by a policy.

Airwars (airwars.org) publishes one page per alleged civilian-harm incident. The public
archive of its Syria pages (``data/airwars_syria_incidents.csv``, see ``data/README.md``)
has the defects of any real export. None is mended silently: each has a policy argument
whose default, ``"error"``, stops at the first row concerned with a `DataValidationError`
that names the file, row, line, column, the value, what was expected and the option that
accepts it. What each chosen policy did is counted in the returned table's
``attrs["details"]``; rows set aside are listed there, never dropped unseen; and each
changed row names the policies that changed it in its ``adjusted`` column.

============================  ==============================================================
quirk (in the Syria file)     policy and its choices
============================  ==============================================================
a minimum killed but no       ``one_sided``: ``"as_both"`` (the one number reported is both
maximum, or the reverse (7)   ends), ``"lower_only"`` (a lone maximum M gives 0–M, a lone
                              minimum m gives m–m: nothing above what is reported),
                              ``"no_count"`` (kept as an incident with no death count)
no grade yet (130)            ``ungraded``: ``"exclude"`` (set aside and listed), or a grade
                              name given to them all (e.g. ``"contested"``)
two grades in one cell,       ``two_grades``: ``"most_credible"``, ``"least_credible"``,
written without quotes so     ``"exclude"``. The unquoted comma gives the row one cell too
the row has 16 cells (1)      many; a row is mended only when the two cells at the grade's
                              place are both grade names, any other ragged row is an error
no date (2)                   ``undated``: ``"exclude"``
dated 1970-01-01, the Unix    ``placeholder_dates``: ``"exclude"``
epoch placeholder (1)
no belligerent named (35)     ``no_belligerent``: ``"unknown"`` (Airwars' own label
                              ``Unknown``)
end date before the start     ``reversed_dates``: ``"drop_end"`` (the end date cleared)
date (1)
more victims named than the   ``named_victims``: ``"page_count"``: Airwars counts named
maximum killed (587)          injured among a page's named victims, so the count is kept as
                              ``named_on_page`` and not used as named dead
reused public codes (4 rows)  ``incident_id``: ``"airwars_id"`` (default: Airwars' unique
                              key; ``code`` kept as a column) or ``"code"`` (refused: codes
                              repeat)
several belligerents in one   kept: ``belligerents`` lists them all (``;``-joined) and
incident (282)                `graded_range` counts the incident for each, as Airwars'
                              belligerent pages do
============================  ==============================================================

The returned frame is the incident table `read_incidents` returns (it passes
`is_validated_incidents`; ``country`` is the ``country`` argument, the file covering one
country) followed by the export's own columns: ``code``, ``date_end``, ``strike_type``,
``injured_min``, ``injured_max``, ``sources`` (sources cited), ``url``, ``named_on_page``
(with ``named_victims="page_count"``) and ``adjusted``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from .figures import GRADES
from .incidents import read_incidents
from .tables import Column, DataValidationError, parse_table

__all__ = ["AIRWARS_EXPORT_SCHEMA", "AIRWARS_POLICIES", "read_airwars_export"]

AIRWARS_EXPORT_SCHEMA = (
    Column("code"),
    Column("airwars_id", "count", unique=True),
    Column("date", optional_value=True),  # text: the undated and placeholder policies read it
    Column("date_end", "date", optional_value=True),
    Column("location", optional_value=True),
    Column("belligerents", optional_value=True),
    Column("strike_type", optional_value=True),
    Column("civilian_harm_grade", optional_value=True),
    Column("civilians_killed_min", "count", optional_value=True),
    Column("civilians_killed_max", "count", optional_value=True),
    Column("civilians_injured_min", "count", optional_value=True),
    Column("civilians_injured_max", "count", optional_value=True),
    Column("named_victims", "count"),
    Column("sources", "count"),
    Column("airwars_url"),
)

#: Each policy argument and the values it accepts; the first is the strict default.
AIRWARS_POLICIES = {
    "one_sided": ("error", "as_both", "lower_only", "no_count"),
    "ungraded": ("error", "exclude", *GRADES),
    "two_grades": ("error", "most_credible", "least_credible", "exclude"),
    "undated": ("error", "exclude"),
    "placeholder_dates": ("error", "exclude"),
    "no_belligerent": ("error", "unknown"),
    "reversed_dates": ("error", "drop_end"),
    "named_victims": ("error", "page_count"),
}

#: The export's columns that become the incident table's, and the names they take.
_CANONICAL = {"location": "place", "civilian_harm_grade": "grade",
              "civilians_killed_min": "deaths_min", "civilians_killed_max": "deaths_max"}
_EXTRAS = {"code": "code", "date_end": "date_end", "strike_type": "strike_type",
           "civilians_injured_min": "injured_min", "civilians_injured_max": "injured_max",
           "sources": "sources", "airwars_url": "url"}
_PLACEHOLDER_DATE = "1970-01-01"
_GRADE_NAMES = {g.capitalize() for g in GRADES} | set(GRADES)


def _mend_two_grades(header: list[str], record: list[str]) -> list[str] | None:
    """A row with one cell too many because a two-grade cell lost its quotes."""
    if "civilian_harm_grade" not in header or len(record) != len(header) + 1:
        return None
    g = header.index("civilian_harm_grade")
    if record[g].strip() in _GRADE_NAMES and record[g + 1].strip() in _GRADE_NAMES:
        return record[:g] + [record[g] + "," + record[g + 1]] + record[g + 2:]
    return None


def read_airwars_export(
    source: Any,
    *,
    name: str | None = None,
    country: str = "Syria",
    incident_id: str = "airwars_id",
    one_sided: str = "error",
    ungraded: str = "error",
    two_grades: str = "error",
    undated: str = "error",
    placeholder_dates: str = "error",
    no_belligerent: str = "error",
    reversed_dates: str = "error",
    named_victims: str = "error",
    earliest: str | None = "1990-01-01",
    latest: str | None = "today",
) -> pd.DataFrame:
    """Read an Airwars incident export (the archive's 15 columns) as a validated
    incident table, each quirk handled by the policy chosen (see the module's table).

    Every policy defaults to ``"error"``. ``earliest``, ``latest`` are `read_incidents`'
    date bounds. The returned frame's ``attrs["details"]`` holds ``source``,
    ``rows_read``, ``rows_kept``, ``policies`` (the choices made), ``rows_touched`` (per
    policy, the rows it changed or set aside) and ``excluded`` (one entry per row set
    aside: row, line, airwars_id, code and the policies that set it aside, ``;``-joined).
    """
    import numpy as np
    import pandas as pd

    chosen = {"one_sided": one_sided, "ungraded": ungraded, "two_grades": two_grades,
              "undated": undated, "placeholder_dates": placeholder_dates,
              "no_belligerent": no_belligerent, "reversed_dates": reversed_dates,
              "named_victims": named_victims}
    for policy, value in chosen.items():
        if value not in AIRWARS_POLICIES[policy]:
            raise ValueError(f"{policy}={value!r}; expected one of {', '.join(map(repr, AIRWARS_POLICIES[policy]))}")
    if incident_id not in ("airwars_id", "code"):
        raise ValueError(f"incident_id={incident_id!r}; expected 'airwars_id' or 'code'")

    typed, table = parse_table(source, AIRWARS_EXPORT_SCHEMA, name=name, repair=_mend_two_grades)
    n = len(typed)
    keep = np.ones(n, dtype=bool)
    reasons: dict[int, list[str]] = {}
    adjusted = [[] for _ in range(n)]

    def apply(policy: str, mask: Any, column: str, expected: str, *, excludes: bool = False) -> np.ndarray:
        """The rows this policy concerns; under "error", the first raises. A policy that
        sets rows aside sees every row (a row can be set aside for several reasons);
        the others see only the rows kept."""
        hits = np.asarray(mask, dtype=bool) & (True if excludes else keep)
        if chosen[policy] == "error":
            others = "', '".join(AIRWARS_POLICIES[policy][1:])
            table.fail_where(hits, column, f"{expected} ({policy}='{others}' accepts it: see read_airwars_export)")
        for pos in np.flatnonzero(hits):
            adjusted[pos].append(policy)
            if excludes:
                reasons.setdefault(int(pos), []).append(policy)
        if excludes:
            keep[hits] = False
        return hits

    # Rows that cannot be placed in an incident table: set aside (when chosen) first, so
    # that later policies count only rows that stay.
    grade = typed["civilian_harm_grade"].astype("string").str.strip().str.lower()
    two = grade.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    missing_grade = grade.isna().to_numpy(dtype=bool)
    apply("ungraded", missing_grade, "civilian_harm_grade",
          "a grade (Confirmed, Fair, Weak, Contested or Discounted)",
          excludes=ungraded == "exclude")
    apply("two_grades", two, "civilian_harm_grade", "one grade per incident",
          excludes=two_grades == "exclude")
    date = typed["date"].astype("string")
    apply("undated", date.isna().to_numpy(dtype=bool), "date", "an incident date", excludes=True)
    apply("placeholder_dates", (date == _PLACEHOLDER_DATE).fillna(False).to_numpy(dtype=bool), "date",
          f"a real date ({_PLACEHOLDER_DATE} is the export's placeholder for none)", excludes=True)

    grade = grade.astype(object)
    if ungraded in GRADES:
        grade[missing_grade & keep] = ungraded
    for pos in np.flatnonzero(two & keep):
        names = [g.strip() for g in grade[pos].split(",")]
        if not all(g in GRADES for g in names):
            table.fail(int(pos), "civilian_harm_grade", typed["civilian_harm_grade"].iloc[pos],
                       "grade names separated by a comma")
        ranks = sorted(GRADES.index(g) for g in names)  # GRADES runs from most credible down
        grade[pos] = GRADES[ranks[0] if two_grades == "most_credible" else ranks[-1]]

    date_end = typed["date_end"]
    start = pd.to_datetime(date.where(keep), format="%Y-%m-%d", errors="coerce")
    reversed_ = apply("reversed_dates", (date_end < start).fillna(False).to_numpy(dtype=bool), "date_end",
                      "an end date on or after the incident's date")
    date_end = date_end.where(~reversed_)

    belligerents = typed["belligerents"].astype("string").str.replace(r"\s*,\s*", ";", regex=True)
    nobody = apply("no_belligerent", belligerents.isna().to_numpy(dtype=bool), "belligerents",
                   "one or more belligerents")
    belligerents = belligerents.where(~nobody, "Unknown")

    low, high = typed["civilians_killed_min"].copy(), typed["civilians_killed_max"].copy()
    lone_low = (low.notna() & high.isna()).to_numpy(dtype=bool)
    lone_high = (low.isna() & high.notna()).to_numpy(dtype=bool)
    first = np.flatnonzero((lone_low | lone_high) & keep)
    missing_side = "civilians_killed_max" if len(first) and lone_low[first[0]] else "civilians_killed_min"
    one = apply("one_sided", lone_low | lone_high, missing_side, "both a minimum and a maximum killed, or neither")
    if one_sided == "no_count":
        low[one], high[one] = pd.NA, pd.NA
    else:
        high[lone_low & keep] = low[lone_low & keep]
        low[lone_high & keep] = high[lone_high & keep] if one_sided == "as_both" else 0

    named = typed["named_victims"]
    above = (named > high).fillna(False).to_numpy(dtype=bool)
    apply("named_victims", above, "named_victims",
          "no more named victims than the row's civilians_killed_max")

    def text(series: pd.Series) -> pd.Series:
        return series.astype("string").fillna("")

    canonical = pd.DataFrame({
        "incident_id": text(typed[incident_id]), "date": text(date), "belligerents": text(belligerents),
        "country": country, "place": text(typed["location"]), "grade": text(pd.Series(grade)),
        "deaths_min": text(low), "deaths_max": text(high),
        "named_victims": "" if named_victims == "page_count" else text(named),
    })[keep].reset_index(drop=True)
    rows = np.flatnonzero(keep)
    label = table.label
    try:
        out = read_incidents(canonical, name=label, earliest=earliest, latest=latest)
    except DataValidationError as exc:  # point at the export's row, line and column
        pos = None if exc.row is None else int(rows[exc.row - 1])
        export_name = {v: k for k, v in _CANONICAL.items()}.get(exc.column, exc.column)
        if exc.column == "incident_id":
            export_name = incident_id
        table.fail(pos, export_name, exc.value, exc.expected)
    for column, new in _EXTRAS.items():
        out[new] = (date_end if column == "date_end" else typed[column]).iloc[rows].set_axis(out.index)
    if named_victims == "page_count":
        out["named_on_page"] = named.iloc[rows].set_axis(out.index)
    out["adjusted"] = [";".join(adjusted[pos]) for pos in rows]
    out.attrs["details"] = {
        "source": label,
        "rows_read": n,
        "rows_kept": int(keep.sum()),
        "policies": dict(chosen, incident_id=incident_id),
        # counted from the per-row record, so the two cannot disagree
        "rows_touched": {policy: sum(policy in row for row in adjusted) for policy in chosen},
        "excluded": [
            {"row": pos + 1, "line": pos + 2 if table.from_file else None,
             "airwars_id": int(typed["airwars_id"].iloc[pos]), "code": typed["code"].iloc[pos],
             "reasons": ";".join(why)}
            for pos, why in sorted(reasons.items())
        ],
    }
    return out
