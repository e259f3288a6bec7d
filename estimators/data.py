"""Schemas, loaders and validation: the one door through which data enters.

Every loader accepts a path to a CSV file or a ``pandas.DataFrame`` and returns a typed,
validated table. Any bad value raises `DataValidationError` naming the file, row, column,
the value and what was expected; nothing is dropped, clipped or coerced silently.

Why hand-written checks rather than pandera: the checks here are few (types, sets,
bounds, uniqueness, one cross-column rule), the message format is part of our contract
(file, row, line, column, value, expectation; the first failure, not a failure-case
frame), and the loaders must stay quick for million-row incident tables. A declarative
`Column` list gives the same readability in ~150 lines with no extra dependency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DataValidationError",
    "Column",
    "parse_table",
    "read_published_figures",
    "PUBLISHED_FIGURES_SCHEMA",
    "QUALIFIERS",
    "FIGURE_KINDS",
    "FIGURE_UNITS",
    "GRADES",
    "read_capture_histories",
    "CAPTURE_COUNT_COLUMN",
]


class DataValidationError(ValueError):
    """A bad value in an input table.

    Attributes
    ----------
    source : str
        The file path, or ``"<DataFrame>"`` for an in-memory table.
    row : int or None
        1-based data row (the header is not counted); ``None`` for a whole-table problem
        such as a missing column.
    line : int or None
        The line in the file (``row + 1``, the header being line 1); ``None`` for frames.
    column : str or None
    value : object
        The offending value, as read.
    expected : str
        What would have been valid.
    """

    def __init__(
        self,
        *,
        source: str,
        row: int | None,
        column: str | None,
        value: Any,
        expected: str,
        line: int | None = None,
    ) -> None:
        self.source, self.row, self.line = source, row, line
        self.column, self.value, self.expected = column, value, expected
        where = [source]
        if row is not None:
            where.append(f"row {row}" + (f" (line {line})" if line is not None else ""))
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: got {value!r}; expected {expected}")


@dataclass(frozen=True)
class Column:
    """One column of a schema.

    ``kind`` is one of ``"text"``, ``"count"`` (non-negative whole number), ``"number"``
    (non-negative real), ``"choice"`` (one of ``choices``), ``"date"`` (ISO
    ``YYYY-MM-DD``, parsed to ``datetime64``) or ``"partial_date"`` (ISO ``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD``, kept as text so that its precision is not invented).
    """

    name: str
    kind: str = "text"
    required: bool = True  # the column must be present
    optional_value: bool = False  # empty cells allowed (kept as missing)
    choices: tuple[str, ...] = ()
    casefold: bool = False  # compare choices case-insensitively
    aliases: tuple[tuple[str, str], ...] = ()  # e.g. (("disproven", "discounted"),)
    unique: bool = False
    upper: float | None = None  # inclusive upper bound for numbers

    def expected(self) -> str:
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        return {
            "text": "non-empty text",
            "count": "a non-negative whole number, at most 999999999 (digits 0-9 only, no thousands separators)",
            "number": "a non-negative number, at most 999999999 (digits 0-9 and a decimal point only, no thousands separators)",
            "date": "an ISO date YYYY-MM-DD",
            "partial_date": "an ISO date YYYY, YYYY-MM or YYYY-MM-DD",
        }[self.kind] + (f" not above {self.upper:g}" if self.upper is not None else "")


class _Table:
    """A raw table being validated: knows how to point at a cell."""

    def __init__(self, source: Any, *, name: str | None = None) -> None:
        import pandas as pd

        if isinstance(source, pd.DataFrame):
            self.frame, self.label, self.from_file = source.reset_index(drop=True), "<DataFrame>", False
        elif isinstance(source, str | PathLike):
            path = Path(source)
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such file")
            self.label, self.from_file = str(source), True
            self.frame = _read_csv_text(path, self.label)
        else:
            raise TypeError(f"expected a CSV path or a DataFrame, got {type(source).__name__}")
        if name is not None:
            self.label = name

    def fail_where(self, mask: Any, column: str, expected: str) -> None:
        """Raise at the first row where ``mask`` holds, quoting the cell as read."""
        import numpy as np

        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(hits):
            pos = int(hits[0])
            value = self.frame[column].iloc[pos] if column in self.frame.columns else "(no such column)"
            self.fail(pos, column, value, expected)

    def fail(self, position: int | None, column: str | None, value: Any, expected: str):
        row = None if position is None else position + 1
        line = row + 1 if (row is not None and self.from_file) else None
        raise DataValidationError(
            source=self.label, row=row, line=line, column=column, value=value, expected=expected
        )


def _read_csv_text(path: Path, label: str) -> pd.DataFrame:
    """A CSV file as a frame of strings, or a `DataValidationError` with the line.

    Everything as text: we parse and check each column ourselves, so that pandas never
    guesses a type or turns "n/a" into NaN behind our back. A row with fewer cells than
    the header would come back padded with empty cells (read as "not reported"), and one
    with more as a parser message without a column: both are refused here by counting
    each record's cells. A byte that is not UTF-8 is reported with its line."""
    import csv
    import io

    import pandas as pd

    def fail(line: int | None, value: Any, expected: str):
        raise DataValidationError(source=label, row=None if line is None else line - 1,
                                  line=line, column=None, value=value, expected=expected)

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(raw.count(b"\n", 0, exc.start) + 1, raw[exc.start:exc.start + 4], "UTF-8 text (save the file as UTF-8)")
    if "\x00" in text:
        fail(text.count("\n", 0, text.index("\x00")) + 1, "\x00", "text without NUL bytes (is this a CSV file?)")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            fail(1 if header is not None else None, "(no header)", "a UTF-8 CSV file with a header row")
        line = reader.line_num
        for record in reader:
            if record:  # blank lines are skipped, as pandas does
                if len(record) != len(header):
                    fail(line + 1, f"{len(record)} cells", f"{len(header)} cells, as in the header")
                rows.append(record)
            line = reader.line_num
    except csv.Error as exc:
        fail(reader.line_num, str(exc), "well-formed CSV (quotes closed)")
    # Built from the records themselves: one parse, and a repeated header name stays
    # repeated (pandas' read_csv renames the second "A" to "A.1", hiding it from our checks).
    return pd.DataFrame(rows, columns=header, dtype=object)


def _empty_mask(series: pd.Series) -> pd.Series:
    if series.dtype.kind in "biufcM":
        return series.isna()
    return series.isna() | (series.astype("string").str.strip() == "")


#: The largest count or number a cell may hold. No incident, list or published figure
#: comes near a billion, and below it the sums of up to nine million rows are exact in
#: the float64 arithmetic the estimators use (< 2**53); a 23-digit count or one near
#: 2**63 (which summed to a negative number) is a typo or a corrupt export.
MAX_COUNT = 999_999_999


def _parse_column(table: _Table, col: Column) -> pd.Series:
    import numpy as np
    import pandas as pd

    raw = table.frame[col.name]
    empty = _empty_mask(raw)
    if not col.optional_value:
        table.fail_where(empty, col.name, col.expected() + " (the cell is empty)")

    def first_bad(bad: pd.Series) -> None:
        table.fail_where(bad & ~empty, col.name, col.expected())

    if col.kind in ("count", "number"):
        if raw.dtype.kind in "iuf":
            values = raw.astype(float)
            first_bad(~np.isfinite(values))
        else:
            text = raw.astype("string").str.strip()
            # ASCII digits only: "1,302", "~20", "20+" or "٤" are not numbers to be guessed
            # at; at most 9 digits before the point (see MAX_COUNT).
            pattern = r"[0-9]{1,9}" if col.kind == "count" else r"[0-9]{1,9}(\.[0-9]+)?"
            first_bad(~text.str.fullmatch(pattern).fillna(False).astype(bool))
            values = pd.to_numeric(text.where(~empty), errors="raise")
        first_bad(values < 0)
        first_bad(values > MAX_COUNT)
        if col.kind == "count":
            first_bad((values % 1) != 0)
        if col.upper is not None:
            first_bad(values > col.upper)
        return values.astype("Int64") if col.kind == "count" else values.astype(float)

    text = raw.astype("string").str.strip()
    if col.kind == "choice":
        key = text.str.lower() if col.casefold else text
        key = key.replace(dict(col.aliases)) if col.aliases else key
        first_bad(~key.isin(col.choices))
        return key.where(~empty).astype(object)
    if col.kind == "date":
        parsed = pd.to_datetime(text.where(~empty), format="%Y-%m-%d", errors="coerce")
        first_bad(parsed.isna())
        return parsed
    if col.kind == "partial_date":
        formats = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
        ok = pd.Series(False, index=text.index)
        for length, fmt in formats.items():
            candidates = text.str.len() == length
            parsed = pd.to_datetime(text.where(candidates & ~empty), format=fmt, errors="coerce")
            ok |= parsed.notna()
        first_bad(~ok)
        return text.where(~empty).astype(object)
    if col.kind == "text":
        return text.where(~empty).astype(object)
    raise ValueError(f"unknown column kind {col.kind!r} in schema for {col.name!r}")


def parse_table(
    source: Any,
    schema: Sequence[Column],
    *,
    name: str | None = None,
    extra_columns: str = "error",
) -> tuple[pd.DataFrame, _Table]:
    """Read and type a table against ``schema``; the first bad cell raises.

    ``extra_columns="error"`` refuses columns the schema does not know (they would
    otherwise be dropped silently); ``"keep"`` passes them through untouched.
    Returns the typed frame and the raw table (for follow-up cross-column checks).
    """
    import pandas as pd

    table = _Table(source, name=name)
    known = {c.name for c in schema}
    for col in schema:
        if col.required and col.name not in table.frame.columns:
            table.fail(None, col.name, "(missing)", f"a column named {col.name!r}")
    dupes = table.frame.columns[table.frame.columns.duplicated()]
    if len(dupes):
        table.fail(None, str(dupes[0]), "(repeated)", "each column name once")
    extras = [c for c in table.frame.columns if c not in known]
    if extras and extra_columns == "error":
        table.fail(None, str(extras[0]), "(unknown column)", "only the columns " + ", ".join(c.name for c in schema))

    out = {}
    for col in schema:
        if col.name not in table.frame.columns:
            continue
        out[col.name] = _parse_column(table, col)
        if col.unique:
            dup = out[col.name].duplicated() & out[col.name].notna()
            table.fail_where(dup, col.name, "a value not used in an earlier row")
    typed = pd.DataFrame(out, index=table.frame.index)
    for extra in extras if extra_columns == "keep" else []:
        typed[extra] = table.frame[extra]
    return typed, table


def check_low_high(
    table: _Table, typed: pd.DataFrame, low: str, high: str
) -> None:
    """Both given and ``low <= high``, or the rule is stated in the error."""
    bad = typed[low].notna() & typed[high].notna() & (typed[low] > typed[high])
    table.fail_where(bad, low, f"a value not above the row's {high}")


def check_value_or_range(table: _Table, typed: pd.DataFrame) -> None:
    """A figure is one ``value`` or a range (``low`` and ``high``, ``low <= high``):
    never both, never neither, never half a range."""
    has_value = typed["value"].notna()
    has_low, has_high = typed["low"].notna(), typed["high"].notna()
    table.fail_where(has_value == (has_low | has_high), "value", "either a value, or low and high (a range), not both or neither")
    table.fail_where(has_low & ~has_high, "high", "both ends of a range (low and high)")
    table.fail_where(~has_low & has_high, "low", "both ends of a range (low and high)")
    check_low_high(table, typed, "low", "high")


# -- published figures --------------------------------------------------------------------

QUALIFIERS = ("exact", "at least", "more than", "about", "up to")
FIGURE_KINDS = (
    "acknowledged",
    "named",
    "monitor count",
    "monitor range",
    "estimate",
    "field sample",
    "pending allegations",
    "allegations",
    "ratio",
    "activity",
    "context",
)
FIGURE_UNITS = (
    "deaths",
    "incidents",
    "allegations",
    "strikes",
    "sites",
    "people",
    "buildings",
    "images",
    "states",
    "months",
    "ratio",
    "share",
)
GRADES = ("confirmed", "fair", "weak", "contested", "discounted")
_GRADES_PATTERN = re.compile(rf"all|({'|'.join(GRADES)})(;({'|'.join(GRADES)}))*")

PUBLISHED_FIGURES_SCHEMA = (
    Column("figure_id", unique=True),
    Column("event"),
    Column("quantity"),
    Column("unit", "choice", choices=FIGURE_UNITS),
    Column("value", "number", optional_value=True),
    Column("low", "number", optional_value=True),
    Column("high", "number", optional_value=True),
    Column("qualifier", "choice", choices=QUALIFIERS),
    Column("kind", "choice", choices=FIGURE_KINDS),
    Column("grades", optional_value=True),
    Column("belligerent", optional_value=True),
    Column("country", optional_value=True),
    Column("place", optional_value=True),
    Column("period_start", "partial_date", optional_value=True),
    Column("period_end", "partial_date", optional_value=True),
    Column("source"),
    Column("outlet"),
    Column("report_date", "partial_date", optional_value=True),
    Column("reference"),
    Column("notes", optional_value=True),
)


def read_published_figures(source: Any, *, name: str | None = None) -> pd.DataFrame:
    """Load and validate a table of published figures (``data/published_figures.csv``).

    Rules beyond each column's type: a figure is either a single ``value`` or a range
    (``low`` and ``high``, ``low <= high``), never both or neither; counts are whole
    numbers; shares lie in [0, 1]; ``grades`` is ``all`` or grade names joined by ``;``.
    """
    typed, table = parse_table(source, PUBLISHED_FIGURES_SCHEMA, name=name)
    check_value_or_range(table, typed)
    counted = ~typed["unit"].isin(["ratio", "share"])
    for col in ("value", "low", "high"):
        present = typed[col].notna()
        table.fail_where(counted & present & (typed[col] % 1 != 0), col, "a whole number (this unit is counted)")
        table.fail_where((typed["unit"] == "share") & present & (typed[col] > 1), col, "a share between 0 and 1")
    grades = typed["grades"].astype("string")
    well_formed = grades.str.fullmatch(_GRADES_PATTERN).fillna(True).astype(bool)
    table.fail_where(~well_formed, "grades", "'all' or grade names (" + ", ".join(GRADES) + ") joined by ';'")
    return typed


# -- incident tables ----------------------------------------------------------------------

__all__ += [
    "ASSESSMENTS", "INCIDENTS_SCHEMA", "read_incidents", "is_validated_incidents",
    "read_monitor_export", "MONITOR_EXPORT_COLUMNS", "parse_range_text",
    "GRADE_SUMMARY_SCHEMA", "read_grade_summary",
]

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
                   latest: str | None = "today", allow_empty: bool = False) -> pd.DataFrame:
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
    ``n_belligerents`` (int). ``belligerents`` is normalised (spaces around ``;``
    stripped, repeated names dropped). Any other bad value raises `DataValidationError`
    naming the file, row, column, value and expectation.
    """
    import numpy as np
    import pandas as pd

    typed, table = parse_table(source, INCIDENTS_SCHEMA, name=name)
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
    columns = [c.name for c in INCIDENTS_SCHEMA] + ["has_count", "conceded_above_reported", "n_belligerents"]
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
# -- field samples of strike sites (issue 4: estimators.sampling) ---------------------------

SITE_SAMPLE_SCHEMA = (
    Column("site", unique=True),
    Column("stratum", required=False),
    Column("deaths", "count"),
    Column("acknowledged", "count", required=False),
    Column("inclusion_probability", "number", required=False, upper=1.0),
)


def read_site_sample(source: Any, *, name: str | None = None) -> pd.DataFrame:
    """Load and validate a field sample of strike sites: one row per site visited.

    Columns: ``site`` (unique id), ``deaths`` (civilian deaths found on the ground, a
    count), and optionally ``stratum`` (e.g. area or period; sites are sampled within
    strata), ``acknowledged`` (deaths the belligerent acknowledged at that site, a count;
    needed by the ratio estimator) and ``inclusion_probability`` (the site's probability
    of being sampled, in (0, 1]; if absent, sites are a simple random sample within their
    stratum). Other columns are refused.
    """
    typed, table = parse_table(source, SITE_SAMPLE_SCHEMA, name=name)
    if not len(typed):
        table.fail(None, "site", "(no rows)", "at least one sampled site")
    if "inclusion_probability" in typed:
        table.fail_where(typed["inclusion_probability"] <= 0, "inclusion_probability",
                         "a probability above 0 and not above 1")
    if "stratum" not in typed:
        typed.insert(1, "stratum", "all")
    return typed


__all__ += ["read_site_sample", "SITE_SAMPLE_SCHEMA"]
# -- capture histories (linked lists) -----------------------------------------------------

#: Name of the count column in a pattern table.
CAPTURE_COUNT_COLUMN = "count"


def read_capture_histories(
    source: Any,
    *,
    name: str | None = None,
    count_column: str = CAPTURE_COUNT_COLUMN,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Load and validate linked lists as capture histories.

    Two layouts are accepted, told apart by the presence of ``count_column``:

    * a **pattern table**: one 0/1 column per list and a ``count`` column, one row per
      pattern of lists (each pattern at most once);
    * **one row per victim**: one 0/1 column per list (and, optionally, an identifier
      column named by ``id_column``, which is checked for uniqueness and dropped).

    Rules: list cells are 0 or 1; counts are non-negative whole numbers; no row is on no
    list (a victim on no list was not observed); at least two lists; list names unique.

    Returns the pattern table: one column per list (``int8``) and ``count`` (``int64``),
    one row for each of the ``2**J - 1`` observable patterns, patterns not seen having
    count 0 (not missing). Rows are ordered by the pattern index
    ``sum_j x_j * 2**j`` (list ``j`` is bit ``j``); ``.attrs["lists"]`` names the lists.
    """
    import numpy as np
    import pandas as pd

    table = _Table(source, name=name)
    columns = [str(c) for c in table.frame.columns]
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        table.fail(None, dup, "(repeated)", "each list name once")
    tabular = count_column in columns
    lists = [c for c in columns if c not in (count_column, id_column)]
    if len(lists) < 2:
        table.fail(None, None, f"{len(lists)} list column(s): {lists}",
                   "at least two 0/1 list columns (capture–recapture needs two lists or more)")
    if len(lists) > 20:
        table.fail(None, None, f"{len(lists)} list columns", "at most 20 lists")
    schema = [Column(c, "choice", choices=("0", "1")) for c in lists]
    if tabular:
        schema.append(Column(count_column, "count"))
    if id_column is not None:
        schema.append(Column(id_column, unique=True))
    typed, table = parse_table(source, schema, name=name)
    bits = typed[lists].astype(int).to_numpy()
    table.fail_where(bits.sum(axis=1) == 0, lists[0],
                     "at least one list marked 1 in the row (a victim on no list is not observed)")
    index = bits @ (1 << np.arange(len(lists)))
    if tabular:
        table.fail_where(pd.Series(index).duplicated().to_numpy(), lists[0],
                         "each pattern of lists once (this pattern is on an earlier row)")
        weights = typed[count_column].astype("int64").to_numpy()
    else:
        weights = np.ones(len(index), dtype=np.int64)
    J = len(lists)
    counts = np.bincount(index, weights=weights, minlength=2**J).astype(np.int64)
    from .mse._common import patterns

    out = pd.DataFrame(patterns(J)[1:].astype(np.int8), columns=lists)
    out[CAPTURE_COUNT_COLUMN] = counts[1:]
    out.attrs["lists"] = list(lists)
    return out
# -- source counts (multi_source) ---------------------------------------------------------

#: The kinds of figure `estimators.multi_source` can use: death counts by one source.
SOURCE_KINDS = ("acknowledged", "named", "monitor count", "monitor range", "field sample")
#: Kinds that only see true deaths (lower bounds); monitors may also over-count.
LOWER_BOUND_KINDS = ("acknowledged", "named", "field sample")
MONITOR_KINDS = ("monitor count", "monitor range")
#: Two figures of one event and kind closer than this (relative) are one figure, e.g. the
#: headline "about 1,300" and the 1,302 it rounds.
DUPLICATE_TOLERANCE = 0.02

SOURCE_COUNTS_SCHEMA = (
    Column("figure_id", required=False, optional_value=True),
    Column("event"),
    Column("source", required=False, optional_value=True),
    Column("label", required=False, optional_value=True),
    Column("kind", "choice", choices=SOURCE_KINDS),
    Column("unit", required=False, optional_value=True),
    Column("value", "number", optional_value=True),
    Column("low", "number", required=False, optional_value=True),
    Column("high", "number", required=False, optional_value=True),
    Column("qualifier", "choice", choices=QUALIFIERS),
)


def _lower_end(row: Any) -> float:
    """The least count a row allows (what a lower-bound source forces N above)."""
    if row["value"] == row["value"]:  # not NaN
        return {"more than": row["value"] + 1, "up to": 0.0}.get(row["qualifier"], row["value"])
    return row["low"]


def _upper_end(row: Any) -> float | None:
    """The largest count a row allows, or None when it has no upper end."""
    if row["value"] == row["value"]:
        return row["value"] if row["qualifier"] in ("exact", "up to") else None
    return row["high"] if row["qualifier"] != "about" else None


def read_source_counts(source: Any, *, name: str | None = None, duplicates: str = "error") -> pd.DataFrame:
    """Load and validate a table of partial death counts, one row per (event, source).

    Accepts rows of ``data/published_figures.csv`` directly (a selection of the frame
    `estimators.load_published_figures` returns, or the file) or a minimal table with the
    columns ``event``, ``kind``, ``value`` (or ``low`` and ``high``) and ``qualifier``;
    ``figure_id``, ``source`` (who produced the figure), ``label`` and ``unit`` are
    optional, other columns are kept.

    Rows of one event with the same ``kind`` and the same ``label`` are versions of one
    figure (`multi_source` takes their mixture); the ``label`` defaults to the ``source``
    (the producer), else to the kind. So the coalition's 159, 180 and 318 for Raqqa are
    versions of one acknowledged figure; give rows their own ``label`` to make them
    separate sources (e.g. "names verified" and "names gathered").

    Rules, each failing with a `DataValidationError` naming the row and column:

    - ``kind`` is one of `SOURCE_KINDS` (activity, context, ratios... are not death
      counts); ``unit``, if present, is ``deaths``;
    - ``qualifier`` is given (``exact``, ``at least``, ``more than``, ``about``, ``up to``);
    - a count is a non-negative whole number; a row has a ``value`` or a range
      (``low <= high``), not both;
    - **no evident double counting**: two rows of one event and kind with the same figure
      (or within 2% of each other, e.g. "about 1,300" and 1,302) are one figure reported
      twice, such as ``raqqa-named-641`` and ``raqqa-detail-named-641``. With
      ``duplicates="error"`` (default) this is refused; with ``duplicates="first"`` the
      later row is dropped with a warning. Different figures of one kind for one event
      (the coalition's 159, 180 and 318 for Raqqa) are kept;
    - a producer's named victims (and field-sample victims) are a subset of the deaths it
      documents: a named count whose lower end exceeds the upper end of a monitor figure
      from the same ``source`` for the same event is contradictory and refused.

    The returned frame has a ``label`` column and a ``figure_id`` column (``row-N`` where
    not given).
    """
    import warnings

    import pandas as pd

    if duplicates not in ("error", "first"):
        raise ValueError(f"duplicates must be 'error' or 'first', got {duplicates!r}")
    raw = source
    if isinstance(raw, pd.DataFrame) and "kind" in raw.columns:
        # A clearer message than "one of ..." for published figures of other kinds.
        kinds = raw["kind"].astype("string").str.strip()
        other = kinds.isin([k for k in FIGURE_KINDS if k not in SOURCE_KINDS]).fillna(False)
        if other.any():
            tab = _Table(raw, name=name)
            tab.fail_where(other, "kind", "a death count by one source, one of: " + ", ".join(SOURCE_KINDS)
                           + " (select only those rows of the published figures)")
    typed, table = parse_table(source, SOURCE_COUNTS_SCHEMA, name=name, extra_columns="keep")
    for col in ("low", "high"):
        if col not in typed.columns:
            typed[col] = float("nan")
    if "unit" in typed.columns:
        unit = typed["unit"].astype("string")
        table.fail_where(unit.notna() & (unit != "deaths"), "unit", "deaths (only death counts enter the model)")
    check_value_or_range(table, typed)
    has_value, has_low = typed["value"].notna(), typed["low"].notna()
    for col in ("value", "low", "high"):
        table.fail_where(typed[col].notna() & (typed[col] % 1 != 0), col, "a whole number of deaths")
    if "figure_id" not in typed.columns:
        typed["figure_id"] = None
    typed["figure_id"] = [f if isinstance(f, str) and f else f"row-{i + 1}" for i, f in enumerate(typed["figure_id"])]
    if "source" not in typed.columns:
        typed["source"] = None
    if "label" not in typed.columns:
        typed["label"] = None
    typed["label"] = [lab if isinstance(lab, str) and lab else (s if isinstance(s, str) and s else k)
                      for lab, s, k in zip(typed["label"], typed["source"], typed["kind"])]

    # Evident double counting: one figure entered twice for the same event and kind.
    keep = pd.Series(True, index=typed.index)
    mid = typed["value"].where(has_value, (typed["low"] + typed["high"]) / 2)
    for _, group in typed.groupby(["event", "kind"], sort=False):
        idx = list(group.index)
        for j, b in enumerate(idx):
            for a in idx[:j]:
                if not keep[a]:
                    continue
                same_range = has_low[a] and has_low[b] and typed.at[a, "low"] == typed.at[b, "low"] and typed.at[a, "high"] == typed.at[b, "high"]
                close = abs(mid[a] - mid[b]) <= DUPLICATE_TOLERANCE * max(mid[a], mid[b])
                if same_range or (has_value[a] == has_value[b] and close):
                    what = (f"a different figure from {typed.at[a, 'figure_id']!r} (row {a + 1}): both give "
                            f"{format_count(mid[a])} vs {format_count(mid[b])} {typed.at[a, 'kind']} deaths for event "
                            f"{typed.at[a, 'event']!r}, which is evident double counting of one figure; select one "
                            "of the rows by figure_id, or pass duplicates='first'")
                    if duplicates == "error":
                        table.fail(b, "figure_id", typed.at[b, "figure_id"], what)
                    warnings.warn(f"dropped {typed.at[b, 'figure_id']!r}: same figure as {typed.at[a, 'figure_id']!r} "
                                  f"({format_count(mid[b])} {typed.at[b, 'kind']}, event {typed.at[b, 'event']!r})",
                                  UserWarning, stacklevel=2)
                    keep[b] = False
                    break
    typed = typed[keep].copy()

    # A producer's named victims are a subset of the deaths it documents for the event.
    for (event, _producer), group in typed[typed["source"].notna()].groupby(["event", "source"], sort=False):
        named = group[group["kind"].isin(["named", "field sample"])]
        monitors = group[group["kind"].isin(MONITOR_KINDS)]
        for i, row in named.iterrows():
            low = _lower_end(row)
            for _, mon in monitors.iterrows():
                up = _upper_end(mon)
                if up is not None and low > up:
                    table.fail(i, "value", row["value"] if has_value[i] else row["low"],
                               f"at most the documented total {format_count(up)} of {mon['figure_id']!r} "
                               f"from the same source for event {event!r}: {row['kind']} victims are a subset of the "
                               "deaths it documents, so the figures contradict each other (check that both "
                               "rows concern the same event and period)")
    return typed.reset_index(drop=True)


def format_count(x: float) -> str:
    return f"{x:,.0f}"


__all__ += ["SOURCE_KINDS", "LOWER_BOUND_KINDS", "MONITOR_KINDS", "SOURCE_COUNTS_SCHEMA", "read_source_counts"]
