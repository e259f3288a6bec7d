"""The machinery every reader shares: the error, a column schema, typed parsing.

Why hand-written checks rather than pandera: the checks here are few (types, sets,
bounds, uniqueness, one cross-column rule), the message format is part of our contract
(file, row, line, column, value, expectation; the first failure, not a failure-case
frame), and the loaders must stay quick for million-row incident tables. A declarative
`Column` list gives the same readability in ~150 lines with no extra dependency.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..result import format_number as format_count  # noqa: F401  (the one number formatter)

if TYPE_CHECKING:
    import pandas as pd

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

    def __init__(self, source: Any, *, name: str | None = None, repair: Callable | None = None) -> None:
        import pandas as pd

        if isinstance(source, pd.DataFrame):
            self.frame, self.label, self.from_file = source.reset_index(drop=True), "<DataFrame>", False
        elif isinstance(source, str | PathLike):
            path = Path(source)
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such file")
            self.label, self.from_file = str(source), True
            self.frame = _read_csv_text(path, self.label if name is None else name, repair)
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


def _read_csv_text(path: Path, label: str, repair: Callable[[list[str], list[str]], list[str] | None] | None = None) -> pd.DataFrame:
    """A CSV file as a frame of strings, or a `DataValidationError` with the line.

    Everything as text: we parse and check each column ourselves, so that pandas never
    guesses a type or turns "n/a" into NaN behind our back. A row with fewer cells than
    the header would come back padded with empty cells (read as "not reported"), and one
    with more as a parser message without a column: both are refused here by counting
    each record's cells, unless ``repair(header, record)`` (a reader's documented policy
    for one known export defect) returns the record mended. A byte that is not UTF-8 is
    reported with its line."""
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
                if len(record) != len(header) and repair is not None:
                    record = repair(header, record) or record
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
    repair: Callable | None = None,
) -> tuple[pd.DataFrame, _Table]:
    """Read and type a table against ``schema``; the first bad cell raises.

    ``extra_columns="error"`` refuses columns the schema does not know (they would
    otherwise be dropped silently); ``"keep"`` passes them through untouched.
    ``repair`` mends a known defect of one export's rows (see `_read_csv_text`).
    Returns the typed frame and the raw table (for follow-up cross-column checks).
    """
    import pandas as pd

    if extra_columns not in ("error", "keep"):
        raise ValueError(f"extra_columns must be 'error' or 'keep', got {extra_columns!r}")
    table = _Table(source, name=name, repair=repair)
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



def refuse_file(source: Any, *, estimator: str, reader: str) -> None:
    """Estimators take tables, never file names: data enter through a reader, which
    reports a bad cell with its file, row and line (and the CLI calls the readers)."""
    if isinstance(source, str | PathLike):
        raise TypeError(f"{estimator} takes a table, not a file name: read {str(source)!r} with "
                        f"estimators.{reader}(...) and pass the table it returns")
