"""Stratified multiple systems estimation: MSE within strata, posterior draws summed.

Why stratify
------------
Capture–recapture reads the unseen from the overlaps between lists. When the chance of
being recorded differs between groups of victims (a city that every monitor covers and a
countryside that one local group does; a year when a source was active and one when it
was not; men and women, adults and children), the pooled lists mix populations with
different capture probabilities and different list dependences. The overlaps are then
dominated by the well-documented group, its completeness is attributed to everyone, and
the pooled estimate is biased, usually down. Stratifying on the variables that drive
capture (time, place, sex, age group...) and estimating within each stratum removes the
heterogeneity *between* strata; what is left is the heterogeneity within them, which the
estimator must model (`latent_class` does, with its latent classes). This is how HRDAG's
analysts run MSE (Lum, Price & Banks 2013, "Applications of multiple systems estimation in
human rights research", The American Statistician 67(4); the Peru, Guatemala, Kosovo and
Syria analyses).

Model
-----
The strata ``s = 1..S`` are the distinct values of the ``by`` columns among the records.
Within stratum ``s`` the estimator's model gives a posterior ``p(N_s | x_s)`` from that
stratum's capture histories alone. Assumptions: the strata are independent (separate
parameters, nothing shared) and each is a closed population; within each stratum, the
estimator's own assumptions hold. Then the posterior of the total ``N = sum_s N_s`` is the
convolution of the strata's posteriors, and the sum of one independent draw from each
stratum is a draw from it: draw ``i`` of every stratum (chains flattened in the same
order) is paired with draw ``i`` of every other, which is valid because the strata's
chains are independent. The interval is the equal-tailed ``level`` posterior credible
interval of that sum, the value its median (not the sum of the strata's medians).
A stratum with no records at all is not a stratum here: victims in strata that no list
reached are not estimated (as in any MSE, the uncatchable are not counted).

Only estimators that keep posterior draws of N (``idata.posterior["N"]``) can be summed
this way: `latent_class`. ``chapman``, ``loglinear``, ``mth`` and ``graph_average`` give
an estimate and an interval, not draws, and are refused (summing their intervals is not
principled without their sampling distributions). Any callable with the protocol
``estimator(histories, *, random_seed, level, **options) -> Estimate`` keeping draws of N
can be passed.

Checks and the merge rule
-------------------------
Before anything is fitted, every stratum must have: at least ``min_records`` records;
records on every list (a list with no record in a stratum says nothing there); at least
as many lists with records as the estimator needs (3 for latent_class and graph_average,
2 for the others); some overlap (at least one record on two or more lists: without a
recapture there is nothing to estimate from). With ``merge="refuse"`` (default) a failing
stratum raises a ValueError naming every failing stratum and its failed checks.
With ``merge="neighbour"``: within each combination of the other ``by`` columns, strata
are ordered by the last ``by`` column (e.g. year); the failing stratum with the fewest
records (the first in that order among equals) is merged with its neighbour in the order
(the one before or after it) that has fewer records (the one before among equals), and
this is repeated until every stratum passes. A stratum alone in its combination has no
neighbour and raises. Every merge is reported, in ``diagnostics["merges"]`` and in the
``merged_from`` column of ``details``.
``empty_lists="drop"`` (HRDAG's practice) instead drops, within a stratum, the lists with
no record there, before the other checks; each drop is reported in
``diagnostics["dropped_lists"]`` and in ``details``.

Imputations
-----------
A list of tables is taken as multiply imputed versions of the data (e.g. imputations of a
missing sex or age group, which decide the stratum). Each is stratified, checked, merged
and estimated on its own; the draws of the total are pooled with equal weight across
imputations (the posterior averaged over the imputations, as `linked` pools clusterings).
``diagnostics["imputations"]`` has each imputation's estimate and the within- and
between-imputation variances of the total.

Seeds, cache, where it runs
---------------------------
Stratum seeds come from ``random_seed``, the imputation's index and the stratum's key
(its ``by`` values, or those of every stratum merged into it) through a sha256 hash and
``numpy.random.SeedSequence``: adding a stratum or an imputation does not change the
others' draws. With ``cache`` a directory, each stratum's draws of N are stored there
(``<key>.npy`` and a JSON summary) under the sha256 of its pattern table, the estimator,
its options, the seed and the package version, and loaded on the next call with the same
inputs (the key does not see edits to an estimator's code: clear the directory then).
The cache is read and written by the calling process only. Strata run on Dask (see the
``client`` parameter); the draws do not depend on where they ran.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..result import Estimate
from .latent_class import latent_class

__all__ = ["stratified", "MERGE_RULES", "EMPTY_LIST_RULES"]

MERGE_RULES = ("refuse", "neighbour")
EMPTY_LIST_RULES = ("refuse", "drop")

#: Lists (with records) each estimator needs; a callable not named here needs 2.
_MIN_LISTS = {"latent_class": 3, "graph_average": 3, "chapman": 2, "loglinear": 2, "mth": 2}
#: The package's estimators that keep no posterior draws of N.
_WITHOUT_DRAWS = ("chapman", "loglinear", "mth", "graph_average")
_COUNT = "count"


# -- strata -------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value  # numpy scalar -> Python


@dataclass
class _Stratum:
    """One stratum of one imputation: its key, the strata merged into it, its 2^J counts."""

    by: list[str]
    members: list[tuple]  # the original strata's keys, in sort order
    counts: np.ndarray  # 2**J cells over all lists, cell 0 unused

    @property
    def records(self) -> int:
        return int(self.counts.sum())

    @property
    def values(self) -> list[Any]:
        """The ``by`` values; a merged column shows its members' values joined by '+'."""
        out = []
        for i in range(len(self.by)):
            vals = list(dict.fromkeys(k[i] for k in self.members))
            out.append(vals[0] if len(vals) == 1 else "+".join(str(v) for v in vals))
        return out

    @property
    def label(self) -> str:
        return ", ".join(f"{c}={v}" for c, v in zip(self.by, self.values, strict=True))


def _key_label(by: list[str], key: tuple) -> str:
    return ", ".join(f"{c}={v}" for c, v in zip(by, key, strict=True))


def _imputations(histories: Any) -> list[Any]:
    import pandas as pd

    if isinstance(histories, pd.DataFrame):
        return [histories]
    if isinstance(histories, list | tuple):
        if not histories:
            raise ValueError("histories is an empty list: give a table, or a list of imputed tables")
        for m, t in enumerate(histories):
            if not isinstance(t, pd.DataFrame):
                raise TypeError(f"imputation {m + 1}: expected a DataFrame, got {type(t).__name__}")
        return list(histories)
    if isinstance(histories, str | os.PathLike):
        raise TypeError(f"stratified takes a table, not a file name: read {str(histories)!r} with "
                        "pandas.read_csv(path, dtype=str) and pass the frame (every cell is then checked)")
    raise TypeError(f"histories must be a DataFrame or a list of DataFrames (imputations), "
                    f"got {type(histories).__name__}")


def _split(frame: Any, by: list[str], lists: list[str], id_column: str | None, source: str) -> list[_Stratum]:
    """The strata of one table, in sort order, each read by `read_capture_histories`."""
    from ..data import DataValidationError, read_capture_histories
    from ..data.tables import _empty_mask, _Table

    frame = frame.reset_index(drop=True)
    table = _Table(frame, name=source)
    for col in by:
        table.fail_where(_empty_mask(frame[col]), col,
                         "a stratum value (a record without one belongs to no stratum: impute it, "
                         "passing several imputed tables, or give it an explicit value such as 'unknown')")
    if id_column is not None:
        ids = frame[id_column]
        table.fail_where(ids.duplicated() & ids.notna(), id_column,
                         "a value not used in an earlier row (each victim in one row, hence one stratum)")
    keep = lists + ([_COUNT] if _COUNT in frame.columns else []) + ([id_column] if id_column else [])
    try:
        groups = list(frame.groupby(by, sort=True))
    except TypeError as exc:
        raise ValueError(f"{source}: the stratum columns {by} mix values that cannot be ordered "
                         f"(e.g. numbers and text in one column): {exc}") from None
    strata = []
    for key, sub in groups:
        key = tuple(_plain(v) for v in key)
        where = f"{source}, stratum {_key_label(by, key)}"
        try:
            pattern = read_capture_histories(sub[keep], name=where, id_column=id_column)
        except DataValidationError as exc:
            row = None if exc.row is None else int(sub.index[exc.row - 1]) + 1  # the row of the whole table
            raise DataValidationError(source=where, row=row, column=exc.column, value=exc.value,
                                      expected=exc.expected) from None
        counts = np.zeros(2 ** len(lists), dtype=np.int64)
        counts[1:] = pattern["count"].to_numpy(dtype=np.int64)
        strata.append(_Stratum(by=by, members=[key], counts=counts))
    return strata


def _lists_kept(counts: np.ndarray, lists: list[str], empty_lists: str) -> tuple[list[int], list[str]]:
    from ._common import patterns

    on_list = (patterns(len(lists)) * counts[:, None]).sum(axis=0)
    empty = [lists[j] for j in range(len(lists)) if on_list[j] == 0]
    kept = [j for j in range(len(lists)) if on_list[j] > 0 or empty_lists == "refuse"]
    return kept, empty


def _failures(s: _Stratum, lists: list[str], *, min_records: int, min_lists: int, name: str,
              empty_lists: str) -> list[str]:
    """The checks a stratum fails, in words (empty if it passes)."""
    from ._common import patterns

    failed = []
    if s.records < min_records:
        failed.append(f"{s.records} records, fewer than min_records={min_records}")
    _, empty = _lists_kept(s.counts, lists, empty_lists)
    if empty and empty_lists == "refuse":
        failed.append(f"no record on list(s) {empty} (empty_lists='drop' drops such lists within the stratum)")
    with_records = len(lists) - len(empty)
    if with_records < min_lists:
        failed.append(f"{with_records} list(s) with records, fewer than the {min_lists} {name} needs")
    on_two = patterns(len(lists)).sum(axis=1) >= 2
    if s.counts[on_two].sum() == 0:
        failed.append("no record on two or more lists (no recapture: the overlaps are what MSE estimates from)")
    return failed


def _merge(strata: list[_Stratum], check: Callable[[_Stratum], list[str]], merge: str,
           source: str) -> tuple[list[_Stratum], list[dict]]:
    """Apply the merge rule (module docstring) to the strata of one table."""
    failing = [(s, f) for s in strata if (f := check(s))]
    if not failing:
        return strata, []
    if merge == "refuse":
        lines = "; ".join(f"stratum {s.label}: {', '.join(f)}" for s, f in failing)
        raise ValueError(f"{source}: {len(failing)} of {len(strata)} strata fail the checks: {lines}. "
                         "Coarsen `by`, or pass merge='neighbour' to merge each with a neighbouring stratum")
    groups: dict[tuple, list[_Stratum]] = {}
    for s in strata:  # already in sort order: within a group, by the last `by` column
        groups.setdefault(s.members[0][:-1], []).append(s)
    out, merges = [], []
    for group in groups.values():
        while failed := [(i, f) for i, s in enumerate(group) if (f := check(s))]:
            i, why = min(failed, key=lambda t: (group[t[0]].records, t[0]))
            if len(group) == 1:
                others = ", ".join(f"{c}={v}" for c, v in zip(group[0].by[:-1], group[0].values[:-1], strict=True))
                raise ValueError(f"{source}: stratum {group[0].label} fails the checks ({', '.join(why)}) and has no "
                                 f"neighbour to merge with (it is the only stratum"
                                 f"{' with ' + others if others else ''}): coarsen `by`")
            j = min((j for j in (i - 1, i + 1) if 0 <= j < len(group)), key=lambda j: (group[j].records, j))
            a, b = sorted((i, j))
            merged = _Stratum(by=group[a].by, members=group[a].members + group[b].members,
                              counts=group[a].counts + group[b].counts)
            merges.append({"into": merged.label, "merged": [group[a].label, group[b].label],
                           "because": f"stratum {group[i].label}: {', '.join(why)}"})
            group[a:b + 1] = [merged]
        out += group
    return out, merges


def _pattern_table(counts: np.ndarray, lists: list[str], kept: list[int]) -> Any:
    """The stratum's pattern table on the kept lists (the dropped ones have no record)."""
    import pandas as pd

    from ..data import read_capture_histories
    from ._common import patterns

    X = patterns(len(lists))
    dropped = [j for j in range(len(lists)) if j not in kept]
    assert counts[X[:, dropped].sum(axis=1) > 0].sum() == 0 if dropped else True  # dropped lists are empty
    cells = (X[:, dropped] == 0).all(axis=1) if dropped else np.ones(len(X), bool)
    index = X[cells][:, kept] @ (1 << np.arange(len(kept)))
    sub = np.zeros(2 ** len(kept), dtype=np.int64)
    sub[index] = counts[cells]
    frame = pd.DataFrame(patterns(len(kept))[1:], columns=[lists[j] for j in kept])
    frame[_COUNT] = sub[1:]
    return read_capture_histories(frame)


# -- seeds, cache, fitting ----------------------------------------------------------------

def _stratum_seed(random_seed: int, imputation: int, s: _Stratum) -> int:
    key = json.dumps([imputation, [[[c, v] for c, v in zip(s.by, k, strict=True)] for k in s.members]],
                     default=str)
    words = np.frombuffer(hashlib.sha256(key.encode()).digest(), dtype=np.uint32)
    state = np.random.SeedSequence([random_seed, *words.tolist()]).generate_state(1, np.uint64)[0]
    return int(state) >> 1  # 63 bits: an int64 in tables and JSON


def _estimator_identity(estimator: Callable) -> tuple[str, str]:
    """(name, a text that names the estimator and any arguments a partial fixed)."""
    base, fixed = estimator, ""
    if hasattr(base, "func"):  # functools.partial
        fixed = json.dumps([list(base.args), dict(base.keywords)], sort_keys=True, default=repr)
        base = base.func
    base = getattr(base, "__wrapped__", base)
    name = getattr(base, "__name__", type(base).__name__)
    return name, f"{getattr(base, '__module__', '?')}.{getattr(base, '__qualname__', name)}{fixed}"


def _canonical(value: Any) -> Any:
    """An option as JSON can hold it; an array by its bytes (its repr elides the middle)."""
    if isinstance(value, np.ndarray):
        return {"array": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
                "dtype": str(value.dtype), "shape": list(value.shape)}
    return repr(value)


def _cache_key(table: Any, identity: str, options: dict, seed: int) -> str:
    from .. import __version__

    text = json.dumps({"table": table.to_csv(index=False), "estimator": identity, "seed": seed,
                       "options": json.dumps(options, sort_keys=True, default=_canonical), "version": __version__},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _load(cache: Path | None, key: str) -> dict | None:
    if cache is None or not (cache / f"{key}.json").exists():
        return None
    try:
        summary = json.loads((cache / f"{key}.json").read_text())
        summary["draws"] = np.load(cache / f"{key}.npy")
    except (OSError, ValueError):  # a half-written or damaged entry: fitted again and rewritten
        return None
    return summary


def _store(cache: Path, key: str, result: dict, label: str, level: float) -> None:
    import tempfile

    def write(suffix: str, save: Callable[[Any], None]) -> None:  # atomic: never a half-written entry
        fd, tmp = tempfile.mkstemp(dir=cache, suffix=suffix)
        with os.fdopen(fd, "wb") as f:
            save(f)
        os.replace(tmp, cache / f"{key}{suffix}")

    draws = result["draws"]
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    summary = {k: v for k, v in result.items() if k != "draws"}
    summary.update(stratum=label, value=float(np.median(draws)), lower=float(lo), upper=float(hi), level=level)
    write(".npy", lambda f: np.save(f, draws))
    write(".json", lambda f: f.write(json.dumps(summary, indent=1, default=float).encode()))  # last: the commit


def _fit(table: Any, estimator: Callable, seed: int, level: float, options: dict) -> dict:
    """Run the estimator on one stratum (in this process or on a Dask worker)."""
    from ..posterior import convergence
    from .linked import _posterior_N

    est = estimator(table, random_seed=seed, level=level, **options)
    draws = _posterior_N(est, flat=False) if isinstance(est, Estimate) else None
    if draws is None:
        name = _estimator_identity(estimator)[0]
        raise ValueError(f"{name} returned no posterior draws of N (idata.posterior['N']): stratified sums "
                         "each stratum's draws; use latent_class or an estimator that keeps them")
    draws = draws if draws.ndim == 2 else draws.reshape(1, -1)
    conv = convergence(draws) if draws.shape[1] >= 4 else {}
    return {"draws": draws, "seed": seed, "method": est.method, "observed": est.observed,
            "r_hat": conv.get("r_hat", float("nan")), "ess_bulk": conv.get("ess_bulk", float("nan")),
            "ess_tail": conv.get("ess_tail", float("nan")), "chains": int(draws.shape[0]),
            "warnings": list(est.diagnostics.get("warnings", []))}


def _run_all(jobs: list[dict], client: Any, n_workers: int | None) -> list[dict]:
    def named(job: dict, exc: Exception) -> Exception:
        if type(exc) in (ValueError, TypeError):  # plain ones only: their message is all they carry
            return type(exc)(f"{job['where']}: {exc}")
        exc.add_note(f"while estimating {job['where']}")
        return exc

    args = [(j["table"], j["estimator"], j["seed"], j["level"], j["options"]) for j in jobs]
    if client is False or (isinstance(client, str) and client == "serial"):
        out = []
        for job, a in zip(jobs, args, strict=True):
            try:
                out.append(_fit(*a))
            except Exception as exc:  # noqa: BLE001 - re-raised with the stratum's name
                raise named(job, exc) from exc
        return out
    from .._dask import _Cluster

    workers = n_workers or min(len(jobs), os.cpu_count() or 1)
    with _Cluster(client, workers) as dask_client:
        futures = [dask_client.submit(_fit, *a, pure=False) for a in args]
        out = []
        for job, future in zip(jobs, futures, strict=True):
            try:
                out.append(future.result())
            except Exception as exc:  # noqa: BLE001 - re-raised with the stratum's name
                raise named(job, exc) from exc
        return out


# -- the estimator ------------------------------------------------------------------------

def _check_arguments(by: Any, min_records: Any, merge: Any, empty_lists: Any, client: Any,
                     n_workers: Any) -> list[str]:
    by = [by] if isinstance(by, str) else list(by) if isinstance(by, Sequence) else None
    if not by or not all(isinstance(c, str) for c in by):
        raise ValueError(f"by must name one stratum column or a list of them, got {by!r}")
    if len(set(by)) != len(by):
        raise ValueError(f"by names a column twice: {by}")
    if isinstance(min_records, bool) or not isinstance(min_records, int) or min_records < 1:
        raise ValueError(f"min_records must be a positive whole number, got {min_records!r}")
    if merge not in MERGE_RULES:
        raise ValueError(f"merge must be one of {MERGE_RULES}, got {merge!r}")
    if empty_lists not in EMPTY_LIST_RULES:
        raise ValueError(f"empty_lists must be one of {EMPTY_LIST_RULES}, got {empty_lists!r}")
    if client is True:
        raise ValueError("client must be None (a LocalCluster), False or 'serial' (in this process), "
                         "a scheduler address or a dask.distributed.Client; got True")
    if n_workers is not None and (isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1):
        raise ValueError(f"n_workers must be a positive whole number or None, got {n_workers!r}")
    return by


def _columns(frames: list[Any], by: list[str], id_column: str | None, name: str, min_lists: int) -> list[str]:
    """The list columns: every column but the strata, ``count`` and the identifier."""
    first = [str(c) for c in frames[0].columns]
    for m, frame in enumerate(frames):
        columns = [str(c) for c in frame.columns]
        where = f"imputation {m + 1}" if len(frames) > 1 else "histories"
        for col in [*by, *([id_column] if id_column else [])]:
            if col not in columns:
                raise ValueError(f"{where}: no column {col!r} (columns: {columns})")
        if set(columns) != set(first):
            raise ValueError(f"{where} has columns {columns}, imputation 1 has {first}: imputations must "
                             "have the same columns")
    if _COUNT in by or (id_column is not None and (id_column in by or id_column == _COUNT)):
        raise ValueError(f"by={by} and id_column={id_column!r} must not name the {_COUNT!r} column or each other")
    lists = [c for c in first if c not in (*by, _COUNT, id_column)]
    if len(lists) < min_lists:
        raise ValueError(f"besides the stratum columns {by}{' and ' + repr(_COUNT) if _COUNT in first else ''}, "
                         f"{len(lists)} list column(s) remain {lists}: {name} needs at least {min_lists}")
    return lists


def stratified(
    histories: Any,
    by: str | Sequence[str],
    *,
    estimator: Callable[..., Estimate] = latent_class,
    random_seed: int,
    min_records: int = 10,
    merge: str = "refuse",
    empty_lists: str = "refuse",
    id_column: str | None = None,
    cache: str | os.PathLike | None = None,
    client: Any = None,
    n_workers: int | None = None,
    level: float = 0.95,
    quantity: str = "total victims",
    **options: Any,
) -> Estimate:
    """Stratified MSE: ``estimator`` within each stratum, the posterior draws of N summed.

    Stratifying on what drives capture (time, place, sex, age) removes the bias that
    pooling unlike strata gives MSE. Assumptions: the strata are independent and each
    closed; within each, the estimator's own. The total's draws are the sums of the
    strata's draws, paired by index; the interval is the equal-tailed ``level`` posterior
    credible interval of that sum, the value its median. The module docstring
    (`estimators.mse.stratified`) gives the model, the checks, the merge rule, the seeds
    and the cache in full.

    Parameters
    ----------
    histories
        One row per victim (a 0/1 column per list, the ``by`` columns, optionally
        ``id_column``), or a pattern table (the list columns, ``count`` and the ``by``
        columns); every other column is a list. Or a list of such tables: imputations.
    by
        The stratum column(s), e.g. ``["region", "year"]``; merges run along the last one.
    estimator
        An estimator that keeps posterior draws of N (`latent_class`, default).
    random_seed
        Seeds every stratum (same seed, same numbers; see the module docstring).
    min_records
        The fewest records a stratum may have (default 10: a floor, not a guarantee; the
        overlaps decide what a stratum can bear, watch its interval in ``details``).
    merge
        ``"refuse"`` (default: a failing stratum raises) or ``"neighbour"``.
    empty_lists
        ``"refuse"`` (default) or ``"drop"``: a list with no record in a stratum is left
        out there (reported).
    cache
        A directory for each stratum's draws, or None.
    client
        ``None``: a Dask ``LocalCluster`` of ``n_workers`` processes (default: one per
        stratum to run, at most one per core), one thread each, started and closed; a
        scheduler address; a ``dask.distributed.Client``, used as given; or ``False`` /
        ``"serial"``: in this process, without Dask. No cluster is started when every
        stratum comes from the cache. A LocalCluster starts worker processes: in a script,
        call this under ``if __name__ == "__main__":``. latent_class runs its chains on threads: on a
        cluster, ``cores=1`` keeps one thread per worker (the draws do not change).
    level
        Of the credible intervals (the total's and every stratum's).
    options
        Passed to the estimator in every stratum (e.g. ``draws``, ``burn``, ``thin``).

    Returns
    -------
    Estimate
        Posterior median and equal-tailed ``level`` credible interval of the total;
        ``observed`` the records counted. ``details``: one row per stratum (and
        imputation): the ``by`` values (a merged column as ``"2010+2011"``), ``stratum``,
        ``observed``, ``lists`` (used), ``value``, ``lower``, ``upper``, ``r_hat``,
        ``ess_bulk``, ``merged_from``, ``dropped_lists``, ``from_cache``, ``seed``.
        ``diagnostics``: ``strata``, ``merges``, ``dropped_lists``, ``imputations``,
        convergence of the total and ``r_hat_max`` / ``ess_bulk_min`` over the strata and
        the total, ``warnings`` (each stratum's, prefixed by its name). ``idata``: ``N``
        (the total) and ``N_stratum`` (dimension ``stratum``, labelled as in ``details``;
        with imputations the chains of imputation ``m`` follow those of ``m - 1``, and a
        stratum absent from an imputation is NaN there).
    """
    import pandas as pd

    from .._checks import check_level, check_seed
    from ..posterior import convergence, convergence_report, posterior_estimate, to_idata

    level = check_level(level)
    seed = check_seed(random_seed)
    if seed < 0:
        raise ValueError(f"random_seed must be non-negative, got {seed}")
    by = _check_arguments(by, min_records, merge, empty_lists, client, n_workers)
    if not callable(estimator):
        raise TypeError(f"estimator must be callable, got {estimator!r}")
    name, identity = _estimator_identity(estimator)
    if name in _WITHOUT_DRAWS and identity.startswith("estimators.mse"):
        raise ValueError(f"stratified sums each stratum's posterior draws of N; {name} gives an estimate and "
                         "an interval, not draws. Use latent_class (or an estimator keeping draws of N in "
                         "idata.posterior['N']); or run it per stratum and report the strata separately")
    min_lists = _MIN_LISTS.get(name, 2)
    frames = _imputations(histories)
    M = len(frames)
    lists = _columns(frames, by, id_column, name, min_lists)
    cache_dir = None if cache is None else Path(cache)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)

    def check(s: _Stratum) -> list[str]:
        return _failures(s, lists, min_records=min_records, min_lists=min_lists, name=name, empty_lists=empty_lists)

    # Every stratum of every imputation is read, checked and merged before anything is fitted.
    plans, merges, dropped = [], [], []
    for m, frame in enumerate(frames):
        source = f"imputation {m + 1}" if M > 1 else "<DataFrame>"
        strata, done = _merge(_split(frame, by, lists, id_column, source), check, merge, source)
        merges += [{**({"imputation": m + 1} if M > 1 else {}), **d} for d in done]
        for s in strata:
            kept, empty = _lists_kept(s.counts, lists, empty_lists)
            table = _pattern_table(s.counts, lists, kept)
            stratum_seed = _stratum_seed(seed, m, s)
            where = f"{source + ', ' if M > 1 else ''}stratum {s.label}"
            if empty:
                dropped.append({**({"imputation": m + 1} if M > 1 else {}), "stratum": s.label, "lists": empty})
            plans.append({"imputation": m, "stratum": s, "table": table, "seed": stratum_seed, "where": where,
                          "dropped": empty if empty_lists == "drop" else [], "lists": len(kept),
                          "key": _cache_key(table, identity, options, stratum_seed)})

    results: list[dict | None] = [_load(cache_dir, p["key"]) for p in plans]
    from_cache = [r is not None for r in results]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        jobs = [{"table": plans[i]["table"], "estimator": estimator, "seed": plans[i]["seed"], "level": level,
                 "options": options, "where": plans[i]["where"]} for i in todo]
        for i, r in zip(todo, _run_all(jobs, client, n_workers), strict=True):
            results[i] = r
            if cache_dir is not None:
                _store(cache_dir, plans[i]["key"], r, plans[i]["stratum"].label, level)

    sizes = {p["where"]: r["draws"].size for p, r in zip(plans, results, strict=True)}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"the strata have different numbers of posterior draws of N ({sizes}): the total pairs "
                         "them by index, so every stratum needs the same draws and chains")
    shapes = {r["draws"].shape for r in results}
    shape = shapes.pop() if len(shapes) == 1 else (1, next(iter(sizes.values())))

    rows, warnings, totals, observed, records = [], [], [], [], {}
    labels = list(dict.fromkeys(p["stratum"].label for p in plans))
    per_stratum = np.full((M, *shape, len(labels)), np.nan)
    for m in range(M):
        mine = [(i, p, r) for i, (p, r) in enumerate(zip(plans, results, strict=True)) if p["imputation"] == m]
        total = np.zeros(shape)
        for i, p, r in mine:
            s, draws = p["stratum"], np.asarray(r["draws"], dtype=float).reshape(shape)
            total += draws
            per_stratum[m, ..., labels.index(s.label)] = draws
            lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
            rows.append({**({"imputation": m + 1} if M > 1 else {}), **dict(zip(by, s.values, strict=True)),
                         "stratum": s.label, "observed": s.records, "lists": p["lists"],
                         "value": float(np.median(draws)), "lower": float(lo), "upper": float(hi),
                         "r_hat": r["r_hat"], "ess_bulk": r["ess_bulk"],
                         "merged_from": "; ".join(_key_label(by, k) for k in s.members) if len(s.members) > 1 else "",
                         "dropped_lists": ", ".join(p["dropped"]), "from_cache": from_cache[i],
                         "seed": p["seed"]})
            warnings += [f"{p['where']}: {w}" for w in r["warnings"]]
            records[p["where"]] = {"r_hat": r["r_hat"], "ess_bulk": r["ess_bulk"], "ess_tail": r["ess_tail"],
                                   "chains": r["chains"]}
        totals.append(total)
        observed.append(sum(p["stratum"].records for _, p, _ in mine))

    details = pd.DataFrame(rows)
    pooled = np.concatenate(totals, axis=0)  # equal weight: every imputation has the same number of draws
    diag: dict[str, Any] = {
        "strata": [sum(p["imputation"] == m for p in plans) for m in range(M)] if M > 1 else len(plans),
        "merges": merges,
        "dropped_lists": dropped,
        "estimator": name,
        "options": {k: v if isinstance(v, int | float | str | bool | None) else repr(v) for k, v in options.items()},
        "min_records": min_records, "merge": merge, "empty_lists": empty_lists,
        "cached": int(sum(from_cache)),
    }
    total_records = {}
    if shape[1] >= 4:
        for m, t in enumerate(totals):
            total_records["total N" + (f", imputation {m + 1}" if M > 1 else "")] = convergence(t)
    report = convergence_report(total_records)
    diag.update(report)
    diag["convergence"] = {**total_records, **{f"N, {w}": c for w, c in records.items()}}
    finite = [c for c in diag["convergence"].values() if np.isfinite(c["r_hat"])]
    diag["r_hat_max"] = max((c["r_hat"] for c in finite if c["chains"] > 1), default=float("nan"))
    diag["ess_bulk_min"] = min((c["ess_bulk"] for c in finite), default=float("nan"))
    diag["warnings"] = warnings + report.get("warnings", [])
    flat = [t.ravel() for t in totals]
    imput: dict[str, Any] = {"count": M}
    if M > 1:
        within = float(np.mean([t.var(ddof=1) for t in flat]))
        between = float(np.var([t.mean() for t in flat], ddof=1))
        spread = (1 + 1 / M) * between
        imput.update(
            value=[float(np.median(t)) for t in flat],
            lower=[float(np.quantile(t, (1 - level) / 2)) for t in flat],
            upper=[float(np.quantile(t, (1 + level) / 2)) for t in flat],
            observed=observed, within_variance=within, between_variance=between,
            fraction_missing_information=spread / (within + spread) if within + spread > 0 else 0.0)
    diag["imputations"] = imput

    methods = list(dict.fromkeys(r["method"] for r in results))
    strata_text = f"{len(plans)} strata" if M == 1 else f"{'/'.join(map(str, diag['strata']))} strata"
    method = f"stratified MSE by {', '.join(by)}: {'; '.join(methods)} in each of {strata_text}, draws summed"
    if M > 1:
        method += f", pooled over {M} imputations"
    idata = to_idata({"N": pooled, "N_stratum": per_stratum.reshape(M * shape[0], shape[1], len(labels))},
                     coords={"stratum": labels}, dims={"N_stratum": ["stratum"]})
    return posterior_estimate(pooled, level=level, method=method, quantity=quantity,
                              observed=float(np.median(observed)), diagnostics=diag, details=details,
                              idata=idata)
