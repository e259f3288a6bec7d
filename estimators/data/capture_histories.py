"""Capture histories: which of several lists each victim is on, as a pattern table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

from .tables import Column, _Table, parse_table

#: Name of the count column in a pattern table.
CAPTURE_COUNT_COLUMN = "count"


def read_capture_histories(
    source: Any,
    *,
    name: str | None = None,
    count_column: str = CAPTURE_COUNT_COLUMN,
    id_column: str | None = None,
    all_patterns: bool = True,
) -> pd.DataFrame:
    """Load and validate linked lists as capture histories.

    Two layouts are accepted, told apart by the presence of ``count_column``:

    * a **pattern table**: one 0/1 column per list and a ``count`` column, one row per
      pattern of lists (each pattern at most once);
    * **one row per victim**: one 0/1 column per list (and, optionally, an identifier
      column named by ``id_column``, which is checked for uniqueness and dropped).

    Rules: list cells are 0 or 1; counts are non-negative whole numbers; no row is on no
    list (a victim on no list was not observed); at least two lists; list names unique.

    Returns the pattern table: one column per list (``int8``) and ``count`` (``int64``),
    one row for each of the ``2**J - 1`` observable patterns, patterns not seen having
    count 0 (not missing). Rows are ordered by the pattern index
    ``sum_j x_j * 2**j`` (list ``j`` is bit ``j``); ``.attrs["lists"]`` names the lists.

    With ``all_patterns=False`` only the patterns seen at least once are rows (same order):
    the form for many lists, where ``2**J`` rows would not fit (a million at J = 20). The
    full table allows at most 20 lists, the observed patterns 62.
    """
    import numpy as np
    import pandas as pd

    table = _Table(source, name=name)
    columns = [str(c) for c in table.frame.columns]
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        table.fail(None, dup, "(repeated)", "each list name once")
    tabular = count_column in columns
    lists = [c for c in columns if c not in (count_column, id_column)]
    if len(lists) < 2:
        table.fail(None, None, f"{len(lists)} list column(s): {lists}",
                   "at least two 0/1 list columns (capture–recapture needs two lists or more)")
    most = 20 if all_patterns else 62  # 2**J rows; a pattern's index in an int64
    if len(lists) > most:
        hint = " (all_patterns=False reads up to 62)" if all_patterns else ""
        table.fail(None, None, f"{len(lists)} list columns", f"at most {most} lists{hint}")
    schema = [Column(c, "choice", choices=("0", "1")) for c in lists]
    if tabular:
        schema.append(Column(count_column, "count"))
    if id_column is not None:
        schema.append(Column(id_column, unique=True))
    typed, table = parse_table(source, schema, name=name)
    bits = typed[lists].astype(int).to_numpy()
    table.fail_where(bits.sum(axis=1) == 0, lists[0],
                     "at least one list marked 1 in the row (a victim on no list is not observed)")
    index = bits @ (1 << np.arange(len(lists)))
    if tabular:
        table.fail_where(pd.Series(index).duplicated().to_numpy(), lists[0],
                         "each pattern of lists once (this pattern is on an earlier row)")
        weights = typed[count_column].astype("int64").to_numpy()
    else:
        weights = np.ones(len(index), dtype=np.int64)
    J = len(lists)
    if all_patterns:
        counts = np.bincount(index, weights=weights, minlength=2**J).astype(np.int64)
        out = pd.DataFrame(patterns(J)[1:].astype(np.int8), columns=lists)
        out[CAPTURE_COUNT_COLUMN] = counts[1:]
    else:
        seen, where = np.unique(index, return_inverse=True)
        counts = np.bincount(where, weights=weights, minlength=len(seen)).astype(np.int64)
        keep = counts > 0
        bits = (seen[keep, None] >> np.arange(J)) & 1
        out = pd.DataFrame(bits.astype(np.int8), columns=lists)
        out[CAPTURE_COUNT_COLUMN] = counts[keep]
    out.attrs["lists"] = list(lists)
    return out


def patterns(J: int) -> np.ndarray:
    """The ``2**J x J`` 0/1 matrix of patterns, row ``i`` being the bits of ``i``."""
    import numpy as np

    return ((np.arange(2**J)[:, None] >> np.arange(J)) & 1).astype(np.int64)
