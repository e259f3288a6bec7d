"""Every reader, fed anything: a valid table or a DataValidationError naming the file.

Hypothesis writes byte strings (random, and CSV-shaped ones built from each schema's own
column names and cells that real exports and typos produce) and DataFrames of mixed
types. A reader must return a table or raise `DataValidationError`; never another
exception, and never a number other than the one in the cell.
"""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimators import data
from estimators.data import DataValidationError

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)  # derandomized: the same examples on every run and machine

def _example(relative: str, rows: int = 3) -> tuple[list[str], list[list[str]]]:
    frame = pd.read_csv(Path(__file__).resolve().parents[1] / relative, dtype=str, keep_default_na=False)
    return list(frame.columns), frame.head(rows).values.tolist()


FIGURES = data.read_published_figures(Path(__file__).resolve().parents[1] / "data" / "published_figures.csv")
# Each reader with a valid table to start from: the fuzzer damages cells of valid rows, so
# that every column's own checks are reached (random rows fail at their first column).
READERS = {
    "read_incidents": (data.read_incidents, _example("data/incidents_example.csv")),
    "read_monitor_export": (data.read_monitor_export, _example("data/monitor_export_example.csv")),
    "read_grade_summary": (data.read_grade_summary,
                           (["grade", "incidents", "deaths_min", "deaths_max", "named_victims"],
                            [["confirmed;fair", "1380", "4431", "6522", "12"], ["weak", "466", "739", "861", ""],
                             ["contested", "", "10557", "17748", "3"]])),
    "read_site_sample": (data.read_site_sample,
                         (["site", "stratum", "deaths", "acknowledged", "inclusion_probability"],
                          [["s1", "north", "3", "0", "0.25"], ["s2", "north", "0", "0", "0.25"],
                           ["s3", "south", "12", "2", "1"]])),
    "read_source_counts": (data.read_source_counts,
                           (["event", "source", "kind", "value", "low", "high", "qualifier"],
                            [["raqqa", "coalition", "acknowledged", "159", "", "", "exact"],
                             ["raqqa", "amnesty", "named", "641", "", "", "at least"],
                             ["raqqa", "airwars", "monitor range", "", "1400", "1600", "about"]])),
    "read_published_figures": (data.read_published_figures,
                               _example("data/published_figures.csv", 4)),
    "read_capture_histories": (data.read_capture_histories, _example("data/capture_histories_example.csv", 6)),
}

# Cells that real exports and hand edits produce.
TRICKY = ["", " ", "0", "1", "7", "12", "-3", "2.5", "1e3", "1e400", "nan", "NaN", "inf", "None",
          "9223372036854775807", "9223372036854775808", "18446744073709551616", "12345678901234567890123",
          "٤", "٤٥", "１２", "1,302", "~20", "20+", "3 – 7", "7 - 3", "10 to 12", "0x1A",
          "2017-06-01", "2099-01-01", "1970-01-01", "2017-13-45", "2017-06", "2017",
          "confirmed", "Fair", "weak", "contested", "discounted", "disproven", "all", "confirmed;fair",
          "credible", "pending", "non-credible", "Russia", "US-led coalition;Russia", ";", "Syria",
          "acknowledged", "named", "monitor count", "exact", "about", "more than", "deaths",
          "A", '"quoted, cell"', "line\nbreak", "x" * 300, "\ufeffid", "\x00", "é", "محمد"]
cell = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    def quote(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n\r') else v
    return "\n".join(",".join(quote(v) for v in line) for line in [header, *rows]) + "\n"


@st.composite
def csv_bytes(draw, template: tuple[list[str], list[list[str]]]):
    header, valid = list(template[0]), [list(r) for r in template[1]]
    rows = [list(valid[draw(st.integers(0, len(valid) - 1))]) for _ in range(draw(st.integers(0, 5)))]
    for _ in range(draw(st.integers(0, 3))):  # damage cells of valid rows (or the header)
        target = draw(st.integers(-1, len(rows) - 1))
        line = header if target < 0 else rows[target]
        line[draw(st.integers(0, len(line) - 1))] = draw(cell)
    if rows and draw(st.integers(0, 4)) == 0:  # a ragged row: a cell missing or one too many
        line = rows[draw(st.integers(0, len(rows) - 1))]
        line.pop() if draw(st.booleans()) else line.append("1")
    if draw(st.integers(0, 5)) == 0:  # a column dropped
        k = draw(st.integers(0, len(header) - 1))
        header = header[:k] + header[k + 1:]
        rows = [r[:k] + r[k + 1:] for r in rows]
    raw = _csv_text(header, rows).encode()
    if draw(st.integers(0, 4)) == 0:  # damage a few bytes
        b = bytearray(raw)
        for _ in range(draw(st.integers(1, 4))):
            b[draw(st.integers(0, len(b) - 1))] = draw(st.integers(0, 255))
        raw = bytes(b)
    return raw


def _call(reader, source):
    try:
        return reader(source), None
    except DataValidationError as exc:
        return None, exc


def _check_numbers(result: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Every count the reader returns is the cell's own number, exactly."""
    for column in ("deaths_min", "deaths_max", "named_victims", "conceded_min", "conceded_max",
                   "incidents", "deaths", "acknowledged"):
        if column not in result.columns or column not in frame.columns or len(result) != len(frame):
            continue
        for got, cell_value in zip(result[column], frame[column]):
            if isinstance(cell_value, str) and re.fullmatch(r"\s*[0-9]+\s*", cell_value):
                assert got == int(cell_value), (column, cell_value, got)


@pytest.mark.parametrize("reader_name", sorted(READERS))
def test_any_bytes_give_a_table_or_a_clear_error(reader_name):
    reader, template = READERS[reader_name]

    @FUZZ
    @given(raw=st.one_of(st.binary(max_size=200), csv_bytes(template), csv_bytes(template)))
    def check(raw):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "input.csv"
            path.write_bytes(raw)
            result, error = _call(reader, path)
            if error is not None:
                assert error.source == str(path), error
                return
            assert isinstance(result, pd.DataFrame)
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            _check_numbers(result, frame)

    check()


@st.composite
def frames(draw, template: tuple[list[str], list[list[str]]]):
    header, valid = template
    n = draw(st.integers(0, 5))
    rows = [list(valid[draw(st.integers(0, len(valid) - 1))]) for _ in range(n)]
    values = st.one_of(cell, st.none(), st.booleans(), st.integers(-2**70, 2**70),
                       st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, 1, 2, 5, 2**63 - 1]))
    columns = {c: pd.Series([r[k] for r in rows], dtype=object) for k, c in enumerate(header)}
    for _ in range(draw(st.integers(0, 3))):  # retype a column, or damage its cells
        c = draw(st.sampled_from(header))
        kind = draw(st.sampled_from(["mixed", "int", "float", "cells"]))
        if kind == "int":
            columns[c] = pd.Series(draw(st.lists(st.integers(-5, 2**63 - 1), min_size=n, max_size=n)), dtype="int64")
        elif kind == "float":
            columns[c] = pd.Series(draw(st.lists(st.floats(), min_size=n, max_size=n)), dtype="float64")
        elif kind == "mixed":
            columns[c] = pd.Series(draw(st.lists(values, min_size=n, max_size=n)), dtype=object)
        elif n:
            columns[c] = columns[c].astype(object)
            columns[c].iloc[draw(st.integers(0, n - 1))] = draw(values)
    return pd.DataFrame(columns)


@pytest.mark.parametrize("reader_name", sorted(READERS))
def test_any_dataframe_gives_a_table_or_a_clear_error(reader_name):
    reader, template = READERS[reader_name]

    @FUZZ
    @given(frame=frames(template))
    def check(frame):
        result, error = _call(reader, frame)
        if error is not None:
            assert error.source == "<DataFrame>", error
            return
        for column in result.columns:
            if result[column].dtype.kind in "if" and column in frame.columns and len(result) == len(frame):
                for got, given_value in zip(result[column], frame[column]):
                    if isinstance(given_value, int | np.integer) and not isinstance(given_value, bool):
                        assert got == given_value, (column, given_value, got)
                    if isinstance(given_value, float) and math.isfinite(given_value) and got == got:
                        assert got == given_value, (column, given_value, got)

    check()
