"""Data shipped with the package: the published figures, loaded and validated.

The canonical files live in the repository's ``data/`` folder (with ``data/README.md``);
``estimators/data_files/`` links to them so that wheels carry them too.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_published_figures", "data_path"]


def data_path(filename: str):
    """A path-like handle to a shipped data file (works from a wheel or a checkout)."""
    handle = resources.files("estimators.data_files") / filename
    if not handle.is_file():
        raise FileNotFoundError(f"no shipped data file named {filename!r}")
    return handle


def load_published_figures() -> pd.DataFrame:
    """Every numeric figure in the source articles and the public sources we cite.

    One row per figure with its provenance (who says it, which outlet reported it, when,
    and where to find it); disagreeing sources are separate rows. Columns are documented
    in ``data/README.md``. Validated by `estimators.data.read_published_figures`.
    """
    from .data import read_published_figures

    with resources.as_file(data_path("published_figures.csv")) as path:
        return read_published_figures(path, name="data/published_figures.csv")


# -- Airwars per-grade snapshots ------------------------------------------------------------

__all__ += ["load_grade_snapshots"]


def load_grade_snapshots(*, totals: bool = False) -> pd.DataFrame:
    """Airwars' published per-grade tables, derived from ``published_figures.csv``.

    One row per (event, snapshot, grade set): the rows of the published figures with a
    ``grades`` value, unit ``deaths`` (kind ``monitor range``, qualifier ``exact``) joined
    to the row with unit ``incidents`` for the same event, grades and period end. A grade
    published as one number (Turkey's discounted 301) has ``deaths_min == deaths_max``.

    Columns: ``event``, ``belligerent``, ``snapshot`` (the period end, e.g. ``2025`` or
    ``2019-05``), ``grade`` (e.g. ``confirmed;fair``), ``incidents`` (missing where not
    published), ``deaths_min``, ``deaths_max``, ``deaths_figure_id``,
    ``incidents_figure_id``. With ``totals=False`` (default) the published ``all`` rows
    are left out, so that each snapshot's rows can be passed to `graded_range` and their
    sum compared with the published alleged total (``totals=True`` keeps those rows).
    Incident counts published with no matching deaths range are not included.
    """
    figures = load_published_figures()
    graded = figures[figures["grades"].notna()]
    deaths = graded[(graded["unit"] == "deaths") & (graded["kind"] == "monitor range")
                    & (graded["qualifier"] == "exact")].copy()
    deaths["deaths_min"] = deaths["low"].fillna(deaths["value"]).astype("Int64")
    deaths["deaths_max"] = deaths["high"].fillna(deaths["value"]).astype("Int64")
    counts = graded[graded["unit"] == "incidents"][["event", "grades", "period_end", "value", "figure_id"]]
    counts = counts.rename(columns={"value": "incidents", "figure_id": "incidents_figure_id"})
    out = deaths.merge(counts, on=["event", "grades", "period_end"], how="left", validate="one_to_one")
    out = out.rename(columns={"grades": "grade", "period_end": "snapshot", "figure_id": "deaths_figure_id"})
    out["incidents"] = out["incidents"].astype("Int64")
    if not totals:
        out = out[out["grade"] != "all"]
    columns = ["event", "belligerent", "snapshot", "grade", "incidents", "deaths_min",
               "deaths_max", "deaths_figure_id", "incidents_figure_id"]
    return out[columns].reset_index(drop=True)


# -- Airwars' Syria incident record -----------------------------------------------------------

__all__ += ["load_airwars_syria", "AIRWARS_SYRIA_SHA256"]

#: sha256 of ``data/airwars_syria_incidents.csv`` as received (see ``data/README.md``); the
#: loader refuses a file that differs, since every published check rests on these bytes.
AIRWARS_SYRIA_SHA256 = "20b64690c5f011a13521dc1271bdab73047ced78bc7b7eb62e860db8da8513c9"


def load_airwars_syria(**policies: str) -> pd.DataFrame:
    """Airwars' Syria incident record (8,114 incident pages, 2014-09 to 2026-03) as a
    validated incident table.

    Read by `estimators.data.airwars.read_airwars_export`, whose keyword arguments
    (``one_sided``, ``ungraded``, ``two_grades``, ``undated``, ``placeholder_dates``,
    ``no_belligerent``, ``reversed_dates``, ``named_victims``, ``incident_id``,
    ``earliest``, ``latest``) are the policies for the file's quirks. Each defaults to
    ``"error"``: called with no argument this raises at the first quirk, naming the
    option that accepts it, so that every choice made about real data is written in the
    analysis. The choices the project's notebooks make (`AIRWARS_NOTEBOOK_POLICIES`)
    follow Airwars' own arithmetic where it is known.

    ``attrs["details"]`` counts the rows each policy touched and lists the rows set
    aside; it also records the file's sha256, checked against `AIRWARS_SYRIA_SHA256`.
    Cite Airwars (airwars.org) and each incident's ``url``.
    """
    import hashlib

    from .data.airwars import read_airwars_export

    with resources.as_file(data_path("airwars_syria_incidents.csv")) as path:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != AIRWARS_SYRIA_SHA256:
            raise ValueError(f"data/airwars_syria_incidents.csv has sha256 {digest}, not the "
                             f"{AIRWARS_SYRIA_SHA256} it was received with: the file was changed")
        table = read_airwars_export(path, name="data/airwars_syria_incidents.csv", **policies)
    table.attrs["details"]["sha256"] = digest
    return table


__all__ += ["AIRWARS_NOTEBOOK_POLICIES"]

#: The policies the notebooks pass to `load_airwars_syria`, each argued in notebook 01:
#: one-sided counts are the one number reported; ungraded, undated and placeholder-dated
#: incidents are set aside (Airwars' graded totals cannot include them); the two-grade
#: incident takes the more credible grade, contested (with it Russia's discounted range
#: comes out as published, 114–129; neither reading enters the likely range); an incident
#: naming no one is Airwars' "Unknown"; the reversed end date is cleared; named victims
#: are a page count (Airwars names injured victims too).
AIRWARS_NOTEBOOK_POLICIES = {
    "one_sided": "as_both", "ungraded": "exclude", "two_grades": "most_credible",
    "undated": "exclude", "placeholder_dates": "exclude", "no_belligerent": "unknown",
    "reversed_dates": "drop_end", "named_victims": "page_count",
}
