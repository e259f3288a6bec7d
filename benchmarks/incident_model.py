"""incident_model: speed on 10,000 incidents, and coverage of its 95% credible intervals
on tables drawn from its own generative model (estimators.simulate.incidents).

    python benchmarks/incident_model.py                 # speed + 500-table coverage study
    python benchmarks/incident_model.py --replicates 200 --skip-speed

Targets: 10,000 incidents in under 60 s (one fit with the default four-setting prior
sensitivity table) on this 2-core machine; coverage of the nominal 95% interval between
93% and 97%. With R replicates the Monte Carlo standard error of a true 95% coverage is
sqrt(0.95 * 0.05 / R): 1.5 points at R = 200, 0.97 at R = 500.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def coverage_study(replicates: int, *, n: int = 150, seed: int = 20260, chains: int = 4,
                   draws: int = 500, tune: int = 200, verbose: bool = True) -> dict[str, float]:
    """Fraction of simulated tables whose 95% interval holds the true total."""
    from estimators.checking import simulate
    from estimators.incidents import incident_model

    hits, widths, start = 0, [], time.perf_counter()
    below = above = 0
    seeds = np.random.SeedSequence(seed).generate_state(replicates)
    for r, s in enumerate(seeds):
        sim = simulate.incidents(n, p_assessed=0.5, random_seed=int(s))
        est = incident_model(sim.table, belligerent=sim.belligerent, sensitivity=(), chains=chains,
                             draws=draws, tune=tune, random_seed=int(s) + 1)
        hit = est.lower <= sim.true_total <= est.upper
        hits += hit
        below += sim.true_total < est.lower
        above += sim.true_total > est.upper
        widths.append(est.upper - est.lower)
        if verbose and (r + 1) % 50 == 0:
            print(f"  {r + 1:4d} tables: coverage {hits / (r + 1):.3f}", flush=True)
    cov = hits / replicates
    se = (0.95 * 0.05 / replicates) ** 0.5
    return {"replicates": replicates, "coverage": cov, "mc_se": se, "truth_below": below / replicates,
            "truth_above": above / replicates, "median_width": float(np.median(widths)),
            "seconds": time.perf_counter() - start}


def speed(n: int = 10_000, seed: int = 7) -> float:
    from estimators.checking import simulate
    from estimators.incidents import incident_model

    sim = simulate.incidents(n, p_assessed=0.3, random_seed=seed)
    incident_model(sim.table.head(50), belligerent=sim.belligerent, sensitivity=(), draws=50,
                   tune=10, random_seed=0)  # warm up imports (ArviZ) outside the timing
    start = time.perf_counter()
    est = incident_model(sim.table, belligerent=sim.belligerent, random_seed=seed)
    seconds = time.perf_counter() - start
    print(f"incident_model on {n:,} incidents (4 chains x 2,000 draws, 4 prior settings): "
          f"{seconds:.1f} s (target < 60 s); {est}; truth {sim.true_total:,}")
    return seconds


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicates", type=int, default=500)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-coverage", action="store_true")
    args = parser.parse_args()
    ok = True
    if not args.skip_speed:
        ok &= speed() < 60
    if not args.skip_coverage:
        res = coverage_study(args.replicates)
        print(f"coverage of 95% intervals on {res['replicates']} simulated tables: "
              f"{100 * res['coverage']:.1f}% (MC s.e. {100 * res['mc_se']:.1f} points; "
              f"truth below {100 * res['truth_below']:.1f}%, above {100 * res['truth_above']:.1f}%; "
              f"median width {res['median_width']:.0f}; {res['seconds']:.0f} s)")
        ok &= 0.93 <= res["coverage"] <= 0.97
    sys.exit(0 if ok else 1)
