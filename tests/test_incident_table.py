"""Incident tables: canonical columns, every bad value named, the monitor-export adapter."""

import csv
from pathlib import Path

import pandas as pd
import pytest

from estimators import DataValidationError, read_incidents, read_monitor_export
from estimators.data import parse_range_text, read_grade_summary

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = ["incident_id", "date", "belligerents", "country", "place", "grade", "deaths_min",
          "deaths_max", "named_victims", "assessment", "conceded_min", "conceded_max"]


def rows():
    return [
        dict(zip(HEADER, ["A1", "2017-06-05", "US-led coalition", "Syria", "Raqqa", "confirmed", "4", "6", "4", "credible", "3", "3"])),
        dict(zip(HEADER, ["A2", "2017-06-09", "US-led coalition ; SDF", "Syria", "", "Fair", "2", "5", "", "non-credible", "", ""])),
        dict(zip(HEADER, ["A3", "2017-07-01", "Russia", "Syria", "Idlib", "disproven", "", "", "", "", "", ""])),
    ]


def write(tmp_path, data, header=HEADER, name="incidents.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(data)
    return path


def test_good_table_is_typed_and_normalised(tmp_path):
    t = read_incidents(write(tmp_path, rows()))
    assert t["grade"].tolist() == ["confirmed", "fair", "discounted"]  # any case; disproven
    assert t["belligerents"].tolist()[1] == "US-led coalition;SDF"
    assert t["n_belligerents"].tolist() == [2 - 1, 2, 1]
    assert t["has_count"].tolist() == [True, True, False]  # empty min and max: no count
    assert pd.isna(t.loc[2, "deaths_min"]) and t["date"].dtype.kind == "M"


def test_optional_columns_may_be_absent(tmp_path):
    minimal = [{k: r[k] for k in HEADER[:4] + ["grade", "deaths_min", "deaths_max"]} for r in rows()]
    t = read_incidents(write(tmp_path, minimal, header=HEADER[:4] + ["grade", "deaths_min", "deaths_max"]))
    assert t["assessment"].isna().all() and t["named_victims"].isna().all()


def test_conceding_more_than_reported_is_kept_and_flagged(tmp_path):
    data = rows()
    data[0]["conceded_min"], data[0]["conceded_max"] = "7", "9"  # reported max is 6
    t = read_incidents(write(tmp_path, data))
    assert t["conceded_above_reported"].tolist() == [True, False, False]


@pytest.mark.parametrize("row, column, value, expected", [
    (0, "deaths_min", "-1", "non-negative whole number"),
    (0, "deaths_min", "9", "not above the row's deaths_max"),
    (0, "deaths_max", "", "a maximum, since deaths_min is given"),
    (1, "deaths_min", "", "a minimum, since deaths_max is given"),
    (0, "grade", "likely", "one of: confirmed, fair"),
    (2, "incident_id", "A1", "not used in an earlier row"),
    (1, "date", "09/06/2017", "ISO date"),
    (1, "date", "2017-02-30", "ISO date"),
    (0, "assessment", "maybe", "one of: none, pending"),
    (0, "conceded_min", "5", "not above the row's conceded_max"),
    (0, "named_victims", "2.5", "whole number"),
    (0, "belligerents", " ; ", "one or more names"),
    (0, "country", "", "cell is empty"),
])
def test_each_bad_value_names_file_row_column_value_and_expectation(tmp_path, row, column, value, expected):
    data = rows()
    data[row][column] = value
    path = write(tmp_path, data)
    with pytest.raises(DataValidationError, match=expected) as info:
        read_incidents(path)
    err = info.value
    assert (err.source, err.row, err.line, err.column) == (str(path), row + 1, row + 2, column)
    assert repr(value) in str(err) or value.strip() == ""


def test_a_frame_is_validated_too():
    frame = pd.DataFrame(rows())
    frame.loc[1, "grade"] = "credible"
    with pytest.raises(DataValidationError, match=r"<DataFrame>, row 2, column 'grade'"):
        read_incidents(frame)


@pytest.mark.parametrize("text, parsed", [
    ("3 – 7", (3, 7)), ("3-7", (3, 7)), ("10 — 12", (10, 12)), ("2 to 4", (2, 4)),
    ("1", (1, 1)), ("", (None, None)), (" 0 ", (0, 0)), ("about 5", None), ("7–3", (7, 3)),
])
def test_range_text(text, parsed):
    assert parse_range_text(text) == parsed


def test_monitor_export_adapter(tmp_path):
    header = ["Unique reference code", "Date", "Known belligerent", "Country",
              "Airwars civilian harm grading", "Civilians reported killed", "Named victims"]
    data = [dict(zip(header, ["X1", "2016-02-01", "Russian Military", "Syria", "Fair", "3 – 7", "2"])),
            dict(zip(header, ["X2", "2016-02-03", "Russian Military;Syrian Regime", "Syria", "Contested", "1", ""])),
            dict(zip(header, ["X3", "2016-02-04", "Russian Military", "Syria", "Weak", "", ""]))]
    t = read_monitor_export(write(tmp_path, data, header=header))
    assert t["deaths_min"].tolist()[:2] == [3, 1] and t["deaths_max"].tolist()[:2] == [7, 1]
    assert t["has_count"].tolist() == [True, True, False]
    data[0]["Civilians reported killed"] = "7 – 3"
    with pytest.raises(DataValidationError, match="deaths_min.*not above"):
        read_monitor_export(write(tmp_path, data, header=header))
    data[0]["Civilians reported killed"] = "several"
    with pytest.raises(DataValidationError, match="row 1 .*'Civilians reported killed'.*'3 – 7'"):
        read_monitor_export(write(tmp_path, data, header=header))


def test_monitor_export_refuses_unknown_columns(tmp_path):
    header = ["Unique reference code", "Strike status"]
    with pytest.raises(DataValidationError, match="'Strike status'.*export mapping"):
        read_monitor_export(write(tmp_path, [dict(zip(header, ["X1", "declared"]))], header=header))


def test_shipped_examples_load():
    assert len(read_incidents(DATA / "incidents_example.csv")) == 10
    assert len(read_monitor_export(DATA / "monitor_export_example.csv")) == 5


def test_grade_summary_refuses_totals_and_repeated_grades():
    base = {"grade": ["confirmed;fair", "weak"], "incidents": [3, 2], "deaths_min": [5, 1], "deaths_max": [9, 1]}
    assert read_grade_summary(pd.DataFrame(base))["grade"].tolist() == ["confirmed;fair", "weak"]
    with pytest.raises(DataValidationError, match="per-grade rows only"):
        read_grade_summary(pd.DataFrame({**base, "grade": ["all", "weak"]}))
    with pytest.raises(DataValidationError, match="each grade in one row only"):
        read_grade_summary(pd.DataFrame({**base, "grade": ["confirmed;fair", "fair"]}))
