"""The coverage runner, on a toy problem whose coverage is known exactly.

The interval mean ± z/√n for a normal mean with known unit variance covers the truth with
probability exactly `level`; so the runner's empirical coverage must agree within its own
Monte Carlo error.
"""

import math

import numpy as np
import pytest
from scipy import stats

from estimators import Estimate
from estimators.checking.calibration import TIMING_COLUMNS, coverage, coverage_grid


def normal_sample(rng, *, n=20, mu=3.0):
    return rng.normal(mu, 1.0, size=n), mu


def z_interval(data, *, level, random_seed):
    half = stats.norm.ppf((1 + level) / 2) / math.sqrt(len(data))
    m = float(np.mean(data))
    return Estimate(value=m, lower=m - half, upper=m + half, level=level, interval="confidence",
                    interval_method="z", method="z_interval")


def too_narrow(data, *, level, random_seed):
    return z_interval(data, level=0.5, random_seed=random_seed).replace(level=level)


def fragile(data, *, level, random_seed):
    if data[0] > 4.0:  # P = 0.159 for N(3, 1)
        raise ValueError("degenerate data set")
    return z_interval(data, level=level, random_seed=random_seed)


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as lc, Client(lc) as c:
        yield c


def test_exact_interval_covers_at_its_level(cluster):
    report = coverage(z_interval, normal_sample, n_reps=400, random_seed=1, client=cluster)
    row = report.table.iloc[0]
    se = math.sqrt(0.95 * 0.05 / 400)  # 1.1 points
    assert abs(row.coverage - 0.95) < 3 * se
    assert row.failures == 0 and row.replicates == 400
    assert row.mean_width == pytest.approx(2 * 1.959964 / math.sqrt(20))
    assert abs(row.bias) < 3 / math.sqrt(20 * 400)  # s.e. of the mean of 400 means


def test_a_too_narrow_interval_is_caught(cluster):
    report = coverage(too_narrow, normal_sample, n_reps=400, random_seed=2, client=cluster)
    assert report.table.iloc[0].coverage < 0.6  # it is a 50% interval in disguise


def test_failures_are_counted_and_their_errors_kept(cluster):
    report = coverage(fragile, normal_sample, n_reps=200, random_seed=3, client=cluster)
    row = report.table.iloc[0]
    failed = report.failures
    assert row.failures == len(failed) > 0
    assert failed["error"].str.contains("ValueError: degenerate data set").all()
    assert not np.isnan(failed["truth"]).any()  # the truth is still recorded
    # Failures are excluded from the coverage, not counted as misses or hits.
    assert row.replicates == 200 and 0.9 < row.coverage <= 1.0


def always_fails(data, *, level, random_seed):
    raise ValueError("no estimate here")


def test_a_study_in_which_every_replicate_fails_raises(cluster):
    # It returned a table of NaN: a coverage study of an estimator that never ran.
    from estimators.checking.calibration import CoverageError

    with pytest.raises(CoverageError, match="all 5 replicates .* failed; the first: ValueError: no estimate here"):
        coverage(always_fails, normal_sample, n_reps=5, random_seed=4, client=cluster)


def test_same_seed_same_table_whatever_the_workers():
    tables = []
    for workers in (1, 2):
        report = coverage(z_interval, normal_sample, n_reps=60, random_seed=7, n_workers=workers,
                          progress=False)
        tables.append(report.table.drop(columns=list(TIMING_COLUMNS)))
    assert tables[0].equals(tables[1])


def test_grid_runs_every_pair_on_common_data(cluster):
    scenarios = {"n=20": normal_sample, "n=5": lambda rng: normal_sample(rng, n=5)}
    report = coverage_grid({"z": z_interval, "narrow": too_narrow}, scenarios, n_reps=50,
                           random_seed=4, client=cluster)
    assert list(zip(report.table.scenario, report.table.estimator)) == [
        ("n=20", "z"), ("n=20", "narrow"), ("n=5", "z"), ("n=5", "narrow")]
    reps = report.replicates
    truth = reps.pivot_table(index=["scenario", "replicate"], columns="estimator", values="value")
    assert (truth["z"] == truth["narrow"]).all()  # same data sets, same point estimate


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_reps"):
        coverage(z_interval, normal_sample, n_reps=0, random_seed=1)
    with pytest.raises(KeyError, match="unknown"):
        coverage_grid({"z": z_interval}, {"a": normal_sample}, n_reps=5, random_seed=1,
                      pairs=[("b", "z")])


def test_every_registered_scenario_runs_without_failures(cluster):
    from estimators.checking import scenarios

    listed = scenarios.scenarios()
    assert len({s.key for s in listed}) == len(listed)
    report = coverage_grid(**scenarios.grid(listed), n_reps=3, random_seed=5, client=cluster)
    assert report.failures.empty, report.failures[["scenario", "error"]].to_string()
    assert (report.table["replicates"] == 3).all()


def test_the_committed_publication_scale_table_covers_every_scenario():
    """data/calibration/coverage.csv (make calibrate) has every registered scenario with at
    least 200 scored replicates, so a true 95% coverage has a Monte Carlo s.e. of at most
    sqrt(0.95 * 0.05 / 200) = 0.0154; its s.e. column is recomputed from its counts, and
    every assumptions-hold row outside 2 s.e. of 95% is named in coverage.md."""
    import math
    from pathlib import Path

    import pandas as pd

    from estimators.checking import scenarios

    here = Path(__file__).resolve().parents[1] / "data" / "calibration"
    table = pd.read_csv(here / "coverage.csv").set_index("key")
    listed = {s.key: s for s in scenarios.scenarios()}
    assert set(table.index) == set(listed)
    scored = table["replicates"] - table["failures"]
    assert (scored >= 200).all(), scored[scored < 200]
    assert math.sqrt(0.95 * 0.05 / scored.min()) <= 0.016
    se = (table["coverage"] * (1 - table["coverage"]) / scored) ** 0.5
    assert ((se - table["coverage_se"]).abs() < 1e-5).all()
    for key, s in listed.items():
        assert table.at[key, "parameters"] == s.parameters
        assert table.at[key, "assumptions"] == ("hold" if s.assumptions_hold else "broken")
    notes = (here / "coverage.md").read_text()
    far = table[(table["assumptions"] == "hold") & ((table["coverage"] - 0.95).abs() > 2 * (0.95 * 0.05 / scored) ** 0.5)]
    for key in far.index:
        assert key in notes, key
    # Every Bayesian estimator is checked with parameters drawn from its priors and with fixed ones.
    for name in ("incident_model", "proportion_ratio (Bayes)", "pending_allegations", "multi_source"):
        kinds = set(table[table["estimator"] == name]["parameters"])
        assert {"drawn from the priors", "fixed"} <= kinds, (name, kinds)
