"""Published figures: one row per number in the sources, with its provenance."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from .tables import Column, check_value_or_range, parse_table

GRADES = ("confirmed", "fair", "weak", "contested", "discounted")

# -- published figures --------------------------------------------------------------------

QUALIFIERS = ("exact", "at least", "more than", "about", "up to")
FIGURE_KINDS = (
    "acknowledged",
    "named",
    "monitor count",
    "monitor range",
    "estimate",
    "field sample",
    "pending allegations",
    "allegations",
    "ratio",
    "activity",
    "context",
)
FIGURE_UNITS = (
    "deaths",
    "incidents",
    "allegations",
    "strikes",
    "sites",
    "people",
    "buildings",
    "images",
    "states",
    "months",
    "ratio",
    "share",
)
_GRADES_PATTERN = re.compile(rf"all|({'|'.join(GRADES)})(;({'|'.join(GRADES)}))*")

PUBLISHED_FIGURES_SCHEMA = (
    Column("figure_id", unique=True),
    Column("event"),
    Column("quantity"),
    Column("unit", "choice", choices=FIGURE_UNITS),
    Column("value", "number", optional_value=True),
    Column("low", "number", optional_value=True),
    Column("high", "number", optional_value=True),
    Column("qualifier", "choice", choices=QUALIFIERS),
    Column("kind", "choice", choices=FIGURE_KINDS),
    Column("grades", optional_value=True),
    Column("belligerent", optional_value=True),
    Column("country", optional_value=True),
    Column("place", optional_value=True),
    Column("period_start", "partial_date", optional_value=True),
    Column("period_end", "partial_date", optional_value=True),
    Column("source"),
    Column("outlet"),
    Column("report_date", "partial_date", optional_value=True),
    Column("reference"),
    Column("notes", optional_value=True),
)


def read_published_figures(source: Any, *, name: str | None = None) -> pd.DataFrame:
    """Load and validate a table of published figures (``data/published_figures.csv``).

    Rules beyond each column's type: a figure is either a single ``value`` or a range
    (``low`` and ``high``, ``low <= high``), never both or neither; counts are whole
    numbers; shares lie in [0, 1]; ``grades`` is ``all`` or grade names joined by ``;``.
    """
    typed, table = parse_table(source, PUBLISHED_FIGURES_SCHEMA, name=name)
    check_value_or_range(table, typed)
    counted = ~typed["unit"].isin(["ratio", "share"])
    for col in ("value", "low", "high"):
        present = typed[col].notna()
        table.fail_where(counted & present & (typed[col] % 1 != 0), col, "a whole number (this unit is counted)")
        table.fail_where((typed["unit"] == "share") & present & (typed[col] > 1), col, "a share between 0 and 1")
    grades = typed["grades"].astype("string")
    well_formed = grades.str.fullmatch(_GRADES_PATTERN).fillna(True).astype(bool)
    table.fail_where(~well_formed, "grades", "'all' or grade names (" + ", ".join(GRADES) + ") joined by ';'")
    return typed


def select_figures(figures: pd.DataFrame, *, figure_ids: Sequence[str] = (), events: Sequence[str] = (),
                   name: str = "published figures") -> pd.DataFrame:
    """The rows of a published-figures table with these ``figure_ids`` and/or in these
    ``events`` (each selection optional, both applied together), re-indexed from 0. An
    id that is not in the table is an error (a typo must not shrink the selection)."""
    unknown = sorted(set(figure_ids) - set(figures["figure_id"]))
    if unknown:
        raise ValueError(f"{name}: no figure_id {', '.join(unknown)}")
    keep = figures["figure_id"].isin(figure_ids) if figure_ids else True
    keep = keep & (figures["event"].isin(events) if events else True)
    return figures[keep].reset_index(drop=True) if not isinstance(keep, bool) else figures.reset_index(drop=True)
