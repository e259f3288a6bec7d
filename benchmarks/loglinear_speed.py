"""Seconds per `loglinear` call on the Kosovo lists, for each interval, new code against old.

Run from the repository root::

    python benchmarks/loglinear_speed.py            # prints the table
    python benchmarks/loglinear_speed.py --write    # and writes benchmarks/loglinear_speed.md

Each configuration is timed in a fresh interpreter, once as a warm-up and then ``--repeats``
times (the median is reported), for this checkout and for the package as it was at
``--baseline`` (extracted with ``git archive`` into a temporary directory; the default is
the last commit before the batched fits). Both run in the same session, one after the
other, so the ratio new/old is measured on the same machine under the same load. The
estimates and interval ends of the two are compared too (largest relative difference).
R's Rcapture ``closedp.t`` on the same lists took 0.025 s (figure from the issue; R is not
installed here).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

BASELINE = "67cd5ab"  # the commit before identifiability and the batched fits
ROOT = Path(__file__).resolve().parent.parent
KOSOVO = ROOT / "data" / "kosovo_lists.csv"

#: (label, options): what is timed. The first is the model table, the point estimate and
#: the selected model's own profile interval only (the nearest to closedp.t's output).
CONFIGURATIONS = [
    ("table + estimate (profile, profile_within=0)", {"interval": "profile", "profile_within": 0.0}),
    ("profile (every model's interval in details)", {"interval": "profile"}),
    ("full", {"interval": "full"}),
    ("bootstrap (999 tables)", {"interval": "bootstrap", "random_seed": 0}),
    ("calibrated (999 tables)", {"interval": "calibrated", "random_seed": 0}),
    ("auto (default; here calibrated)", {"random_seed": 0}),
]


NOTES = """## Where the time went (cProfile, old code)

* ``interval="profile"`` (1.0-1.1 s): 85% in the 64 profile intervals of ``details``, each a
  scalar Brent maximisation and two ``brentq`` searches over ~50 Newton refits (3,400 in all);
  the 64 statsmodels GLM fits took 0.09 s. Now the 64 intervals run in lockstep (one batched
  refit of every model per step, 20-30 steps: 0.015-0.02 s) and the fits are one batched Newton
  (0.003 s); what is left of the 0.02 s is reading the table and building ``details``.
* The bootstraps (1.6 s): refitting the 64 models in 999 tables, about 5 Newton steps each,
  dominated by the batched 11 x 11 solves (about 1 ms per step per model for 999 tables),
  then the signed roots or the jackknife. Now 0.45 s; the solves are inherent to repeating
  the selection in every table.

## The default interval

Kept: ``"auto"`` is still ``"calibrated"`` here (4 lists, AIC, two-way terms), at 0.46 s. The
module's coverage study (``benchmarks/loglinear_coverage.md``) chose it as the shortest interval
that held its level after selection (93-97% on 4 and 5 lists); ``"full"`` (0.03 s) also held it
(94-97.5%) but is longer, and nothing here measures whether that trade is worth 0.4 s. Fast
calls are ``interval="profile"`` (the selected model's own interval, which ignores the
selection: 78-94%) and ``"full"``; ``interval_method`` says which was computed.

## Sparse tables

The identifiability check adds a linear program (about 2 ms) per model only when the table
has empty cells: about 2 s for the 1,024 two-way models of a sparse 5-list table. In the
bootstrap tables a fit's vanished cells and a null-space certificate decide instead (no linear
program on 199 sparse 5-list tables, where one per model and pattern of empty cells would
have been 6,044).
"""


def child(repeats: int) -> None:
    """Time every configuration in this interpreter; print JSON (seconds and results)."""
    import estimators
    from estimators.mse import loglinear

    kosovo = estimators.read_capture_histories(KOSOVO)
    out = []
    for label, options in CONFIGURATIONS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loglinear(kosovo, **options)  # warm-up: imports, caches
            times = []
            for _ in range(repeats if "999" not in label and "auto" not in label else max(3, repeats // 2)):
                start = time.perf_counter()
                est = loglinear(kosovo, **options)
                times.append(time.perf_counter() - start)
        out.append({"label": label, "seconds": statistics.median(times), "runs": len(times),
                    "value": est.value, "lower": est.lower, "upper": est.upper, "method": est.interval_method})
    print(json.dumps(out))


def run(tree: Path, repeats: int) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, __file__, "--child", "--repeats", str(repeats)], env=env, cwd=tree,
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def baseline_tree(commit: str, into: Path) -> Path:
    archive = into / "baseline.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), commit, "estimators"],
                   check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def relative(a: float, b: float) -> float:
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare with")
    parser.add_argument("--write", action="store_true", help="write benchmarks/loglinear_speed.md")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeats)
        return
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        old = run(baseline_tree(args.baseline, Path(tmp)), args.repeats)
    new = run(ROOT, args.repeats)
    lines = [f"`loglinear` on the Kosovo lists (4 lists, 64 two-way models), seconds per call: median of "
             f"{args.repeats} runs (3 for the bootstraps) after a warm-up, each in a fresh interpreter; "
             f"new = {commit} (working tree), old = {args.baseline}, measured one after the other in the same "
             "session on a 2-core machine shared with other work (expect some 10-20% noise). R's Rcapture "
             "`closedp.t` on the same lists: 0.025 s (from the issue; R is not installed here).",
             "",
             "| call | old s | new s | new / old | largest relative difference of value and ends |",
             "|---|---|---|---|---|"]
    for o, n in zip(old, new):
        diff = max(relative(o[k], n[k]) for k in ("value", "lower", "upper"))
        lines.append(f"| {n['label']} | {o['seconds']:.3f} | {n['seconds']:.3f} | {n['seconds'] / o['seconds']:.3f} "
                     f"| {diff:.1e} |")
    lines += ["", "Intervals computed (new): " + "; ".join(f"{n['label'].split(' ')[0]}: {n['method']}" for n in new)]
    text = "\n".join(lines)
    print(text)
    if args.write:
        (ROOT / "benchmarks" / "loglinear_speed.md").write_text(
            "# Speed of `loglinear`\n\nWritten by `benchmarks/loglinear_speed.py`.\n\n" + text + "\n\n" + NOTES)


if __name__ == "__main__":
    main()
