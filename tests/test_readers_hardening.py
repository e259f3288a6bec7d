"""What a new user found by hand, each as a test: no bare exception, no wrong number."""

import warnings

import pandas as pd
import pytest

import estimators
from estimators.data import DataValidationError, read_capture_histories, read_incidents

from .test_cli import ROOT, run

EXAMPLE = ROOT / "data" / "incidents_example.csv"


def _edited(tmp_path, edit, name="incidents.csv"):
    lines = EXAMPLE.read_text().splitlines()
    edit(lines)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _deaths(lines, row, text):  # row 1 holds "...,confirmed,4,6,4,credible,3,3"
    lines[row] = lines[row].replace(",4,6,4,", text, 1)


@pytest.mark.parametrize("cells, column, value", [
    (",4611686018427387904,9223372036854775807,4,", "deaths_min", "4611686018427387904"),  # summed to -2**63
    (",4,12345678901234567890123,4,", "deaths_max", "12345678901234567890123"),  # a bare OverflowError
    (",٤,6,4,", "deaths_min", "٤"),  # Arabic-Indic digit: a bare ValueError
    (",4,１２,4,", "deaths_max", "１２"),  # full-width digits
])
def test_counts_are_ascii_digits_below_a_billion(tmp_path, cells, column, value):
    path = _edited(tmp_path, lambda lines: _deaths(lines, 1, cells))
    with pytest.raises(DataValidationError) as info:
        read_incidents(path)
    err = info.value
    assert (err.source, err.row, err.line, err.column, err.value) == (str(path), 1, 2, column, value)
    assert "at most 999999999" in err.expected and "digits 0-9" in err.expected


def test_a_huge_count_fails_clearly_from_the_command_line_too(tmp_path):
    path = _edited(tmp_path, lambda lines: _deaths(lines, 1, ",4,12345678901234567890123,4,"))
    out = run("range", path, check=False)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "row 1 (line 2), column 'deaths_max': got '12345678901234567890123'" in out.stderr


def test_a_dataframe_count_near_2_63_is_refused_not_summed():
    frame = read_incidents(EXAMPLE).iloc[:, :8].copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    for col in ("deaths_min", "deaths_max"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame.loc[[0, 1], ["deaths_min", "deaths_max"]] = 2**62
    with pytest.raises(DataValidationError, match="row 1, column 'deaths_min'"):
        read_incidents(frame)
    frame["deaths_min"] = frame["deaths_min"].astype(bool)  # True is not a count of 1
    with pytest.raises(DataValidationError, match="column 'deaths_min': got (np.)?True"):
        read_incidents(frame)


def test_a_header_only_file_is_refused_unless_allowed(tmp_path):
    path = _edited(tmp_path, lambda lines: lines.__delitem__(slice(1, None)))
    with pytest.raises(DataValidationError, match="no rows.*at least one incident"):
        read_incidents(path)
    assert len(read_incidents(path, allow_empty=True)) == 0


def test_named_victims_above_the_maximum_are_refused(tmp_path):
    path = _edited(tmp_path, lambda lines: _deaths(lines, 1, ",4,6,40,"))
    with pytest.raises(DataValidationError) as info:
        read_incidents(path)
    assert (info.value.column, info.value.value) == ("named_victims", "40")
    assert "deaths_max" in info.value.expected


@pytest.mark.parametrize("date, option", [("2031-06-05", "latest"), ("1970-01-01", "earliest")])
def test_dates_in_the_future_or_before_1990_are_refused_unless_allowed(tmp_path, date, option):
    path = _edited(tmp_path, lambda lines: lines.__setitem__(1, lines[1].replace("2017-06-05", date)))
    with pytest.raises(DataValidationError) as info:
        read_incidents(path)
    assert (info.value.column, info.value.value) == ("date", date) and f"{option}=" in info.value.expected
    table = read_incidents(path, **{option: None})
    assert str(table["date"].iloc[0].date()) == date


def test_a_ragged_row_is_reported_as_a_wrong_number_of_cells(tmp_path):
    # It was reported as a wrong date (a short row is padded with empty cells).
    for edit, cells in ((lambda s: s.rsplit(",", 1)[0], 11), (lambda s: s + ",extra", 13)):
        path = _edited(tmp_path, lambda lines: lines.__setitem__(3, edit(lines[3])))
        with pytest.raises(DataValidationError) as info:
            read_incidents(path)
        assert (info.value.row, info.value.line, info.value.column) == (3, 4, None)
        assert info.value.value == f"{cells} cells" and "12 cells, as in the header" in info.value.expected


def test_a_file_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(EXAMPLE.read_bytes().replace(b"Raqqa", "Raqqa\u00e9".encode("latin-1"), 1))
    with pytest.raises(DataValidationError) as info:
        read_incidents(path)
    assert info.value.line == 2 and "UTF-8" in info.value.expected


def test_a_list_holding_every_victim_of_the_other_warns_of_its_zero_width_interval():
    with pytest.warns(UserWarning, match="zero width"):
        est = estimators.chapman(n1=60, n2=40, m=40)
    assert est.lower == est.upper == 60
    assert any("zero width" in w for w in est.diagnostics["warnings"])


def test_the_mse_command_takes_a_per_victim_file_with_an_id_column(tmp_path):
    path = tmp_path / "victims.csv"
    patterns = [1 + (k * k) % 7 for k in range(1, 200)]  # every victim on at least one list
    rows = ["victim,A,B,C"] + [f"v{k},{p & 1},{p >> 1 & 1},{p >> 2 & 1}" for k, p in enumerate(patterns)]
    path.write_text("\n".join(rows) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = estimators.mse.chapman(read_capture_histories(path, id_column="victim"), lists=("A", "B"))
    out = run("mse", path, "--id-column", "victim", "--method", "chapman", "--lists", "A,B", "--csv").stdout
    assert out.splitlines()[1].split(",")[2] == repr(expected.value)
    refused = run("mse", path, "--method", "chapman", "--lists", "A,B", check=False)
    assert refused.returncode == 1 and "victim" in refused.stderr
