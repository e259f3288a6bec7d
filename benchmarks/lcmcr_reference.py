"""The reference implementation, R's LCMCR, run from Python: its posterior of N and its speed.

``run_lcmcr`` runs ``benchmarks/lcmcr_reference.R`` once per chain (one ``Rscript`` each,
one after the other, so each chain has a core to itself) and returns the same keys as
`estimators.mse.latent_class.sample_latent_class`: ``N`` of shape (chains, draws),
``seconds``, ``cpu_seconds``, ``iterations`` (summed over chains), ``cores`` (1), plus the
per-chain timings and seeds and the LCMCR and R versions.

Iterations: LCMCR's ``lcmCR()`` runs 500 warm-up Gibbs sweeps (alpha held fixed) before
``lcmCR_PostSampl(burnin, samples, thinning)`` runs ``burnin`` sweeps and then keeps one
draw every ``thinning`` sweeps, ``samples * thinning`` sweeps in all. ``iterations`` counts
all of them, ``500 + burn + draws * thin`` per chain; ours counts ``burn + draws * thin``.
Times are R's ``system.time`` of ``lcmCR()`` plus ``lcmCR_PostSampl()`` (data expansion,
R start-up and file input/output excluded): ``seconds`` is elapsed, ``cpu_seconds`` user
plus system CPU time.

LCMCR is GPL and is not part of this project: install it into an R library of your own
(``R CMD INSTALL -l <lib> <LCMCR source>``) and set ``LCMCR_LIB=<lib>`` (or ``R_LIBS``).

Run from the repository root: ``.venv/bin/python benchmarks/lcmcr_reference.py`` prints
(1) LCMCR's posterior of N on the Kosovo lists (``data/kosovo_lists.csv``) pooled over
independent runs, (2) ours at the same settings with z-scores of the differences of the
median and the 2.5%/97.5% quantiles (Monte Carlo standard errors of both), and (3) the
same-session speed of both per chain: iterations per CPU- and wall-second and effective
draws of N per CPU-second, and (4) how much the quantiles of short runs (4 chains x 1,000
draws) of each vary between seeds. ``--quick`` for a short run, ``--only`` for one part.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).with_name("lcmcr_reference.R")
ROOT = Path(__file__).resolve().parents[1]
WARMUP = 500  # lcmCR()'s fixed initialisation sweeps (NPLCM_CR_Basic_Freq.cpp, Initializes)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    lib = env.get("LCMCR_LIB")
    if lib:
        env["R_LIBS"] = os.pathsep.join(p for p in (lib, env.get("R_LIBS", "")) if p)
    return env


def check_lcmcr() -> str:
    """Path of ``Rscript``; RuntimeError if R or the LCMCR package is missing."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript not found: install R (e.g. apt-get install r-base-core) to run LCMCR")
    probe = subprocess.run([rscript, "-e", 'quit(status = !requireNamespace("LCMCR", quietly = TRUE))'],
                           env=_environment(), capture_output=True, text=True)
    if probe.returncode != 0:
        raise RuntimeError("the R package LCMCR is not installed where R looks: install it with "
                           "R CMD INSTALL -l <lib> <LCMCR source> and set LCMCR_LIB=<lib> (or R_LIBS)")
    return rscript


def run_lcmcr(counts, *, K: int = 10, a_alpha: float = 0.25, b_alpha: float = 0.25, burn: int, draws: int,
              thin: int, chains: int, random_seed: int) -> dict:
    """LCMCR's posterior draws of N on the ``2**J`` cell counts (cell ``i`` has list ``j``
    when bit ``j`` of ``i`` is set; cell 0 ignored). Chain ``c`` uses LCMCR seed
    ``random_seed + c``."""
    import pandas as pd

    from estimators.mse._common import patterns

    rscript = check_lcmcr()
    counts = np.asarray(counts, dtype=np.int64)
    J = int(np.log2(len(counts)))
    if 2**J != len(counts) or J < 2:
        raise ValueError("counts must have 2**J entries, J >= 2")
    table = pd.DataFrame(patterns(J)[1:], columns=[f"list{j + 1}" for j in range(J)])
    table["count"] = counts[1:]
    seeds = [int(random_seed) + c for c in range(chains)]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "patterns.csv"
        table[table["count"] > 0].to_csv(data, index=False)
        for seed in seeds:
            out = Path(tmp) / f"draws_{seed}.csv"
            cmd = [rscript, str(SCRIPT), f"--input={data}", f"--output={out}", f"--K={K}",
                   f"--a_alpha={a_alpha}", f"--b_alpha={b_alpha}", f"--burnin={burn}",
                   f"--samples={draws}", f"--thinning={thin}", f"--seed={seed}"]
            done = subprocess.run(cmd, env=_environment(), capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"LCMCR run failed (seed {seed}):\n{done.stderr.strip()}")
            runs.append(pd.read_csv(out))
    first = runs[0].iloc[0]
    elapsed = np.array([r["elapsed_seconds"].iloc[0] for r in runs])
    cpu = np.array([r["user_seconds"].iloc[0] + r["system_seconds"].iloc[0] for r in runs])
    return {
        "N": np.stack([r["N"].to_numpy(dtype=np.int64) for r in runs]),
        "seconds": np.array(elapsed.sum()),
        "cpu_seconds": np.array(cpu.sum()),
        "iterations": np.array(chains * (WARMUP + burn + draws * thin)),
        "cores": np.array(1),
        "chain_seconds": elapsed,
        "chain_cpu_seconds": cpu,
        "chain_user_seconds": np.array([r["user_seconds"].iloc[0] for r in runs]),
        "seeds": seeds,
        "lcmcr_version": str(first["lcmcr_version"]),
        "r_version": str(first["r_version"]),
    }


QUANTILES = (0.025, 0.5, 0.975)


def summary(N) -> dict:
    """Pooled quantiles of N with their Monte Carlo standard errors, R-hat and ESS."""
    import arviz as az

    from estimators.posterior import convergence

    N = np.asarray(N, dtype=float)
    out = dict(convergence(N))
    for q in QUANTILES:
        out[q] = float(np.quantile(N, q))
        out[f"mcse {q}"] = float(az.mcse(N, method="quantile", prob=q))
    return out


def _kosovo_counts() -> np.ndarray:
    from estimators.data import read_capture_histories
    from estimators.mse._common import cell_counts

    return cell_counts(read_capture_histories(ROOT / "data" / "kosovo_lists.csv"))[1]


def _posterior(runs: int, draws: int, seed: int, ours_seed: int) -> None:
    from estimators.data import read_capture_histories
    from estimators.mse import latent_class

    counts = _kosovo_counts()
    settings = dict(K=10, a_alpha=0.25, b_alpha=0.25, burn=10000, thin=100, draws=draws)
    ref = run_lcmcr(counts, chains=runs, random_seed=seed, **settings)
    print(f"LCMCR {ref['lcmcr_version']} (R {ref['r_version']}), Kosovo, {settings}, seeds {ref['seeds']}; "
          f"ours: {runs} chains, random_seed={ours_seed}")
    r = summary(ref["N"])
    est = latent_class(read_capture_histories(ROOT / "data" / "kosovo_lists.csv"), chains=runs, random_seed=ours_seed, cores=1, **settings)
    o = summary(est.idata.posterior["N"].values)
    for name, s in (("LCMCR", r), ("ours", o)):
        print(f"  {name:<6} median {s[0.5]:.0f}  95% {s[0.025]:.0f}-{s[0.975]:.0f}  R-hat {s['r_hat']:.4f}  "
              f"ESS bulk {s['ess_bulk']:.0f} tail {s['ess_tail']:.0f}  "
              f"MCSE {s['mcse 0.025']:.0f}/{s['mcse 0.5']:.0f}/{s['mcse 0.975']:.0f}")
    for q in QUANTILES:
        z = (o[q] - r[q]) / np.hypot(o[f"mcse {q}"], r[f"mcse {q}"])
        print(f"  quantile {q}: ours - LCMCR = {o[q] - r[q]:+.0f}, z = {z:+.2f}")


def _speed(seeds: list[int], draws: int) -> None:
    """Two chains each (LCMCR: seeds s and s + 1, one Rscript after the other; ours: one
    thread), so both ESS are computed the same way; rates per chain and per CPU-second."""
    from estimators.mse.latent_class import sample_latent_class
    from estimators.posterior import convergence

    counts = _kosovo_counts()
    settings = dict(K=10, burn=10000, thin=100, draws=draws)
    sample_latent_class(counts, K=10, burn=10, thin=1, draws=10, chains=1, random_seed=0, cores=1)  # compile
    rows = {"LCMCR": [], "ours": []}
    pooled = {"LCMCR": ([], 0.0), "ours": ([], 0.0)}
    for s in seeds:
        ref = run_lcmcr(counts, chains=2, random_seed=s, **settings)
        ours = sample_latent_class(counts, chains=2, random_seed=s, cores=1, **settings)
        for name, res in (("LCMCR", ref), ("ours", ours)):
            pooled[name][0].append(res["N"])
            pooled[name] = (pooled[name][0], pooled[name][1] + float(res["cpu_seconds"]))
            cpu, wall, it = float(res["cpu_seconds"]), float(res["seconds"]), float(res["iterations"])
            ess = convergence(res["N"])["ess_bulk"]
            rows[name].append((it / cpu, it / wall, ess / cpu, ess / res["N"].shape[0]))
        print(f"  seed {s}: load average {os.getloadavg()[0]:.2f}; "
              + "; ".join(f"{n} {r[-1][0]:,.0f} it/cpu-s, {r[-1][1]:,.0f} it/wall-s, {r[-1][2]:.1f} ESS/cpu-s, "
                          f"ESS per chain {r[-1][3]:.0f}" for n, r in rows.items()))
    med = {n: np.median(np.array(r), axis=0) for n, r in rows.items()}
    for n, m in med.items():
        print(f"  median {n:<6} {m[0]:,.0f} it/cpu-s  {m[1]:,.0f} it/wall-s  {m[2]:.1f} ESS/cpu-s  "
              f"ESS per chain {m[3]:.0f}")
    ratio = med["ours"] / med["LCMCR"]
    print(f"  ours / LCMCR (medians): {ratio[0]:.2f}x it/cpu-s, {ratio[1]:.2f}x it/wall-s, "
          f"{ratio[2]:.2f}x ESS/cpu-s, {ratio[3]:.2f}x ESS per chain")
    # One run's ESS varies several-fold between seeds: the ESS of all chains together over
    # the CPU time of all runs is the steadier rate.
    rate = {}
    for name, (chains, cpu) in pooled.items():
        ess = convergence(np.concatenate(chains))["ess_bulk"]
        rate[name] = ess / cpu
        print(f"  pooled {name:<6} {len(seeds) * 2} chains: ESS {ess:.0f} in {cpu:.1f} CPU-s = {rate[name]:.1f} ESS/cpu-s")
    print(f"  ours / LCMCR (pooled): {rate['ours'] / rate['LCMCR']:.2f}x ESS/cpu-s")


def _short_runs(runs: int) -> None:
    """Spread of the quantiles of N between independent short runs (4 chains x 1,000 draws,
    thinning 100) of each sampler, against the ESS-based Monte Carlo standard error."""
    import arviz as az

    from estimators.mse.latent_class import sample_latent_class

    counts = _kosovo_counts()
    settings = dict(K=10, burn=10000, thin=100, draws=1000, chains=4)
    for name in ("LCMCR", "ours"):
        q, se = [], []
        for s in range(1, runs + 1):
            N = (run_lcmcr(counts, random_seed=1000 + 10 * s, **settings) if name == "LCMCR"
                 else sample_latent_class(counts, random_seed=s, cores=1, **settings))["N"].astype(float)
            q.append(np.quantile(N, QUANTILES))
            se.append([float(az.mcse(N, method="quantile", prob=p)) for p in QUANTILES])
        q, se = np.array(q), np.array(se)
        for i, p in enumerate(QUANTILES):
            print(f"  {name:<6} quantile {p}: mean {q[:, i].mean():.0f}, sd between runs {q[:, i].std(ddof=1):.0f}, "
                  f"median ESS-based MCSE {np.median(se[:, i]):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["posterior", "speed", "short-runs"])
    args = parser.parse_args()
    try:
        check_lcmcr()
    except RuntimeError as err:  # `make benchmark` runs every script: skip, do not fail
        print(f"skipped: {err}")
        return
    if args.only in (None, "posterior"):
        print("Posterior of N on the Kosovo lists, K = 10, burn-in 10,000, thinning 100")
        _posterior(runs=2 if args.quick else 8, draws=200 if args.quick else 5000, seed=1, ours_seed=2026)
    if args.only in (None, "speed"):
        print("Speed per chain on the Kosovo lists, K = 10, burn-in 10,000, thinning 100 (one core each)")
        _speed([101, 201] if args.quick else [101, 201, 301, 401], draws=200 if args.quick else 1000)
    if args.only in (None, "short-runs"):
        print("Quantiles of N between independent short runs (4 chains x 1,000 draws, thinning 100)")
        _short_runs(3 if args.quick else 20)


if __name__ == "__main__":
    main()
