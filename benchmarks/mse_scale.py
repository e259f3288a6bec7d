"""latent_class at scale: cost per sweep against lists and records, mixing at 10 lists x 200,000.

Run from the repository root: ``.venv/bin/python benchmarks/mse_scale.py`` (``--quick`` for
fewer sizes, ``--only cost|mixing|tails``); writes ``benchmarks/mse_scale.md``.

Data: three latent classes (``THREE_CLASSES``: weights 0.5, 0.3, 0.2, capture probabilities
cycled over the lists), simulated victim by victim in NumPy and tabulated as the observed
patterns with their counts: the form `latent_class` works on, so that 30 lists never need
the ``2**30`` cells.

* ``cost``: seconds per sweep of one chain (K = 10, the default sampler with its three
  Metropolis steps) for J = 4, 6, 8, 10, 15, 20, 30 lists and n = 5,000 to 1,000,000
  observed victims, and per observed pattern: the sweep should cost O(patterns), whatever n.
* ``mixing``: at 10 lists and about 200,000 observed, 2 chains x 60,000 sweeps (120,000
  iterations, the budget LCMCR was measured on in issue 19): R-hat and ESS of N, for our
  sampler and for the C++ baseline of LCMCR's own sampler (`lcmcr_baseline.py`), same data.
* ``tails``: the 2.5%, 50% and 97.5% quantiles of N on the Kosovo lists and on two 3-class
  tables, each pooled over independent long runs (8 chains x 5,000 draws, thinning 100,
  burn-in 10,000), ours and the C++ baseline's, with the standard error over runs; the
  recorded reference quantiles in ``tests/results/mse_reference.py`` come from here.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
THREE_CLASSES = {"weights": [0.5, 0.3, 0.2],
                 "probabilities": [[0.30, 0.25, 0.35, 0.20, 0.30], [0.12, 0.08, 0.15, 0.10, 0.06],
                                   [0.03, 0.05, 0.02, 0.04, 0.03]]}


def three_class_patterns(J: int, observed: int, random_seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Observed patterns, their counts and the true N: J lists from `THREE_CLASSES`, N chosen
    so that about ``observed`` victims are on some list."""
    rng = np.random.default_rng(random_seed)
    w = np.asarray(THREE_CLASSES["weights"])
    p = np.asarray(THREE_CLASSES["probabilities"])[:, np.arange(J) % 5]
    seen = float(w @ (1 - np.prod(1 - p, axis=1)))
    N = int(round(observed / seen))
    index, counts = [], []
    for start in range(0, N, 200_000):  # in blocks: 1M victims x 30 lists as booleans is 30 MB
        size = min(200_000, N - start)
        z = rng.choice(len(w), size=size, p=w)
        x = rng.random((size, J)) < p[z]
        idx = x.astype(np.int64) @ (np.int64(1) << np.arange(J, dtype=np.int64))
        u, c = np.unique(idx[idx > 0], return_counts=True)
        index.append(u)
        counts.append(c)
    u, where = np.unique(np.concatenate(index), return_inverse=True)
    return u, np.bincount(where, weights=np.concatenate(counts)).astype(np.int64), N


def cost(quick: bool) -> list[str]:
    from estimators.mse.latent_class import sample_latent_class

    sample_latent_class(np.ones(7, int), J=3, patterns=np.arange(1, 8), draws=5, burn=5, thin=1, chains=1,
                        random_seed=0)  # compile
    lists = (4, 10, 20, 30) if quick else (4, 6, 8, 10, 15, 20, 30)
    sizes = (5_000, 50_000) if quick else (5_000, 50_000, 200_000, 1_000_000)
    out = ["| lists | observed | patterns | ms per sweep | µs per pattern-sweep |", "|---:|---:|---:|---:|---:|"]
    for J in lists:
        for n in sizes:
            index, counts, _ = three_class_patterns(J, n, random_seed=J * 1000 + n % 997)
            sweeps = int(min(2000, max(100, 2e7 / (len(index) * 10 * J))))
            res = sample_latent_class(counts, patterns=index, J=J, draws=sweeps // 2, burn=sweeps // 2, thin=1,
                                      chains=1, cores=1, random_seed=1)
            per = float(res["cpu_seconds"]) / sweeps
            row = (f"| {J} | {int(counts.sum()):,} | {len(index):,} | {1e3 * per:.3f} | "
                   f"{1e6 * per / len(index):.2f} |")
            print(row, flush=True)
            out.append(row)
    return out


def mixing(quick: bool) -> list[str]:
    from estimators.mse._common import cells_from_patterns
    from estimators.mse.latent_class import sample_latent_class
    from estimators.posterior import convergence

    sys.path.insert(0, str(Path(__file__).parent))
    from lcmcr_baseline import run_baseline

    J, n = 10, (50_000 if quick else 200_000)
    index, counts, N = three_class_patterns(J, n, random_seed=2026)
    settings = dict(K=10, burn=10_000, draws=500, thin=100, chains=2)  # 2 x 60,000 sweeps
    if quick:
        settings.update(burn=2000, draws=200, thin=50)
    out = [f"10 lists, {int(counts.sum()):,} observed in {len(index):,} patterns (true N {N:,}); "
           f"K = 10, burn-in {settings['burn']:,}, {settings['draws']} draws x thinning {settings['thin']} "
           "x 2 chains.", "", "| sampler | iterations | R-hat | ESS bulk | ESS per 1,000 iterations | median N |",
           "|---|---:|---:|---:|---:|---:|"]
    runs = {"latent_class (default: 3 Metropolis steps per sweep)": lambda s: sample_latent_class(
                counts, patterns=index, J=J, random_seed=s, **settings),
            "latent_class, marginal_moves=0 (LCMCR's sweep)": lambda s: sample_latent_class(
                counts, patterns=index, J=J, random_seed=s, marginal_moves=0, **settings),
            "C++ baseline of LCMCR's sampler": lambda s: run_baseline(
                cells_from_patterns(index, counts, J), random_seed=s, **settings)}
    for label, run in runs.items():
        for seed in (1, 2):
            res = run(seed)
            c = convergence(res["N"])
            it = int(res["iterations"])
            row = (f"| {label} (seed {seed}) | {it:,} | {c['r_hat']:.3f} | {c['ess_bulk']:.0f} | "
                   f"{1000 * c['ess_bulk'] / it:.2f} | {np.median(res['N']):,.0f} |")
            print(row, flush=True)
            out.append(row)
    return out


def _kosovo() -> np.ndarray:
    from estimators.data import read_capture_histories
    from estimators.mse._common import cell_counts

    return cell_counts(read_capture_histories(ROOT / "data" / "kosovo_lists.csv"))[1]


#: The tables whose tail quantiles are recorded (tests/results/mse_reference.py).
def tail_tables() -> dict[str, np.ndarray]:
    from estimators.mse._common import cells_from_patterns

    tables = {"Kosovo 1999 (4 lists)": _kosovo()}
    for J, n, seed in ((4, 3000, 31), (5, 2000, 32)):
        index, counts, N = three_class_patterns(J, n, random_seed=seed)
        tables[f"3 classes, {J} lists, true N {N:,} (seed {seed})"] = cells_from_patterns(index, counts, J)
    return tables


def tails(quick: bool) -> list[str]:
    from estimators.mse.latent_class import sample_latent_class

    sys.path.insert(0, str(Path(__file__).parent))
    from lcmcr_baseline import run_baseline

    runs = 2 if quick else 8
    settings = dict(K=10, burn=10_000, draws=5000, thin=100, chains=8)
    if quick:
        settings.update(draws=500)
    out = [f"Each run: {settings['chains']} chains x {settings['draws']:,} draws, thinning {settings['thin']}, "
           f"burn-in {settings['burn']:,}, K = 10, a_alpha = b_alpha = 0.25; {runs} independent runs; "
           "mean of the runs' quantiles ± its standard error.", "",
           "| data | observed | sampler | 2.5% | 50% | 97.5% |", "|---|---:|---|---:|---:|---:|"]
    for name, cells in tail_tables().items():
        for label, run in (("latent_class", lambda s: sample_latent_class(cells, random_seed=s, **settings)),
                           ("C++ baseline (LCMCR's sampler)", lambda s: run_baseline(cells, random_seed=s,
                                                                                     **settings))):
            # two runs at a time: the C++ chains run one after another in a subprocess
            with ThreadPoolExecutor(max_workers=2 if label.startswith("C++") else 1) as pool:
                draws = list(pool.map(lambda r: run(1000 + r)["N"].astype(float), range(runs)))
            q = np.array([np.quantile(N, [0.025, 0.5, 0.975]) for N in draws])
            mean, se = q.mean(axis=0), q.std(axis=0, ddof=1) / np.sqrt(runs)
            row = (f"| {name} | {int(cells.sum()):,} | {label} | "
                   + " | ".join(f"{m:,.0f} ± {s:.0f}" for m, s in zip(mean, se, strict=True)) + " |")
            print(row, flush=True)
            out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("cost", "mixing", "tails"))
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d")
    sections = {"cost": ("Cost per sweep", cost), "mixing": ("Mixing at 10 lists", mixing),
                "tails": ("Tail quantiles of N", tails)}
    text = [f"# latent_class at scale ({started}, `benchmarks/mse_scale.py`{' --quick' if args.quick else ''})", ""]
    for key, (title, run) in sections.items():
        if args.only in (None, key):
            print(f"\n== {title}", flush=True)
            text += [f"## {title}", "", *run(args.quick), ""]
    if args.only is None and not args.quick:
        (Path(__file__).with_suffix(".md")).write_text("\n".join(text))


if __name__ == "__main__":
    main()
