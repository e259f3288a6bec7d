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
