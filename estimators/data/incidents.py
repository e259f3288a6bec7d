"""Incident tables: one row per alleged incident, from a clean table or a monitor's export;
and the per-grade summaries monitors publish."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from .figures import GRADES
from .tables import Column, _Table, check_low_high, parse_table

# -- incident tables ----------------------------------------------------------------------


#: The belligerent's own assessment of an allegation (Airwars' "belligerent assessment").
ASSESSMENTS = ("none", "pending", "credible", "non-credible", "duplicate")

INCIDENTS_SCHEMA = (
    Column("incident_id", unique=True),
    Column("date", "date"),
    Column("belligerents"),
    Column("country"),
    Column("place", required=False, optional_value=True),
    Column("grade", "choice", choices=GRADES, casefold=True, aliases=(("disproven", "discounted"),)),
    Column("deaths_min", "count", optional_value=True),
    Column("deaths_max", "count", optional_value=True),
    Column("named_victims", "count", required=False, optional_value=True),
    Column(
        "assessment", "choice", required=False, optional_value=True, choices=ASSESSMENTS,
        casefold=True,
        aliases=(("not yet assessed", "pending"), ("non credible", "non-credible"),
                 ("not credible", "non-credible"), ("noncredible", "non-credible")),
    ),
    Column("conceded_min", "count", required=False, optional_value=True),
    Column("conceded_max", "count", required=False, optional_value=True),
)

#: Marks a frame that `read_incidents` has validated (kept in ``DataFrame.attrs``, which
#: pandas carries through filtering and copying), so estimators need not re-validate.
INCIDENTS_MARK = ("estimators.schema", "incidents")


def _split_names(text: pd.Series) -> pd.Series:
    """Normalise ``"A ; B;A"`` to ``"A;B"`` (order kept, duplicates and blanks dropped).

    Done once per distinct value, so a million rows naming a handful of belligerent
    combinations cost a handful of splits.
    """
    codes, uniques = text.factorize()
    cleaned = []
    for value in uniques:
        names = [n.strip() for n in str(value).split(";")]
        cleaned.append(";".join(dict.fromkeys(n for n in names if n)))
    import numpy as np

    return text.__class__(np.asarray(cleaned, dtype=object)[codes], index=text.index)


def read_incidents(source: Any, *, name: str | None = None, earliest: str | None = "1990-01-01",
                   latest: str | None = "today", allow_empty: bool = False,
                   extra_columns: str = "error") -> pd.DataFrame:
    """Load and validate an incident table (one row per alleged incident).

    Columns (see ``data/README.md``): ``incident_id`` (unique), ``date`` (ISO),
    ``belligerents`` (names joined by ``;``), ``country``, ``place`` (optional column),
    ``grade`` (confirmed / fair / weak / contested / discounted, any case; "disproven" is
    read as discounted), ``deaths_min``, ``deaths_max``, and the optional columns
    ``named_victims``, ``assessment`` (none / pending / credible / non-credible /
    duplicate), ``conceded_min``, ``conceded_max``.

    Rules beyond each column's type:

    - ``deaths_min`` and ``deaths_max`` are both given or both empty. Both empty means
      *no death count was reported*: kept as missing (``has_count`` is False), counted
      as zero in range sums, and counted in the results' details.
    - ``deaths_min <= deaths_max`` and ``conceded_min <= conceded_max``.
    - A conceded maximum above the reported maximum is **not** an error (belligerents
      sometimes concede more than monitors recorded): the row is kept and flagged in
      the added boolean column ``conceded_above_reported``.
    - ``named_victims`` is not above ``deaths_max``: a victim named is a death reported.
    - ``date`` lies between ``earliest`` and ``latest`` (default 1990-01-01 and today;
      ``None`` lifts a bound): a date in the future or a 1970-01-01 is an export's
      placeholder, not an incident's date.
    - The table has at least one incident (``allow_empty=True`` accepts none): a file
      with a header and no rows would give a range of 0–0.

    Added columns: ``has_count`` (bool), ``conceded_above_reported`` (bool),
    ``n_belligerents`` (int). Columns the schema does not know are refused
    (``extra_columns="error"``, the default) or, with ``extra_columns="keep"``, passed
    through untouched after these. ``belligerents`` is normalised (spaces around ``;``
    stripped, repeated names dropped). Any other bad value raises `DataValidationError`
    naming the file, row, column, value and expectation.
    """
    import numpy as np
    import pandas as pd

    typed, table = parse_table(source, INCIDENTS_SCHEMA, name=name, extra_columns=extra_columns)
    extras = [c for c in typed.columns if c not in {col.name for col in INCIDENTS_SCHEMA}]
    if not len(typed) and not allow_empty:
        table.fail(None, None, "(no rows)", "at least one incident (allow_empty=True accepts an empty table)")
    for bound, side, too_far in ((earliest, "earliest", lambda d, b: d < b), (latest, "latest", lambda d, b: d > b)):
        if bound is None:
            continue
        limit = pd.Timestamp.today().normalize() if bound == "today" else pd.Timestamp(bound)
        table.fail_where(too_far(typed["date"], limit).to_numpy(dtype=bool), "date",
                         f"a date {'on or after' if side == 'earliest' else 'on or before'} {limit:%Y-%m-%d} "
                         f"(read_incidents({side}=...) moves the bound; None lifts it)")
    has_min, has_max = typed["deaths_min"].notna(), typed["deaths_max"].notna()
    table.fail_where(has_min & ~has_max, "deaths_max", "a maximum, since deaths_min is given (leave both empty when no count was reported)")
    table.fail_where(~has_min & has_max, "deaths_min", "a minimum, since deaths_max is given (leave both empty when no count was reported)")
    check_low_high(table, typed, "deaths_min", "deaths_max")
    for col in ("named_victims", "assessment", "conceded_min", "conceded_max", "place"):
        if col not in typed.columns:
            dtype = object if col in ("assessment", "place") else "Int64"
            typed[col] = pd.Series(pd.NA if dtype == "Int64" else None, index=typed.index, dtype=dtype)
    check_low_high(table, typed, "conceded_min", "conceded_max")
    named_above = (typed["named_victims"] > typed["deaths_max"]).fillna(False).to_numpy(dtype=bool)
    table.fail_where(named_above, "named_victims", "no more named victims than the row's deaths_max")
    for col in ("place", "assessment"):  # missing text as None, never pd.NA (unambiguous ==)
        typed[col] = typed[col].astype(object).where(typed[col].notna(), None)
    typed["belligerents"] = _split_names(typed["belligerents"])
    table.fail_where(typed["belligerents"] == "", "belligerents", "one or more names joined by ';'")
    typed["has_count"] = has_min.to_numpy(dtype=bool)
    conceded_top = typed["conceded_max"].fillna(typed["conceded_min"])
    typed["conceded_above_reported"] = (
        (conceded_top > typed["deaths_max"]).fillna(False).to_numpy(dtype=bool)
    )
    typed["n_belligerents"] = typed["belligerents"].str.count(";").to_numpy(dtype=np.int64) + 1
    columns = [c.name for c in INCIDENTS_SCHEMA] + ["has_count", "conceded_above_reported", "n_belligerents"] + extras
    typed = typed[columns]
    typed.attrs[INCIDENTS_MARK[0]] = INCIDENTS_MARK[1]
    return typed


def is_validated_incidents(frame: Any) -> bool:
    """True if ``frame`` came from `read_incidents` (possibly filtered since)."""
    return getattr(frame, "attrs", {}).get(INCIDENTS_MARK[0]) == INCIDENTS_MARK[1]


#: How monitors' exports name the canonical columns (Airwars' public incident pages and
#: CSV exports). Keys are matched case-insensitively after trimming spaces.
MONITOR_EXPORT_COLUMNS = {
    "incident_id": ("incident_id", "unique reference code", "code", "incident code", "id"),
    "date": ("date", "incident date"),
    "belligerents": ("belligerents", "known belligerent", "known belligerents", "belligerent"),
    "country": ("country",),
    "place": ("place", "location", "town"),
    "grade": ("grade", "airwars civilian harm grading", "civilian harm grading", "grading"),
    "deaths": ("civilians reported killed", "civilian deaths", "civilians killed"),
    "deaths_min": ("deaths_min", "civilians reported killed (min)", "min civilians killed"),
    "deaths_max": ("deaths_max", "civilians reported killed (max)", "max civilians killed"),
    "named_victims": ("named_victims", "named victims", "victims named"),
    "assessment": ("assessment", "belligerent assessment", "belligerent's assessment"),
    "conceded": ("civilian deaths conceded", "deaths conceded", "conceded deaths"),
    "conceded_min": ("conceded_min",),
    "conceded_max": ("conceded_max",),
}

_RANGE_TEXT = re.compile(r"^\s*(\d+)\s*(?:[-–—]|to)\s*(\d+)\s*$")
_SINGLE_TEXT = re.compile(r"^\s*(\d+)\s*$")


def parse_range_text(text: Any) -> tuple[int | None, int | None] | None:
    """``"3 – 7"`` -> (3, 7); ``"1"`` -> (1, 1); empty -> (None, None); else None."""
    if text is None or (isinstance(text, float) and text != text):
        return (None, None)
    s = str(text).strip()
    if s in ("", "-", "–", "unknown", "Unknown"):
        return (None, None)
    m = _RANGE_TEXT.match(s)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    m = _SINGLE_TEXT.match(s)
    if m:
        return (int(m.group(1)), int(m.group(1)))
    return None


def read_monitor_export(
    source: Any,
    *,
    columns: dict[str, tuple[str, ...]] | None = None,
    name: str | None = None,
    **rules: Any,
) -> pd.DataFrame:
    """Read a monitor's export (e.g. Airwars' incident list) as a validated incident table.

    ``columns`` maps each canonical column to the export's possible headers (default
    `MONITOR_EXPORT_COLUMNS`, documented in ``data/README.md``). Text ranges such as
    ``"3 – 7"`` (hyphen, en or em dash, or "to") or a single ``"1"`` in a
    "Civilians reported killed" column become ``deaths_min``/``deaths_max``; likewise a
    "Civilian deaths conceded" column becomes ``conceded_min``/``conceded_max``. Columns
    the mapping does not know are refused, as `read_incidents` does. Then every rule of
    `read_incidents` applies (its ``earliest``, ``latest`` and ``allow_empty`` are passed
    through ``rules``); errors name the export's own column where they can.
    """
    import pandas as pd

    mapping = MONITOR_EXPORT_COLUMNS if columns is None else columns
    table = _Table(source, name=name)
    lookup = {alias.strip().lower(): canon for canon, aliases in mapping.items() for alias in aliases}
    renamed, original = {}, {}
    for col in table.frame.columns:
        canon = lookup.get(str(col).strip().lower())
        if canon is None:
            table.fail(None, str(col), "(unknown column)", "a column named in the export mapping: "
                       + ", ".join(sorted({a for al in mapping.values() for a in al})))
        if canon in original:
            table.fail(None, str(col), "(repeated)", f"one column for {canon!r} (also {original[canon]!r})")
        renamed[col], original[canon] = canon, str(col)
    frame = table.frame.rename(columns=renamed).astype(object)
    for text_col, (lo, hi) in {"deaths": ("deaths_min", "deaths_max"),
                                "conceded": ("conceded_min", "conceded_max")}.items():
        if text_col not in frame.columns:
            continue
        if lo in frame.columns or hi in frame.columns:
            table.fail(None, original[text_col], "(with separate min/max columns)", "either a text range column or min and max columns, not both")
        parsed = [parse_range_text(v) for v in frame[text_col]]
        bad = [p is None for p in parsed]
        table.fail_where(bad, original[text_col], "a count or a range such as '3 – 7' (or empty)")
        frame[lo] = ["" if p[0] is None else str(p[0]) for p in parsed]
        frame[hi] = ["" if p[1] is None else str(p[1]) for p in parsed]
        frame = frame.drop(columns=[text_col])
    frame = frame.astype(str).replace({"nan": "", "None": ""})
    return read_incidents(pd.DataFrame(frame), name=table.label, **rules)


# -- per-grade summary tables -------------------------------------------------------------

GRADE_SUMMARY_SCHEMA = (
    Column("grade"),
    Column("incidents", "count", optional_value=True),
    Column("deaths_min", "count"),
    Column("deaths_max", "count"),
    Column("named_victims", "count", required=False, optional_value=True),
    Column("conceded_min", "count", required=False, optional_value=True),
    Column("conceded_max", "count", required=False, optional_value=True),
)

GRADE_SUMMARY_MARK = ("estimators.schema", "grade_summary")


def read_grade_summary(source: Any, *, name: str | None = None) -> pd.DataFrame:
    """Load and validate a per-grade summary (the table monitors publish per belligerent).

    One row per grade or grade set: ``grade`` is a grade name or names joined by ``;``
    (Airwars publishes "confirmed;fair" as one "likely" row), ``incidents`` (may be
    empty when not published), ``deaths_min`` <= ``deaths_max``; optional
    ``named_victims``, ``conceded_min``, ``conceded_max``. Each grade appears in at most
    one row. A published total (grade ``all``) is refused: it is the sum of the rows.
    """
    typed, table = parse_table(source, GRADE_SUMMARY_SCHEMA, name=name, extra_columns="keep")
    key = typed["grade"].astype("string").str.lower().str.replace(r"\s*;\s*", ";", regex=True)
    table.fail_where(key == "all", "grade", "per-grade rows only (the 'all' total is their sum; drop it)")
    pattern = rf"({'|'.join(GRADES)})(;({'|'.join(GRADES)}))*"
    table.fail_where(~key.str.fullmatch(pattern).fillna(False).astype(bool), "grade",
                     "grade names (" + ", ".join(GRADES) + ") joined by ';'")
    seen: set[str] = set()
    for pos, value in enumerate(key):
        names = value.split(";")
        if seen & set(names) or len(set(names)) != len(names):
            table.fail(pos, "grade", typed["grade"].iloc[pos], "each grade in one row only")
        seen |= set(names)
    typed["grade"] = key.astype(object)
    check_low_high(table, typed, "deaths_min", "deaths_max")
    typed.attrs[GRADE_SUMMARY_MARK[0]] = GRADE_SUMMARY_MARK[1]
    return typed
