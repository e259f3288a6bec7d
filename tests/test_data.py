"""The validation layer: every kind of bad value names file, row, column and expectation."""

import csv

import pytest

from estimators import DataValidationError, read_published_figures
from estimators.data import PUBLISHED_FIGURES_SCHEMA

COLUMNS = [c.name for c in PUBLISHED_FIGURES_SCHEMA]


def good_rows():
    base = dict.fromkeys(COLUMNS, "")
    return [
        {**base, "figure_id": "ack", "event": "e", "quantity": "conceded", "unit": "deaths",
         "value": "1302", "qualifier": "at least", "kind": "acknowledged", "source": "coalition",
         "outlet": "press", "report_date": "2019-04", "reference": "seeds/001"},
        {**base, "figure_id": "range", "event": "e", "quantity": "likely", "unit": "deaths",
         "low": "3270", "high": "4767", "qualifier": "exact", "kind": "monitor range",
         "grades": "confirmed;fair", "source": "Airwars", "outlet": "press",
         "period_start": "2015-09-30", "reference": "seeds/003"},
        {**base, "figure_id": "share", "event": "e", "quantity": "share", "unit": "share",
         "value": "0.2", "qualifier": "about", "kind": "ratio", "source": "NYT", "outlet": "NYT",
         "reference": "nyt"},
    ]


def write(tmp_path, rows):
    path = tmp_path / "figures.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_good_table_is_typed(tmp_path):
    table = read_published_figures(write(tmp_path, good_rows()))
    assert table["value"].tolist()[0] == 1302.0
    assert (table.loc[1, "low"], table.loc[1, "high"]) == (3270.0, 4767.0)
    assert table.loc[1, "period_start"] == "2015-09-30"  # partial dates keep their text
    assert table.loc[0, "period_start"] is None or table["period_start"].isna()[0]


@pytest.mark.parametrize("row, column, value, expected", [
    (0, "value", "-3", "non-negative"),
    (0, "value", "1,302", "no thousands separators"),
    (0, "value", "12.5", "whole number"),
    (1, "low", "5000", "not above the row's high"),
    (1, "high", "", "both ends of a range"),
    (0, "kind", "belligerent claim", "one of: acknowledged"),
    (0, "qualifier", "roughly", "one of: exact, at least"),
    (0, "unit", "bodies", "one of: deaths"),
    (0, "report_date", "April 2019", "ISO date"),
    (0, "report_date", "2019-02-30", "ISO date"),
    (1, "period_start", "2015/09/30", "ISO date"),
    (2, "value", "1.5", "share between 0 and 1"),
    (1, "grades", "confirmed;likely", "grade names"),
    (0, "source", "", "cell is empty"),
    (2, "figure_id", "ack", "not used in an earlier row"),
])
def test_each_bad_value_names_file_row_and_column(tmp_path, row, column, value, expected):
    rows = good_rows()
    rows[row][column] = value
    path = write(tmp_path, rows)
    with pytest.raises(DataValidationError, match=expected) as info:
        read_published_figures(path)
    err = info.value
    assert (err.source, err.row, err.line, err.column) == (str(path), row + 1, row + 2, column)
    assert f"row {row + 1} (line {row + 2})" in str(err) and f"column {column!r}" in str(err)


def test_a_value_and_a_range_in_one_row_is_an_error(tmp_path):
    rows = good_rows()
    rows[0]["low"], rows[0]["high"] = "10", "20"
    with pytest.raises(DataValidationError, match="row 1 .*'value'.*not both or neither"):
        read_published_figures(write(tmp_path, rows))


def test_missing_and_unknown_columns_are_errors(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "kind"} for r in good_rows()]
    with pytest.raises(DataValidationError, match="a column named 'kind'"):
        read_published_figures(write(tmp_path, rows))
    rows = [{**r, "comment": "x"} for r in good_rows()]
    with pytest.raises(DataValidationError, match="unknown column"):
        read_published_figures(write(tmp_path, rows))


def test_dataframe_source_is_named_and_nothing_is_coerced():
    import pandas as pd

    frame = pd.DataFrame(good_rows())
    frame.loc[2, "value"] = "n/a"
    with pytest.raises(DataValidationError, match=r"<DataFrame>, row 3, column 'value': got 'n/a'"):
        read_published_figures(frame)


def test_missing_file_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_published_figures(tmp_path / "absent.csv")


def test_an_empty_or_unreadable_file_is_named(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataValidationError, match=r"empty\.csv: .*expected a UTF-8 CSV file"):
        read_published_figures(empty)


def test_select_figures_by_id_and_event_refuses_a_typo():
    import estimators
    from estimators.data import select_figures

    figures = estimators.load_published_figures()
    raqqa = select_figures(figures, events=["raqqa-2017"])
    assert len(raqqa) > 5 and set(raqqa["event"]) == {"raqqa-2017"} and raqqa.index[0] == 0
    one = select_figures(figures, figure_ids=["raqqa-named-641"], events=["raqqa-2017"])
    assert one["figure_id"].tolist() == ["raqqa-named-641"]
    with pytest.raises(ValueError, match="no figure_id raqqa-named-614"):
        select_figures(figures, figure_ids=["raqqa-named-614"])
