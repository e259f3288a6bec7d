"""Airwars' real Syria record: every quirk of the export meets its policy (issue 17)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from estimators import graded_range
from estimators.data import DataValidationError, is_validated_incidents
from estimators.data.airwars import AIRWARS_EXPORT_SCHEMA, AIRWARS_POLICIES, read_airwars_export
from estimators.datasets import AIRWARS_NOTEBOOK_POLICIES, load_airwars_syria

ROOT = Path(__file__).resolve().parents[1]
HEADER = [c.name for c in AIRWARS_EXPORT_SCHEMA]


@pytest.fixture(scope="module")
def airwars() -> pd.DataFrame:
    return load_airwars_syria(**AIRWARS_NOTEBOOK_POLICIES)


def export(*rows: dict, path: Path | None = None):
    """A small export in the archive's layout; unspecified cells are a clean incident."""
    base = {"code": "RS0001", "airwars_id": "1", "date": "2016-02-01", "date_end": "",
            "location": "Aleppo", "belligerents": "Russian Military", "strike_type": "Airstrike",
            "civilian_harm_grade": "Fair", "civilians_killed_min": "2", "civilians_killed_max": "3",
            "civilians_injured_min": "", "civilians_injured_max": "", "named_victims": "0",
            "sources": "4", "airwars_url": "https://airwars.org/civilian-casualties/rs0001/"}
    frame = pd.DataFrame([dict(base, airwars_id=str(i + 1), code=f"RS{i + 1:04d}", **row)
                          for i, row in enumerate(rows)], columns=HEADER)
    if path is None:
        return frame
    frame.to_csv(path, index=False)
    return path


# -- the shipped file -------------------------------------------------------------------

def test_the_strict_default_stops_at_the_first_quirk_and_names_the_option():
    with pytest.raises(DataValidationError) as err:
        load_airwars_syria()
    e = err.value
    assert (e.source, e.row, e.line, e.column) == ("data/airwars_syria_incidents.csv", 5, 6, "civilian_harm_grade")
    assert "ungraded='exclude'" in str(e)


@pytest.mark.parametrize("policy, column, row", [
    ("one_sided", "civilians_killed_min", 642),
    ("ungraded", "civilian_harm_grade", 5),
    ("two_grades", "civilian_harm_grade", 4183),
    ("undated", "date", 8113),
    ("placeholder_dates", "date", 8112),
    ("no_belligerent", "belligerents", 105),
    ("reversed_dates", "date_end", 5392),
    ("named_victims", "named_victims", 3),
])
def test_each_quirk_of_the_real_file_is_an_error_under_its_strict_default(policy, column, row):
    with pytest.raises(DataValidationError) as err:
        load_airwars_syria(**dict(AIRWARS_NOTEBOOK_POLICIES, **{policy: "error"}))
    e = err.value
    assert e.column == column and f"{policy}='{AIRWARS_POLICIES[policy][1]}" in str(e)
    assert (e.row, e.line) == (row, row + 1)


def test_what_each_policy_touched_is_counted_and_nothing_vanishes(airwars):
    details = airwars.attrs["details"]
    assert details["rows_read"] == 8114 == len(airwars) + len(details["excluded"])
    assert details["rows_touched"] == {
        "one_sided": 7, "ungraded": 130, "two_grades": 1, "undated": 2, "placeholder_dates": 1,
        "no_belligerent": 35, "reversed_dates": 1, "named_victims": 585,
    }
    reasons = {e["code"]: e["reasons"] for e in details["excluded"]}
    assert len(reasons) == 132 and reasons["TRSOM001"] == "ungraded;placeholder_dates"
    assert reasons["YS133"] == reasons["TS644"] == "undated"
    assert details["policies"] == dict(AIRWARS_NOTEBOOK_POLICIES, incident_id="airwars_id")
    assert len(details["sha256"]) == 64
    # each changed row says what changed it
    named = airwars["adjusted"].str.split(";").explode().value_counts()
    for policy in ("one_sided", "two_grades", "no_belligerent", "reversed_dates", "named_victims"):
        assert named[policy] == details["rows_touched"][policy]
    row = airwars.set_index("code").loc["CS1477 RS2440"]
    assert row["grade"] == "contested" and row["adjusted"] == "two_grades"


def test_the_table_is_the_incident_table_with_the_exports_columns(airwars):
    assert is_validated_incidents(airwars)
    assert airwars["incident_id"].is_unique
    # The reused public codes (TS631, TS633) each have an ungraded page beside a graded
    # one; kept (graded here), they are two incidents with one code, told apart by airwars_id.
    both = load_airwars_syria(**dict(AIRWARS_NOTEBOOK_POLICIES, ungraded="contested"))
    assert both["code"].duplicated().sum() == 2 and both["incident_id"].is_unique
    assert airwars["country"].eq("Syria").all()
    assert airwars["named_victims"].isna().all() and airwars["named_on_page"].sum() > 0
    assert str(airwars["injured_min"].dtype) == "Int64" and str(airwars["sources"].dtype) == "Int64"
    shared = airwars.set_index("code").loc["CS1476 RS2439"]
    assert shared["belligerents"] == "Russian Military;U.S.-led Coalition"
    assert (airwars["belligerents"] == "Unknown").sum() >= 35


def test_russias_likely_range_is_airwars_published_one(airwars):
    likely = graded_range(airwars, belligerent="Russian Military")
    assert (likely.lower, likely.upper) == (4431, 6522)  # russia-likely-range-2025
    discounted = graded_range(airwars, belligerent="Russian Military", grades="discounted")
    assert (discounted.lower, discounted.upper) == (114, 129)  # russia-discounted-range-2025


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    import estimators.datasets as datasets

    copy = tmp_path / "airwars_syria_incidents.csv"
    copy.write_bytes((ROOT / "data" / "airwars_syria_incidents.csv").read_bytes().replace(b"Fair", b"Weak", 1))
    monkeypatch.setattr(datasets, "data_path", lambda filename: copy)
    with pytest.raises(ValueError, match="the file was changed"):
        datasets.load_airwars_syria(**AIRWARS_NOTEBOOK_POLICIES)


# -- each policy on a small export --------------------------------------------------------

@pytest.mark.parametrize("policy, expected", [
    ("as_both", [(2, 2), (5, 5)]),
    ("lower_only", [(2, 2), (0, 5)]),
    ("no_count", [(None, None), (None, None)]),
])
def test_one_sided_counts(policy, expected):
    frame = export({"civilians_killed_max": ""}, {"civilians_killed_min": "", "civilians_killed_max": "5"}, {})
    out = read_airwars_export(frame, one_sided=policy)
    got = [(None if pd.isna(a) else int(a), None if pd.isna(b) else int(b))
           for a, b in zip(out["deaths_min"], out["deaths_max"])]
    assert got[:2] == expected and got[2] == (2, 3)
    assert out.attrs["details"]["rows_touched"]["one_sided"] == 2
    assert list(out["adjusted"]) == ["one_sided", "one_sided", ""]
    assert list(out["has_count"]) == [policy != "no_count"] * 2 + [True]


def test_a_lone_maximum_names_the_empty_minimum():
    frame = export({}, {"civilians_killed_min": ""})
    with pytest.raises(DataValidationError) as err:
        read_airwars_export(frame)
    assert (err.value.row, err.value.column) == (2, "civilians_killed_min")


@pytest.mark.parametrize("policy, grade", [("most_credible", "contested"), ("least_credible", "discounted"),
                                           ("exclude", None)])
def test_two_grades_written_without_quotes(tmp_path, policy, grade):
    path = export({}, {"civilian_harm_grade": "Contested, Discounted"}, path=tmp_path / "e.csv")
    text = path.read_text().replace('"Contested, Discounted"', "Contested, Discounted")
    path.write_text(text)
    assert len(list(csv.reader(io.StringIO(text)))[2]) == len(HEADER) + 1  # the ragged row, as in the real file
    with pytest.raises(DataValidationError) as err:
        read_airwars_export(path)
    assert (err.value.row, err.value.line, err.value.column) == (2, 3, "civilian_harm_grade")
    out = read_airwars_export(path, two_grades=policy)
    if grade is None:
        assert len(out) == 1 and out.attrs["details"]["excluded"][0]["reasons"] == "two_grades"
    else:
        assert out["grade"].tolist() == ["fair", grade]


def test_any_other_ragged_row_is_refused(tmp_path):
    path = export({}, {"location": "Idlib"}, path=tmp_path / "e.csv")
    path.write_text(path.read_text().replace("Idlib", "Idlib, Ariha"))
    with pytest.raises(DataValidationError, match="16 cells"):
        read_airwars_export(path, **AIRWARS_NOTEBOOK_POLICIES)


@pytest.mark.parametrize("grade", ["exclude", "contested", "weak"])
def test_ungraded_incidents_are_set_aside_or_given_a_grade(grade):
    out = read_airwars_export(export({"civilian_harm_grade": ""}, {}), ungraded=grade)
    if grade == "exclude":
        assert len(out) == 1 and out.attrs["details"]["excluded"][0]["row"] == 1
    else:
        assert out["grade"].tolist() == [grade, "fair"]


def test_undated_placeholder_and_reversed_dates():
    frame = export({"date": ""}, {"date": "1970-01-01"}, {"date_end": "2016-01-05"}, {"date_end": "2016-02-03"})
    out = read_airwars_export(frame, undated="exclude", placeholder_dates="exclude", reversed_dates="drop_end")
    assert [e["reasons"] for e in out.attrs["details"]["excluded"]] == ["undated", "placeholder_dates"]
    assert out["date_end"].isna().tolist() == [True, False]
    assert out["adjusted"].tolist() == ["reversed_dates", ""]


def test_a_date_outside_the_bounds_points_at_the_exports_row():
    frame = export({}, {}, {"date": "2031-01-01"})
    with pytest.raises(DataValidationError) as err:
        read_airwars_export(frame)
    assert (err.value.row, err.value.column) == (3, "date") and "latest=" in str(err.value)
    frame = export({}, {"civilians_killed_min": "9"})
    with pytest.raises(DataValidationError) as err:
        read_airwars_export(frame)
    assert (err.value.row, err.value.column) == (2, "civilians_killed_min")


def test_named_victims_above_the_maximum():
    frame = export({"named_victims": "4"}, {"named_victims": "1"})
    with pytest.raises(DataValidationError) as err:
        read_airwars_export(frame)
    assert err.value.row == 1 and "named_victims='page_count'" in str(err.value)
    out = read_airwars_export(frame, named_victims="page_count")
    assert out["named_on_page"].tolist() == [4, 1] and out["named_victims"].isna().all()


def test_no_belligerent_and_several():
    out = read_airwars_export(export({"belligerents": ""}, {"belligerents": "Russian Military, U.S.-led Coalition"}),
                              no_belligerent="unknown")
    assert out["belligerents"].tolist() == ["Unknown", "Russian Military;U.S.-led Coalition"]
    assert out["n_belligerents"].tolist() == [1, 2]


def test_reused_codes_cannot_be_the_key():
    frame = export({}, {})
    frame["code"] = "TS631"
    assert len(read_airwars_export(frame)) == 2
    with pytest.raises(DataValidationError) as err:
        read_airwars_export(frame, incident_id="code")
    assert (err.value.row, err.value.column) == (2, "code")


def test_unknown_policy_values_are_refused():
    with pytest.raises(ValueError, match="one_sided='both'"):
        read_airwars_export(export({}), one_sided="both")
