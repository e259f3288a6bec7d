"""Partial death counts by source, one row per (event, source), for `multi_source`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from .figures import FIGURE_KINDS, QUALIFIERS
from .tables import Column, _Table, check_value_or_range, format_count, parse_table

#: The kinds of figure `estimators.multi_source` can use: death counts by one source.
SOURCE_KINDS = ("acknowledged", "named", "monitor count", "monitor range", "field sample")
#: Kinds that only see true deaths (lower bounds); monitors may also over-count.
LOWER_BOUND_KINDS = ("acknowledged", "named", "field sample")
MONITOR_KINDS = ("monitor count", "monitor range")
#: Two figures of one event and kind closer than this (relative) are one figure, e.g. the
#: headline "about 1,300" and the 1,302 it rounds.
DUPLICATE_TOLERANCE = 0.02

SOURCE_COUNTS_SCHEMA = (
    Column("figure_id", required=False, optional_value=True),
    Column("event"),
    Column("source", required=False, optional_value=True),
    Column("label", required=False, optional_value=True),
    Column("kind", "choice", choices=SOURCE_KINDS),
    Column("unit", required=False, optional_value=True),
    Column("value", "number", optional_value=True),
    Column("low", "number", required=False, optional_value=True),
    Column("high", "number", required=False, optional_value=True),
    Column("qualifier", "choice", choices=QUALIFIERS),
)


def _lower_end(row: Any) -> float:
    """The least count a row allows (what a lower-bound source forces N above)."""
    if row["value"] == row["value"]:  # not NaN
        return {"more than": row["value"] + 1, "up to": 0.0}.get(row["qualifier"], row["value"])
    return row["low"]


def _upper_end(row: Any) -> float | None:
    """The largest count a row allows, or None when it has no upper end."""
    if row["value"] == row["value"]:
        return row["value"] if row["qualifier"] in ("exact", "up to") else None
    return row["high"] if row["qualifier"] != "about" else None


def read_source_counts(source: Any, *, name: str | None = None, duplicates: str = "error") -> pd.DataFrame:
    """Load and validate a table of partial death counts, one row per (event, source).

    Accepts rows of ``data/published_figures.csv`` directly (a selection of the frame
    `estimators.load_published_figures` returns, or the file) or a minimal table with the
    columns ``event``, ``kind``, ``value`` (or ``low`` and ``high``) and ``qualifier``;
    ``figure_id``, ``source`` (who produced the figure), ``label`` and ``unit`` are
    optional, other columns are kept.

    Rows of one event with the same ``kind`` and the same ``label`` are versions of one
    figure (`multi_source` takes their mixture); give rows their own ``label`` to make
    them separate sources (e.g. "names verified" and "names gathered"). Where no label is
    given it defaults to the ``source`` (the producer), else to the kind — but only for a
    single figure: two different figures of one producer and kind without labels are
    ambiguous (versions? separate lists?) and refused, so the coalition's 159, 180 and
    318 for Raqqa need one shared label to be read as versions.

    Rules, each failing with a `DataValidationError` naming the row and column:

    - ``kind`` is one of `SOURCE_KINDS` (activity, context, ratios... are not death
      counts); ``unit``, if present, is ``deaths``;
    - ``qualifier`` is given (``exact``, ``at least``, ``more than``, ``about``, ``up to``);
    - a count is a non-negative whole number; a row has a ``value`` or a range
      (``low <= high``), not both;
    - **no evident double counting**: two rows of one event and kind with the same figure
      (or within 2% of each other, e.g. "about 1,300" and 1,302) are one figure reported
      twice, such as ``raqqa-named-641`` and ``raqqa-detail-named-641``. With
      ``duplicates="error"`` (default) this is refused; with ``duplicates="first"`` the
      later row is dropped with a warning. Different figures of one kind for one event
      (the coalition's 159, 180 and 318 for Raqqa) are kept, and so is a list given
      ``within`` another (every name gathered may have been verified);
    - a producer's named victims (and field-sample victims) are a subset of the deaths it
      documents: a named count whose lower end exceeds the upper end of a monitor figure
      from the same ``source`` for the same event is contradictory and refused.

    The returned frame has a ``label`` column and a ``figure_id`` column (``row-N`` where
    not given).
    """
    import warnings

    import pandas as pd

    if duplicates not in ("error", "first"):
        raise ValueError(f"duplicates must be 'error' or 'first', got {duplicates!r}")
    raw = source
    if isinstance(raw, pd.DataFrame) and "kind" in raw.columns:
        # A clearer message than "one of ..." for published figures of other kinds.
        kinds = raw["kind"].astype("string").str.strip()
        other = kinds.isin([k for k in FIGURE_KINDS if k not in SOURCE_KINDS]).fillna(False)
        if other.any():
            tab = _Table(raw, name=name)
            tab.fail_where(other, "kind", "a death count by one source, one of: " + ", ".join(SOURCE_KINDS)
                           + " (select only those rows of the published figures)")
    typed, table = parse_table(source, SOURCE_COUNTS_SCHEMA, name=name, extra_columns="keep")
    for col in ("low", "high"):
        if col not in typed.columns:
            typed[col] = float("nan")
    if "unit" in typed.columns:
        unit = typed["unit"].astype("string")
        table.fail_where(unit.notna() & (unit != "deaths"), "unit", "deaths (only death counts enter the model)")
    check_value_or_range(table, typed)
    has_value, has_low = typed["value"].notna(), typed["low"].notna()
    for col in ("value", "low", "high"):
        table.fail_where(typed[col].notna() & (typed[col] % 1 != 0), col, "a whole number of deaths")
    if "figure_id" not in typed.columns:
        typed["figure_id"] = None
    typed["figure_id"] = [f if isinstance(f, str) and f else f"row-{i + 1}" for i, f in enumerate(typed["figure_id"])]
    if "source" not in typed.columns:
        typed["source"] = None
    if "label" not in typed.columns:
        typed["label"] = None
    label_given = pd.Series([isinstance(lab, str) and bool(lab) for lab in typed["label"]], index=typed.index, dtype=bool)
    typed["label"] = [lab if isinstance(lab, str) and lab else (s if isinstance(s, str) and s else k)
                      for lab, s, k in zip(typed["label"], typed["source"], typed["kind"])]

    # Evident double counting: one figure entered twice for the same event and kind.
    keep = pd.Series(True, index=typed.index)
    mid = typed["value"].where(has_value, (typed["low"] + typed["high"]) / 2)
    within = typed["within"] if "within" in typed.columns else pd.Series(None, index=typed.index)
    for _, group in typed.groupby(["event", "kind"], sort=False):
        idx = list(group.index)
        for j, b in enumerate(idx):
            for a in idx[:j]:
                # A list given as within the other may hold every one of its names.
                if not keep[a] or typed.at[a, "label"] == within[b] or typed.at[b, "label"] == within[a]:
                    continue
                same_range = has_low[a] and has_low[b] and typed.at[a, "low"] == typed.at[b, "low"] and typed.at[a, "high"] == typed.at[b, "high"]
                close = abs(mid[a] - mid[b]) <= DUPLICATE_TOLERANCE * max(mid[a], mid[b])
                if same_range or (has_value[a] == has_value[b] and close):
                    what = (f"a different figure from {typed.at[a, 'figure_id']!r} (row {a + 1}): both give "
                            f"{format_count(mid[a])} vs {format_count(mid[b])} {typed.at[a, 'kind']} deaths for event "
                            f"{typed.at[a, 'event']!r}, which is evident double counting of one figure; select one "
                            "of the rows by figure_id, or pass duplicates='first'")
                    if duplicates == "error":
                        table.fail(b, "figure_id", typed.at[b, "figure_id"], what)
                    warnings.warn(f"dropped {typed.at[b, 'figure_id']!r}: same figure as {typed.at[a, 'figure_id']!r} "
                                  f"({format_count(mid[b])} {typed.at[b, 'kind']}, event {typed.at[b, 'event']!r})",
                                  UserWarning, stacklevel=2)
                    keep[b] = False
                    break
    typed = typed[keep].copy()

    # Different figures of one producer and kind, with no label to say how they relate:
    # versions of one figure, separate sources and nested lists give different answers.
    for _, group in typed[~label_given[typed.index]].groupby(["event", "kind", "label"], sort=False):
        if len(group) > 1:
            a, b = group.index[0], group.index[1]
            table.fail(b, "label", None,
                       f"a label: {typed.at[a, 'figure_id']!r} (row {a + 1}) and {typed.at[b, 'figure_id']!r} are "
                       f"different {typed.at[b, 'kind']} figures of {typed.at[b, 'label']!r} for event "
                       f"{typed.at[b, 'event']!r}; give them one label to read them as disagreeing versions of one "
                       "figure, distinct labels to read them as separate sources (and 'within' when one list is "
                       "part of the other)")

    # A producer's named victims are a subset of the deaths it documents for the event.
    for (event, _producer), group in typed[typed["source"].notna()].groupby(["event", "source"], sort=False):
        named = group[group["kind"].isin(["named", "field sample"])]
        monitors = group[group["kind"].isin(MONITOR_KINDS)]
        for i, row in named.iterrows():
            low = _lower_end(row)
            for _, mon in monitors.iterrows():
                up = _upper_end(mon)
                if up is not None and low > up:
                    table.fail(i, "value", row["value"] if has_value[i] else row["low"],
                               f"at most the documented total {format_count(up)} of {mon['figure_id']!r} "
                               f"from the same source for event {event!r}: {row['kind']} victims are a subset of the "
                               "deaths it documents, so the figures contradict each other (check that both "
                               "rows concern the same event and period)")
    return typed.reset_index(drop=True)
