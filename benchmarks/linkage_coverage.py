"""Does the linkage-aware interval cover the true N where the fixed-threshold one does not?

Simulated truth (`estimators.simulate.named_lists`): N = 1,000 victims in households, three
independent lists (capture 0.5, 0.4, 0.3), 30% corruption, list C extracted from PDF.
Each replicate links the lists with `link_lists` and estimates N with the independence
log-linear model (the true model for these lists): on the clustering at match probability
0.5 (links taken as certain); pooled over 20 drawn clusterings (Rubin's rules), drawn
link by link ("edges", the default) or from the pairwise-odds partition model; and, for
reference, on the true links (oracle). Every estimator sees the same simulated lists in
every replicate (same seeds).

Writes benchmarks/linkage_coverage.md and .csv (which notebook 07 reads). Run: .venv/bin/python benchmarks/linkage_coverage.py [reps]
(200 replicates: about 12 minutes on 2 cores).
"""

import sys
from pathlib import Path

import pandas as pd

from estimators.checking import calibration, scenarios

HERE = Path(__file__).resolve().parent


def main(reps: int = 200) -> None:
    rows = []
    for s in scenarios.scenarios():
        if s.name != "corrupted named lists, households":
            continue
        report = calibration.coverage(s.estimate, s.simulate, n_reps=reps, random_seed=2026, progress=False)
        row = report.table.iloc[0].to_dict()
        row["estimator"] = s.estimator
        rows.append(row)
        print(s.estimator, row)
    lines = ["# Linkage-aware MSE: coverage on simulated named lists", "",
             " ".join(__doc__.split("\n\n")[1].split()), "",
             f"{reps} replicates, seed 2026, nominal 95%. Written by benchmarks/linkage_coverage.py.", "",
             "| estimator | coverage | MC s.e. | bias (mean estimate - N) | RMSE | mean width | failures |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['estimator']} | {r['coverage']:.3f} | {r['coverage_se']:.3f} | {r['bias']:+.1f} | "
                     f"{r['rmse']:.1f} | {r['mean_width']:.0f} | {int(r['failures'])} |")
    (HERE / "linkage_coverage.md").write_text("\n".join(lines) + "\n")
    table = pd.DataFrame(rows).drop(columns=list(calibration.TIMING_COLUMNS) + ["scenario"])
    table.insert(0, "estimator", table.pop("estimator"))
    table.round(6).to_csv(HERE / "linkage_coverage.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
