"""`link_lists`: several named-victim lists linked into people and capture histories."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .result import Linkage, check_draw_method, check_draws, check_threshold


def link_lists(
    lists: Mapping[str, Any],
    *,
    id_column: str,
    fields: Mapping[str, Any],
    random_seed: int,
    threshold: float = 0.5,
    draws: int = 20,
    draw_method: str = "edges",
    repair_pdf: Iterable[str] = (),
    backend: str = "duckdb",
    spark: Any = None,
    progress: bool = False,
) -> Linkage:
    """Link the records of several named lists (and duplicates within each) into people.

    Parameters
    ----------
    lists
        List name -> DataFrame, one row per record (validated by
        `estimators.data.read_named_list`: ids unique, every record named, ...).
    id_column
        The record identifier column (the same name in every list), unique within a list.
    fields
        Role -> column name: ``name`` (Arabic script, required), ``name_latin``, ``age``,
        ``sex``, ``date_of_death``, ``place``, ``national_id``. A role only some lists
        have (or that lists name differently) maps to ``{list: column}``, e.g.
        ``{"name": "name", "name_latin": {"UN": "name_en"}}``; a list without the role
        has it missing on every record (compared as missing, never guessed).
    random_seed
        Seeds the random pairs that estimate ``u`` and the draws of clusterings.
    threshold
        Match probability at or above which a pair is linked in `Linkage.clusters`
        (0.5: the more probable side for calibrated probabilities).
    draws, draw_method
        Clusterings the MSE estimators pool over when given this `Linkage`, and how they
        are drawn (`estimators.linkage.clusters.drawn`: ``"edges"``, each pair linked
        with its probability and the links closed transitively, or ``"partition"``).
    repair_pdf
        Names of lists extracted from PDF, whose names get the lam-alef repair
        (`estimators.linkage.arabic.repair_pdf_ligatures`).
    backend, spark
        ``"duckdb"`` (embedded, default) or ``"spark"`` with a ``SparkSession`` for lists
        that outgrow one machine: the same model and SQL run there.
    progress
        Show a progress bar over the stages (prepare, u, EM, scoring).

    Model
    -----
    A Fellegi–Sunter model (see `estimators.linkage.engine`): per-field agreement levels,
    independent given match status; ``u`` from random pairs, ``m`` and the match rate by
    EM; a pair's match probability from its summed match weights. Records are then
    clustered by connected components of the pairs at ``threshold``. The linkage is
    uncertain: `Linkage.clusterings` draws alternative clusterings (each pair linked with
    its probability), and the MSE estimators given a `Linkage` pool their estimates over
    those draws, so that the interval carries the linkage error.

    Assumptions: fields independent given match status (siblings share everything but
    given name and age, which is why those are compared separately); blocking catches
    every true match (pairs no rule generates are never linked); pairwise probabilities
    reasonably calibrated (`benchmarks/linkage.py` measures it on simulated lists).
    """
    from tqdm.auto import tqdm

    from .._checks import check_seed
    from .engine import score_pairs
    from .prepare import read_lists, records_table

    seed = check_seed(random_seed)
    threshold, draws, draw_method = check_threshold(threshold), check_draws(draws), check_draw_method(draw_method)
    bar = tqdm(total=4, desc="linking", disable=not progress)
    try:
        tables = read_lists(lists, id_column=id_column, fields=fields)
        records = records_table(tables, roles=fields, repair_pdf=repair_pdf)
        bar.update()
        pairs, model, warnings = score_pairs(records, random_seed=seed, backend=backend, spark=spark, progress=bar)
    finally:
        bar.close()
    ids = records.set_index("unique_id")
    for side in ("l", "r"):
        key = pairs[f"unique_id_{side}"]
        pairs.insert(0 if side == "l" else 2, f"list_{side}", ids["list"].reindex(key).to_numpy())
        pairs.insert(1 if side == "l" else 3, f"record_{side}", ids["record"].reindex(key).to_numpy())
    return Linkage(records=records, pairs=pairs, threshold=threshold, draws=draws, random_seed=seed,
                   draw_method=draw_method, model=model, warnings=warnings)
