"""Several named lists as one table of records, with the columns linkage compares.

Each record gets a dense integer ``unique_id`` (what Splink and the clustering work on),
its list and record id, and comparison columns computed once from the name:
the normalised full name, the given name (first token), the lineage (the other tokens:
father, grandfather, family), and consonant skeletons of each, which agree across
spelling variants and across Arabic and Latin script (`estimators.linkage.arabic`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: The comparison columns a record carries (besides the optional roles).
NAME_COLUMNS = ("name_norm", "given", "lineage", "name_sk", "given_sk", "father_sk", "lineage_sk", "family_sk",
                "lineage_tokens")


def list_fields(fields: Mapping[str, Any], list_name: str) -> dict[str, str]:
    """The roles of one list: a role's column is one name for every list, or a mapping
    list -> column for a role only some lists have (or that they name differently)."""
    out = {}
    for role, column in fields.items():
        if isinstance(column, Mapping):
            column = column.get(list_name)
        if column is not None:
            out[role] = str(column)
    return out


def read_lists(lists: Mapping[str, Any], *, id_column: str, fields: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Validate every list with `estimators.data.read_named_list` (named by its key)."""
    from ..data import read_named_list, refuse_file

    if not isinstance(lists, Mapping):
        raise TypeError(f"lists must map a list name to a DataFrame, got {type(lists).__name__}")
    if len(lists) < 2:
        raise ValueError(f"at least two lists are needed to build capture histories, got {len(lists)}")
    for role, column in fields.items():
        unknown = set(column) - set(lists) if isinstance(column, Mapping) else set()
        if unknown:
            raise ValueError(f"fields[{role!r}] names lists that are not given: {sorted(unknown)}")
    out = {}
    for list_name, frame in lists.items():
        refuse_file(frame, estimator="link_lists", reader="read_named_list")
        out[str(list_name)] = read_named_list(frame, id_column=id_column, fields=list_fields(fields, list_name),
                                              name=f"list {list_name!r}")
    if len(out) != len(lists):
        raise ValueError("list names must stay distinct as text (e.g. 1 and '1' are the same list)")
    return out


def _split(tokens: list[str]) -> tuple[str | None, str | None]:
    if not tokens:
        return None, None
    return tokens[0], (" ".join(tokens[1:]) or None)


def records_table(lists: Mapping[str, pd.DataFrame], *, roles: Iterable[str], repair_pdf: Iterable[str] = ()) -> pd.DataFrame:
    """One row per record of every list: ``unique_id``, ``list``, ``record``, the optional
    roles present (``age``, ``sex``, ``date_of_death``, ``place``, ``national_id``) and the
    name columns of `NAME_COLUMNS`. Names from lists in ``repair_pdf`` get the lam-alef
    repair of PDF extraction. A record with no Arabic name is compared by its Latin name's
    skeleton (the normalised Arabic columns stay empty)."""
    import pandas as pd

    from .arabic import name_tokens, normalize_name, skeleton

    repair = set(repair_pdf)
    unknown = repair - set(lists)
    if unknown:
        raise ValueError(f"repair_pdf names lists that are not given: {sorted(unknown)}")
    roles = [r for r in roles if r not in ("name", "name_latin")]
    frames = []
    for list_name, table in lists.items():
        fixed = list_name in repair
        norm = [normalize_name(x, repair_pdf=fixed) if isinstance(x, str) else None for x in table["name"]]
        latin = table["name_latin"] if "name_latin" in table else pd.Series(None, index=table.index, dtype=object)
        # The text compared by skeleton: the Arabic name, or the Latin one if that is all there is.
        shown = [n if n is not None else (x if isinstance(x, str) else None) for n, x in zip(norm, latin)]
        tokens = [name_tokens(s) if s else [] for s in shown]
        sk_tokens = [skeleton(s).split() if s else [] for s in shown]
        frame = pd.DataFrame({"list": list_name, "record": table["record"].to_numpy()})
        frame["name_norm"] = norm
        frame["given"], frame["lineage"] = zip(*(_split(t) if n else (None, None) for t, n in zip(tokens, norm)))
        frame["name_sk"] = [" ".join(t) or None for t in sk_tokens]
        frame["given_sk"], frame["lineage_sk"] = zip(*(_split(t) for t in sk_tokens))
        frame["father_sk"] = [t[1] if len(t) > 1 else None for t in sk_tokens]
        frame["family_sk"] = [t[-1] if len(t) > 1 else None for t in sk_tokens]  # skeleton drops the article
        frame["lineage_tokens"] = [t[1:] for t in sk_tokens]
        for role in roles:
            frame[role] = table[role].to_numpy() if role in table else None
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    if "place" in out:
        out["place"] = [normalize_name(p) if isinstance(p, str) else None for p in out["place"]]
    if "age" in out:
        out["age"] = out["age"].astype("Int64")
    out.insert(0, "unique_id", range(len(out)))
    return out
