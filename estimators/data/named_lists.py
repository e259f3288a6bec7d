"""Named-victim lists: one row per record of a list of the dead, before linkage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .tables import Column, parse_table

if TYPE_CHECKING:
    import pandas as pd

#: The roles a list's columns can play in linkage; only ``name`` (Arabic script) is
#: required, and a record may give ``name_latin`` instead when its ``name`` is empty.
NAMED_LIST_ROLES = ("name", "name_latin", "age", "sex", "date_of_death", "place", "national_id")

#: Spellings of sex accepted (case-insensitive), folded to "m" / "f".
SEX_ALIASES = (("male", "m"), ("female", "f"), ("ذكر", "m"), ("أنثى", "f"), ("انثى", "f"))


def _schema(id_column: str, fields: Mapping[str, str]) -> list[Column]:
    kinds = {
        "name": Column(fields.get("name", "name"), optional_value=True),
        "name_latin": Column(fields.get("name_latin", "name_latin"), optional_value=True),
        "age": Column(fields.get("age", "age"), "count", optional_value=True, upper=130),
        "sex": Column(fields.get("sex", "sex"), "choice", optional_value=True, choices=("m", "f"),
                      casefold=True, aliases=SEX_ALIASES),
        "date_of_death": Column(fields.get("date_of_death", "date_of_death"), "partial_date", optional_value=True),
        "place": Column(fields.get("place", "place"), optional_value=True),
        "national_id": Column(fields.get("national_id", "national_id"), optional_value=True),
    }
    return [Column(id_column, unique=True)] + [kinds[role] for role in NAMED_LIST_ROLES if role in fields]


def read_named_list(
    source: Any,
    *,
    id_column: str,
    fields: Mapping[str, str],
    name: str | None = None,
) -> pd.DataFrame:
    """Load and validate one list of named victims.

    ``fields`` maps a role (`NAMED_LIST_ROLES`: ``name`` in Arabic script, ``name_latin``,
    ``age``, ``sex``, ``date_of_death``, ``place``, ``national_id``) to the column that
    holds it; ``name`` is required. ``id_column`` names the record identifier, unique
    within the list.

    Rules: the file is UTF-8; the id and every mapped column are present; ids are
    non-empty and unique; every record has a name (``name`` or, if mapped, ``name_latin``);
    ages are whole numbers up to 130; sex is m/f (male/female, ذكر/أنثى accepted);
    dates of death are ISO (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, kept at their
    precision); the list has at least one record. Other columns pass through untouched.
    Empty cells are missing values, never guessed.

    Returns a frame with one column per mapped role, named by the role, then ``record``
    (the id, as text) first, and the list's other columns after them.
    """
    import pandas as pd

    fields = dict(fields)
    unknown = sorted(set(fields) - set(NAMED_LIST_ROLES))
    if unknown:
        raise ValueError(f"unknown field role(s) {unknown}; the roles are {list(NAMED_LIST_ROLES)}")
    if "name" not in fields:
        raise ValueError("fields must map the role 'name' to the column of names (Arabic script)")
    typed, table = parse_table(source, _schema(id_column, fields), name=name, extra_columns="keep")
    if not len(typed):
        table.fail(None, id_column, "(no rows)", "at least one record")
    named = typed[fields["name"]].notna()
    if "name_latin" in fields:
        named |= typed[fields["name_latin"]].notna()
    table.fail_where(~named, fields["name"], "a name (or a Latin-script name) for every record")
    out = pd.DataFrame({"record": typed[id_column].astype(str)})
    for role in NAMED_LIST_ROLES:
        if role in fields:
            out[role] = typed[fields[role]]
    mapped = {id_column, *fields.values()}
    for extra in typed.columns:
        if extra not in mapped:
            out[extra] = typed[extra]
    return out
