"""Capture histories: the loader's rules and the simulator's known truth."""

import numpy as np
import pandas as pd
import pytest

from estimators import DataValidationError
from estimators.data import read_capture_histories
from estimators.checking.simulate import capture_histories


def test_pattern_table_fills_unobserved_patterns_with_zero():
    table = read_capture_histories(pd.DataFrame({"A": [1, 1], "B": [0, 1], "C": [0, 0], "count": [5, 2]}))
    assert len(table) == 7 and table.attrs["lists"] == ["A", "B", "C"]
    assert table["count"].tolist() == [5, 0, 2, 0, 0, 0, 0]  # order: A, B, AB, C, AC, BC, ABC
    assert table["count"].dtype == np.int64 and not table["count"].isna().any()


def test_one_row_per_victim_is_counted(tmp_path):
    path = tmp_path / "victims.csv"
    path.write_text("victim,A,B\nv1,1,0\nv2,1,1\nv3,1,0\nv4,0,1\n")
    table = read_capture_histories(path, id_column="victim")
    assert table["count"].tolist() == [2, 1, 1]


@pytest.mark.parametrize("frame, row, column, expected", [
    ({"A": [1, 2], "B": [0, 1], "count": [1, 1]}, 2, "A", "one of: 0, 1"),
    ({"A": [1, 0], "B": [0, 1], "count": [1, -3]}, 2, "count", "non-negative"),
    ({"A": [1, 0], "B": [0, 1], "count": [1, 2.5]}, 2, "count", "whole number"),
    ({"A": [1, 0], "B": [0, 0], "count": [1, 4]}, 2, "A", "at least one list"),
    ({"A": [1, 1], "B": [0, 0], "count": [1, 4]}, 2, "A", "each pattern of lists once"),
    ({"A": [1, 0], "count": [1, 4]}, None, None, "at least two"),
])
def test_bad_tables_name_row_column_and_rule(frame, row, column, expected):
    with pytest.raises(DataValidationError) as err:
        read_capture_histories(pd.DataFrame(frame))
    assert err.value.row == row and err.value.column == column
    assert expected in str(err.value)


def test_repeated_list_names_in_a_file_are_refused(tmp_path):
    path = tmp_path / "lists.csv"
    path.write_text("A,A,count\n1,0,3\n")
    with pytest.raises(DataValidationError, match="each list name once"):
        read_capture_histories(path)


def test_errors_in_files_give_the_line(tmp_path):
    path = tmp_path / "lists.csv"
    path.write_text("A,B,count\n1,0,3\n0,1,x\n")
    with pytest.raises(DataValidationError) as err:
        read_capture_histories(path)
    assert (err.value.row, err.value.line, err.value.column) == (2, 3, "count")


def test_simulator_keeps_the_truth_and_is_seeded():
    a = capture_histories(1000, 4, random_seed=7)
    b = capture_histories(1000, 4, random_seed=7)
    assert a.equals(b) and a.attrs["N"] == 1000
    assert a["count"].sum() + a.attrs["unobserved"] == 1000
    # with p = 0.3 on four independent lists, 1 - 0.7**4 = 76% are seen: 3 sd = 40
    assert abs(a["count"].sum() - 1000 * (1 - 0.7**4)) < 40


def test_simulated_positive_dependence_raises_the_overlap():
    indep = capture_histories(20000, [0.3, 0.3], random_seed=1)
    dep = capture_histories(20000, [0.3, 0.3], dependence=4.0, random_seed=1)
    both = lambda t: int(t.loc[(t.L1 == 1) & (t.L2 == 1), "count"].iloc[0])  # noqa: E731
    assert both(dep) > 1.5 * both(indep)


def test_importing_the_mse_package_stays_light():
    import subprocess
    import sys

    code = ("import sys, estimators.mse; heavy = {'numba', 'pandas', 'scipy', 'statsmodels', 'pymc', 'arviz'} "
            "& set(sys.modules); assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_functions_are_not_shadowed_by_their_modules():
    import importlib

    import estimators.mse as mse

    importlib.import_module("estimators.mse.latent_class")
    importlib.import_module("estimators.mse.loglinear")
    assert callable(mse.latent_class) and callable(mse.loglinear)
    import estimators

    assert estimators.latent_class is mse.latent_class and estimators.loglinear is mse.loglinear


def test_kosovo_lists_load_and_sum_to_the_published_total():
    # Ball et al. (2002): 4,400 killings documented by four lists (data/README.md); the same
    # 15 counts as the reference record in tests/results/mse_reference.py.
    from pathlib import Path

    from tests.results.mse_reference import KOSOVO

    table = read_capture_histories(Path(__file__).resolve().parents[1] / "data" / "kosovo_lists.csv")
    assert table.attrs["lists"] == ["EXH", "ABA", "OSCE", "HRW"]
    assert len(table) == 15 and (table["count"] > 0).all()  # all 15 patterns observed
    assert table["count"].sum() == 4400
    lists = table.attrs["lists"]
    as_read = {"".join(str(int(r[c])) for c in lists): int(r["count"]) for _, r in table.iterrows()}
    assert as_read == KOSOVO


def test_observed_patterns_only_for_many_lists():
    # 25 lists: the full table would have 33 million rows; the observed patterns are three
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 2, size=(3, 25)), columns=[f"L{j}" for j in range(25)])
    frame.iloc[:, 0] = 1  # no row on no list
    frame["count"] = [5, 0, 2]
    with pytest.raises(ValueError, match="at most 20 lists.*all_patterns=False"):
        read_capture_histories(frame)
    table = read_capture_histories(frame, all_patterns=False)
    assert len(table) == 2  # the pattern with count 0 is not a row
    assert sorted(table["count"]) == [2, 5] and table.attrs["lists"] == [f"L{j}" for j in range(25)]
    index = table[table.attrs["lists"]].to_numpy() @ (1 << np.arange(25))
    assert (np.diff(index) > 0).all()  # in pattern order, as the full table


def test_observed_patterns_agree_with_the_full_table():
    from estimators.mse._common import cell_counts, observed_patterns

    data = capture_histories(500, [0.3, 0.4, 0.25, 0.2], random_seed=3)
    lists, index, counts = observed_patterns(data)
    full = read_capture_histories(data)
    assert lists == full.attrs["lists"]
    assert counts.tolist() == full["count"][full["count"] > 0].tolist()
    cells = cell_counts(data)[1]
    assert cells[index].tolist() == counts.tolist() and cells.sum() == counts.sum()


def test_estimators_on_the_full_table_refuse_more_than_20_lists():
    from estimators.mse._common import cell_counts

    frame = pd.DataFrame(np.eye(22, dtype=int), columns=[f"L{j}" for j in range(22)])
    with pytest.raises(ValueError, match="22 lists.*at most 20.*latent_class"):
        cell_counts(frame)
