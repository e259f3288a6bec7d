"""Calibration at publication scale: every scenario of `estimators.checking.scenarios`,
under the estimators' own assumptions and under broken ones, with 200 replicates each
(Monte Carlo s.e. of a true 95% coverage: sqrt(0.95 * 0.05 / 200) = 0.0154).

Writes ``data/calibration/coverage.csv`` (one row per scenario), ``coverage.md`` beside it
(provenance: date, commit, seed, replicates, wall time) and ``figures/06_calibration_full``
(.png, .svg), which notebook 06 reads. `make calibrate` runs it. Replicate r of every
scenario draws from child r of ``SeedSequence(RANDOM_SEED)``, so the table depends on the
seed only, not on the number of workers.

Usage: python benchmarks/calibrate.py [--reps 200] [--workers 2] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RANDOM_SEED = 2026
TABLE = ROOT / "data" / "calibration" / "coverage.csv"


def run(reps: int, workers: int, only: str | None = None):
    from estimators.checking import calibration, scenarios

    listed = [s for s in scenarios.scenarios() if only is None or only in s.key]
    report = calibration.coverage_grid(**scenarios.grid(listed), n_reps=reps, level=0.95, random_seed=RANDOM_SEED,
                                       n_workers=workers, progress=False)
    by_key = {s.key: s for s in listed}
    table = report.table.rename(columns={"scenario": "key"})
    table["estimator"] = [by_key[k].estimator for k in table["key"]]
    table["world"] = [by_key[k].name for k in table["key"]]
    table["assumptions"] = ["hold" if by_key[k].assumptions_hold else "broken" for k in table["key"]]
    table["parameters"] = [by_key[k].parameters for k in table["key"]]
    table["note"] = [by_key[k].note for k in table["key"]]
    table["within_2_se_of_nominal"] = [
        bool(abs(c - 0.95) <= 2 * math.sqrt(0.95 * 0.05 / max(r - f, 1)))
        for c, r, f in zip(table["coverage"], table["replicates"], table["failures"], strict=True)]
    columns = ["key", "estimator", "world", "assumptions", "parameters", "replicates", "failures", "coverage",
               "coverage_se", "within_2_se_of_nominal", "mean_width", "bias", "rmse", "seconds", "note"]
    return table[columns], report


def figure(table, path: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from estimators.plots import FIGSIZE, coverage_dots, save_figure, use_house_style

    use_house_style()
    shown = table.assign(scenario=table["key"])
    fig, ax = plt.subplots(figsize=(FIGSIZE[0] * 1.2, 0.3 * len(shown) + 1.4))
    reps = f"{int(shown['replicates'].min())}–{int(shown['replicates'].max())} replicates each"
    coverage_dots(ax, shown, replicates=reps)
    fig.tight_layout()
    out = save_figure(fig, path, source="simulated data with known truth (estimators.checking.scenarios); "
                                        "benchmarks/calibrate.py")
    plt.close(fig)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default=None, help="run only scenarios whose key contains this (not written)")
    args = parser.parse_args()
    start = time.perf_counter()
    table, report = run(args.reps, args.workers, args.only)
    wall = time.perf_counter() - start
    print(table.drop(columns=["note"]).to_string(index=False, float_format=lambda x: f"{x:.4g}"), flush=True)
    if len(report.failures):
        print(report.failures[["scenario", "replicate", "error"]].to_string(index=False))
    if args.only is not None:
        return
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(TABLE, index=False, float_format="%.6g")
    figure(table, ROOT / "figures" / "06_calibration_full")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    import estimators

    misses = table[(table["assumptions"] == "hold") & ~table["within_2_se_of_nominal"]]
    lines = [
        "# Calibration at publication scale", "",
        f"`benchmarks/calibrate.py --reps {args.reps} --workers {args.workers}`, run {time.strftime('%Y-%m-%d')} "
        f"on commit {commit} (estimators {estimators.__version__}), seed {RANDOM_SEED}; "
        f"{len(table)} scenarios, wall time {wall / 60:.0f} min on a shared 2-core machine.", "",
        "Columns of `coverage.csv`: `assumptions` says whether the simulated world satisfies the estimator's "
        "model; `parameters` whether each replicate's parameters are drawn from the estimator's own priors "
        "(where a correct posterior covers at the nominal rate on average) or fixed (frequentist coverage); "
        "`within_2_se_of_nominal` whether the coverage lies within two Monte Carlo s.e. of 0.95; "
        "`seconds` is CPU time summed over replicates.", "",
        "Assumptions-hold rows outside 2 s.e. of 95% (findings, not hidden):", "",
        *([f"- {r.key}: {r.coverage:.3f} ± {r.coverage_se:.3f} ({r.parameters})" for r in misses.itertuples()]
          or ["- none"]), "",
    ]
    (TABLE.parent / "coverage.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
