"""Coverage of intervals on simulated data with known truth, on a Dask cluster.

An interval is only worth publishing if it covers the truth as often as it claims.
`coverage` runs an estimator on many simulated data sets and tabulates how often its
interval contains the true value, with the Monte Carlo error of that proportion.

Protocols (plain callables, so any estimator or simulator can be checked):

- ``simulate(rng) -> (data, truth)``: draws one data set with ``rng``, a
  ``numpy.random.Generator``, and returns it with the true value of the estimand.
- ``estimator(data, *, level, random_seed) -> Estimate``.

Use ``functools.partial`` to fix a simulator's settings or an estimator's options; both
must be importable (module-level) functions so that Dask can ship them to workers.

Reproducibility: replicate *i* draws its data from ``SeedSequence(random_seed).spawn(n)[i]``
and passes the estimator a seed derived from the same child, so a table depends only on
``random_seed``, never on the number of workers or the order in which they finish.
"""

from __future__ import annotations

import math
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from .._checks import check_level
from .._dask import _Cluster

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["coverage", "coverage_grid", "CoverageReport", "CoverageError", "TIMING_COLUMNS"]

#: Columns that measure the machine, not the method: they differ between runs.
#: ``seconds`` is the CPU time of a row's replicates (each measured in its worker, summed).
TIMING_COLUMNS = ("seconds", "replicates_per_second")


def _replicate(index: int, seed: Any, estimator: Callable, simulate: Callable, level: float) -> dict:
    """One simulated data set and its estimate; never raises (errors are recorded)."""
    import numpy as np

    start = time.process_time()  # CPU time of this worker process: replicates run one per process
    record: dict[str, Any] = {"replicate": index, "truth": math.nan, "value": math.nan,
                              "lower": math.nan, "upper": math.nan, "error": None}
    try:
        data, truth = simulate(np.random.default_rng(seed))
        record["truth"] = float(truth)
        est = estimator(data, level=level, random_seed=int(seed.generate_state(1)[0]))
        record.update(value=est.value if est.value is not None else math.nan,
                      lower=est.lower, upper=est.upper)
    except Exception as exc:  # noqa: BLE001 - a failure is a result to report, not to hide
        record["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    record["cpu_seconds"] = time.process_time() - start
    return record


def _summarise(reps: pd.DataFrame, level: float) -> dict[str, Any]:
    ok = reps[reps["error"].isna()]
    seconds = float(reps["cpu_seconds"].sum())
    n = len(ok)
    covered = ((ok["lower"] <= ok["truth"]) & (ok["truth"] <= ok["upper"])).to_numpy()
    p = covered.mean() if n else math.nan
    err = (ok["value"] - ok["truth"]).to_numpy()
    return {
        "level": level,
        "replicates": len(reps),
        "failures": len(reps) - n,
        "coverage": p,
        "coverage_se": math.sqrt(p * (1 - p) / n) if n else math.nan,
        "mean_width": float((ok["upper"] - ok["lower"]).mean()) if n else math.nan,
        "bias": float(err.mean()) if n else math.nan,
        "rmse": float(math.sqrt((err**2).mean())) if n else math.nan,
        "seconds": seconds,
        "replicates_per_second": len(reps) / seconds if seconds > 0 else math.nan,
    }


class CoverageError(RuntimeError):
    """Every replicate of a (scenario, estimator) failed: there is no coverage to report."""


@dataclass(frozen=True)
class CoverageReport:
    """What `coverage` and `coverage_grid` return.

    ``table``: one row per (scenario, estimator): nominal level, empirical coverage with
    its Monte Carlo standard error, mean interval width, bias, RMSE, failures, run time.
    ``replicates``: one row per replicate, with the error message of any that failed.
    ``wall_seconds``: the whole run, start of the first replicate to end of the last.
    """

    table: pd.DataFrame
    replicates: pd.DataFrame
    wall_seconds: float = math.nan

    @property
    def failures(self) -> pd.DataFrame:
        return self.replicates[self.replicates["error"].notna()]

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def __str__(self) -> str:
        shown = self.table.copy()
        shown["coverage"] = [
            f"{c:.1%} ± {se:.1%}" if c == c else "–"
            for c, se in zip(shown["coverage"], shown["coverage_se"], strict=True)
        ]
        return shown.drop(columns=["coverage_se"]).to_string(index=False, float_format=lambda x: f"{x:.4g}")


def _run(jobs: list[tuple[dict, Callable, Callable]], *, n_reps: int, level: float,
         random_seed: int, client: Any, n_workers: int | None, progress: bool | None) -> CoverageReport:
    import numpy as np
    import pandas as pd

    show = sys.stderr.isatty() if progress is None else progress
    # The same children for every job: estimators in a grid see the same data sets,
    # so their coverages are compared on common random numbers.
    seeds = np.random.SeedSequence(random_seed).spawn(n_reps)
    records: list[dict] = []
    with _Cluster(client, n_workers) as dask_client:
        from dask.distributed import as_completed

        futures, owner = [], {}
        started = time.perf_counter()
        for j, (_, estimator, simulate) in enumerate(jobs):
            batch = dask_client.map(_replicate, range(n_reps), seeds, estimator=estimator,
                                    simulate=simulate, level=level, pure=False)
            futures += batch
            owner.update({f.key: j for f in batch})
        bar = None
        if show:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(futures), desc="replicates", file=sys.stderr)
        for future in as_completed(futures):
            j = owner[future.key]
            records.append({"job": j, **future.result()})
            if bar is not None:
                bar.update()
        if bar is not None:
            bar.close()
        wall = time.perf_counter() - started

    reps = pd.DataFrame(records).sort_values(["job", "replicate"], ignore_index=True)
    rows = []
    for j, (labels, _, _) in enumerate(jobs):
        mine = reps[reps["job"] == j]
        if mine["error"].notna().all():  # a table of NaN would hide that the estimator never ran
            raise CoverageError(f"all {len(mine)} replicates of {labels} failed; the first: {mine['error'].iloc[0]}")
        rows.append({**labels, **_summarise(mine, level)})
    labels = pd.DataFrame([labels for labels, _, _ in jobs])
    reps = labels.join(reps.set_index("job"), how="right").reset_index(drop=True)
    return CoverageReport(table=pd.DataFrame(rows), replicates=reps, wall_seconds=wall)


def coverage(
    estimator: Callable,
    simulate: Callable,
    *,
    n_reps: int,
    level: float = 0.95,
    random_seed: int,
    client: Any = None,
    n_workers: int | None = None,
    progress: bool | None = None,
) -> CoverageReport:
    """Empirical coverage of ``estimator``'s intervals on ``n_reps`` simulated data sets.

    Parameters
    ----------
    estimator, simulate
        See the module docstring for their protocols.
    n_reps
        Number of simulated data sets. The Monte Carlo standard error of the coverage is
        ``sqrt(p (1 - p) / n_reps)``: about 1.5 points for 200 replicates at p = 0.95.
    level
        Nominal level passed to the estimator.
    random_seed
        Seeds every replicate's data and estimator (independent ``SeedSequence`` children).
    client
        A ``dask.distributed.Client``, or a scheduler address such as
        ``"tcp://host:8786"``; by default a ``LocalCluster`` with ``n_workers`` processes
        (default: one per core) is started and closed.
    progress
        Show a progress bar (default: when standard error is a terminal).

    Returns
    -------
    CoverageReport
        ``.table`` (one row) and ``.replicates`` (one row per replicate, errors kept).
    """
    _check(n_reps, level)
    job = ({"scenario": _name(simulate), "estimator": _name(estimator)}, estimator, simulate)
    return _run([job], n_reps=n_reps, level=level, random_seed=random_seed, client=client,
                n_workers=n_workers, progress=progress)


def coverage_grid(
    estimators: Mapping[str, Callable],
    scenarios: Mapping[str, Callable],
    *,
    n_reps: int,
    level: float = 0.95,
    random_seed: int,
    client: Any = None,
    n_workers: int | None = None,
    progress: bool | None = None,
    pairs: list[tuple[str, str]] | None = None,
) -> CoverageReport:
    """`coverage` for every (scenario, estimator) pair, in one run on one cluster.

    ``scenarios`` maps a name to a simulator (e.g. the same generator with its
    assumptions broken in different ways); ``pairs`` restricts the grid to the listed
    ``(scenario, estimator)`` combinations. Every pair sees the same ``n_reps`` seeds.
    """
    _check(n_reps, level)
    wanted = pairs or [(s, e) for s in scenarios for e in estimators]
    unknown = [p for p in wanted if p[0] not in scenarios or p[1] not in estimators]
    if unknown:
        raise KeyError(f"unknown (scenario, estimator) pairs: {unknown}")
    jobs = [({"scenario": s, "estimator": e}, estimators[e], scenarios[s]) for s, e in wanted]
    return _run(jobs, n_reps=n_reps, level=level, random_seed=random_seed, client=client,
                n_workers=n_workers, progress=progress)


def _check(n_reps: int, level: float) -> None:
    if not isinstance(n_reps, int) or n_reps < 1:
        raise ValueError(f"n_reps must be a positive whole number, got {n_reps!r}")
    check_level(level)


def _name(fn: Callable) -> str:
    base = getattr(fn, "func", fn)  # functools.partial
    return getattr(base, "__name__", repr(base))
