"""A same-session C++ baseline for latent_class's speed: our own C++17 LCMCR Gibbs sampler.

The issue's speed target is stated against the R package LCMCR's compiled sampler, which
cannot run here (CRAN is out of reach and Debian does not package LCMCR). ``lcmcr_baseline.cpp`` beside this file is our own
implementation (MIT, written from the algorithm) of the same data-augmentation Gibbs
sampler, in the reference's update order, so that speed can be reported as a ratio against
a baseline run in the same session. `run_baseline` compiles it on first use (``g++ -O2
-std=c++17``, R's default optimisation level; ``optimize="native"`` for ``-O3
-march=native``) into ``benchmarks/build/`` (git-ignored) and returns the draws in the
shape `estimators.mse.latent_class.sample_latent_class` returns them. ``rng="gsl"`` builds
it on GSL's random variates, as the reference is built (needs libgsl-dev): on this machine
that is about 1.6 times as fast as the standard library's, and on the Kosovo lists (K = 10,
thinning 100, 6 seeds x 2 chains, November 2026) it ran ~83,000 iterations and ~107
effective draws of N per CPU-second, the reference's stated ~90,000 and ~100: the
fairer stand-in for LCMCR.

Command line: ``.venv/bin/python benchmarks/lcmcr_baseline.py`` times it at the C++
reference's setting (4 lists, ~4,400 observed, K = 10).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).with_name("lcmcr_baseline.cpp")
BUILD = Path(__file__).with_name("build")
FLAGS = {"O2": ["-O2", "-std=c++17"], "native": ["-O3", "-march=native", "-std=c++17"]}
# random variates: the C++ standard library's, or GSL's (the reference's own; libgsl-dev)
RNGS = {"std": ([], []), "gsl": (["-DLCMCR_BASELINE_GSL"], ["-lgsl", "-lgslcblas", "-lm"])}


def compile_baseline(optimize: str = "O2", rng: str = "std") -> Path:
    """The compiled sampler for these flags, built when the source or flags changed."""
    if optimize not in FLAGS:
        raise ValueError(f"optimize must be one of {list(FLAGS)}, got {optimize!r}")
    if rng not in RNGS:
        raise ValueError(f"rng must be one of {list(RNGS)}, got {rng!r}")
    gxx = shutil.which("g++")
    if gxx is None:
        raise RuntimeError("g++ is not installed: the C++ baseline needs a C++17 compiler "
                           "(Debian: apt-get install g++)")
    define, libs = RNGS[rng]
    flags = FLAGS[optimize] + define
    key = hashlib.sha256(SOURCE.read_bytes() + " ".join(flags + libs).encode()).hexdigest()[:12]
    binary = BUILD / f"lcmcr_baseline-{optimize}-{rng}-{key}"
    if not binary.exists():
        BUILD.mkdir(exist_ok=True)
        tmp = binary.with_suffix(".tmp")
        proc = subprocess.run([gxx, *flags, "-o", str(tmp), str(SOURCE), *libs], capture_output=True, text=True)
        if proc.returncode != 0:
            hint = " (rng='gsl' needs GSL's headers: apt-get install libgsl-dev)" if rng == "gsl" else ""
            raise RuntimeError(f"compiling {SOURCE.name} failed{hint}:\n{proc.stderr}")
        tmp.replace(binary)  # atomic: a concurrent caller never runs a half-written file
    return binary


def run_baseline(
    counts: np.ndarray,
    *,
    K: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    burn: int,
    draws: int,
    thin: int,
    chains: int,
    random_seed: int,
    optimize: str = "O2",
    rng: str = "std",
) -> dict[str, np.ndarray]:
    """Run ``chains`` chains of the C++ sampler one after another on the ``2**J`` cell counts.

    Returns ``N`` (chains x draws), ``seconds`` and ``cpu_seconds`` (the sampling loops
    only, summed over chains; process start-up and I/O excluded) and ``iterations``
    (chains x (burn + draws x thin)), as `sample_latent_class` does. ``optimize``: "O2"
    (R's default) or "native" (``-O3 -march=native``); ``rng``: "std" (<random>) or "gsl"
    (the GNU Scientific Library's generators, which the reference calls).
    """
    counts = np.asarray(counts, dtype=np.int64)
    J = int(np.log2(len(counts)))
    if len(counts) != 2**J or J < 1 or (counts < 0).any():
        raise ValueError("counts must be 2**J non-negative integers")
    binary = compile_baseline(optimize, rng)
    seeds = np.random.SeedSequence(int(random_seed)).generate_state(chains, dtype=np.uint64)
    stdin = " ".join(str(int(c)) for c in counts)
    N, seconds, cpu, iterations = [], 0.0, 0.0, 0
    for seed in seeds:
        args = [str(binary), str(int(K)), repr(float(a_alpha)), repr(float(b_alpha)),
                str(int(burn)), str(int(draws)), str(int(thin)), str(int(seed))]
        proc = subprocess.run(args, input=stdin, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{binary.name} failed: {proc.stderr.strip()}")
        N.append(np.array(proc.stdout.split(), dtype=np.int64))
        timing = proc.stderr.split()
        stats = dict(zip(timing[::2], timing[1::2]))
        seconds += float(stats["seconds"])
        cpu += float(stats["cpu_seconds"])
        iterations += int(stats["iterations"])
    return {"N": np.stack(N), "seconds": np.array(seconds), "cpu_seconds": np.array(cpu),
            "iterations": np.array(iterations)}


def reference_setting_counts() -> np.ndarray:
    """The cell counts of "the C++ reference's setting" in ``benchmarks/mse.py``'s `speed`:
    4 lists, two latent classes, N chosen so that about 4,400 are observed (seed 4400)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from mse import two_class_counts

    return two_class_counts(4, 4400, random_seed=4400)


def main() -> None:
    import argparse

    from estimators.posterior import convergence

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimize", choices=list(FLAGS), default="O2")
    parser.add_argument("--rng", choices=list(RNGS), default="std")
    args = parser.parse_args()
    counts = reference_setting_counts()
    try:
        compile_baseline(args.optimize, args.rng)
    except RuntimeError as err:  # `make benchmark` goes on without a compiler
        print(f"C++ baseline skipped: {err}")
        return
    for thin in (100, 10):
        res = run_baseline(counts, K=10, burn=10000, draws=1000, thin=thin, chains=2, random_seed=2,
                           optimize=args.optimize, rng=args.rng)
        cpu = float(res["cpu_seconds"])
        ess = convergence(res["N"])["ess_bulk"]
        print(f"C++ baseline ({args.optimize}, {args.rng}), 4 lists, {int(counts.sum()):,} observed, K = 10, "
              f"thin = {thin}: "
              f"{float(res['iterations']) / cpu:,.0f} iter/cpu-s, ESS of N {ess:,.0f} = {ess / cpu:,.1f} ESS/cpu-s, "
              f"median N {np.median(res['N']):,.0f}")


if __name__ == "__main__":
    main()
