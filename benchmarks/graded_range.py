"""graded_range on 1,000,000 incidents, by belligerent and month.

Target: under one second for the grouping and summing on an already validated table
(validation is timed separately: it is done once, when the data enter). Prints the best
of three runs, checks the result against a plain pandas groupby and reports the ratio to
that groupby's time (best of three, explode + groupby, in the same run). Then loads
Airwars' real Syria record (8,114 rows; target < 0.5 s).
"""

from __future__ import annotations

import sys
import time

import numpy as np


def make_table(n: int = 1_000_000, seed: int = 0):
    import pandas as pd

    from estimators.data import GRADES, read_incidents

    rng = np.random.default_rng(seed)
    names = np.array(["Russia", "Syrian regime", "Russia;Syrian regime", "US-led coalition",
                      "Turkey", "US-led coalition;Turkey"], dtype=object)
    lo = rng.negative_binomial(1, 0.25, n)
    hi = lo + rng.negative_binomial(1, 0.5, n)
    missing = rng.random(n) < 0.02
    days = rng.integers(0, 10 * 365, n)
    frame = pd.DataFrame({
        "incident_id": np.char.add("I", np.arange(n).astype(str)),
        "date": np.datetime64("2014-08-01") + days.astype("timedelta64[D]"),
        "belligerents": names[rng.integers(0, len(names), n)],
        "country": "Syria",
        "grade": np.array(GRADES, dtype=object)[rng.integers(0, 5, n)],
        "deaths_min": pd.array(np.where(missing, pd.NA, lo), dtype="Int64"),
        "deaths_max": pd.array(np.where(missing, pd.NA, hi), dtype="Int64"),
    })
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    start = time.perf_counter()
    table = read_incidents(frame)
    return table, time.perf_counter() - start


def main() -> int:
    from estimators import graded_range

    table, load_seconds = make_table()
    print(f"read_incidents on {len(table):,} rows: {load_seconds:.2f} s (once, when data enter)")
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = graded_range(table, by=("belligerent", "month"))
        times.append(time.perf_counter() - start)
    best = min(times)
    # the same sums by a plain pandas groupby on the exploded table (the baseline)
    baseline = []
    for _ in range(3):
        start = time.perf_counter()
        exploded = table.assign(belligerent=table["belligerents"].str.split(";")).explode("belligerent")
        exploded["month"] = exploded["date"].dt.to_period("M")
        likely = exploded[exploded["grade"].isin(["confirmed", "fair"])]
        expected = likely.groupby(["belligerent", "month"])[["deaths_min", "deaths_max"]].sum()
        baseline.append(time.perf_counter() - start)
    expected.index = expected.index.set_levels(expected.index.levels[1].astype(str), level=1)
    got = result.to_frame().set_index(result.by)
    for (b, m), row in expected.iterrows():
        est = result[(b, m)]
        assert (est.lower, est.upper) == (row.deaths_min, row.deaths_max), (b, m)
    assert len(got) == len(exploded.groupby(["belligerent", "month"]))
    print(f"graded_range(by=('belligerent', 'month')) on {len(table):,} incidents, "
          f"{len(result)} groups: best {best:.3f} s of 3 (target < 1 s); matches pandas groupby, "
          f"which took {min(baseline):.3f} s (ratio {min(baseline) / best:.1f}x)")

    from estimators import load_airwars_syria
    from estimators.datasets import AIRWARS_NOTEBOOK_POLICIES

    loads = []
    for _ in range(3):
        start = time.perf_counter()
        syria = load_airwars_syria(**AIRWARS_NOTEBOOK_POLICIES)
        loads.append(time.perf_counter() - start)
    print(f"load_airwars_syria: {len(syria):,} incidents from {syria.attrs['details']['rows_read']:,} rows, "
          f"best {min(loads):.3f} s of 3 (target < 0.5 s)")
    return 0 if best < 1.0 and min(loads) < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
