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
    import pandas as pd

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
