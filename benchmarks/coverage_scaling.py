"""Replicates per second of a coverage study with 1 and 2 local Dask workers.

Parallel efficiency = (rate with k workers) / (k x rate with 1 worker). The workload is
200 replicates of one calibration scenario (default: the incident model on its own
generative model, ~0.5 s per replicate), so that scheduling overhead is small against
the work. Cluster start-up is excluded: the clock runs from the first submitted replicate
to the last result. Both runs use the same seed, and the script checks that their
coverage tables are identical.

    python benchmarks/coverage_scaling.py [--reps 200] [--scenario "incident_model | own generative model"]

To use a multi-machine cluster instead, start `dask scheduler` on one host and
`dask worker tcp://HOST:8786 --nthreads 1` on each machine (each with this package
installed), then run `estimators coverage --estimator NAME --reps N --scheduler tcp://HOST:8786`.
"""

import argparse
import sys

from estimators.checking import calibration, scenarios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--scenario", default="incident_model | own generative model")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    chosen = [s for s in scenarios.scenarios() if s.key == args.scenario]
    if not chosen:
        sys.exit(f"no scenario {args.scenario!r}; see `estimators coverage --list`")
    rates, tables = {}, {}
    for workers in (1, 2):
        report = calibration.coverage_grid(**scenarios.grid(chosen), n_reps=args.reps,
                                           random_seed=args.seed, n_workers=workers, progress=False)
        rates[workers] = args.reps / report.wall_seconds
        tables[workers] = report.table.drop(columns=list(calibration.TIMING_COLUMNS))
        print(f"{workers} worker(s): {args.reps} replicates in {report.wall_seconds:6.1f} s "
              f"= {rates[workers]:6.2f} replicates/s; coverage {report.table.coverage.iloc[0]:.3f}")
    efficiency = rates[2] / (2 * rates[1])
    same = tables[1].equals(tables[2])
    print(f"speed-up 1 -> 2 workers: {rates[2] / rates[1]:.2f}x; parallel efficiency {efficiency:.0%} "
          f"(target >= 80%); identical tables: {same}")
    return 0 if same and efficiency >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(main())
