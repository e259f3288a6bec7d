"""Matplotlib helpers shared by the notebooks: byte-for-byte reproducible figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["save_figure", "FIGSIZE", "DPI"]

FIGSIZE = (8.0, 5.0)  # inches; one size for every published figure
DPI = 120


def save_figure(fig: Figure, stem: str | Path, *, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.svg`` with nothing that varies between runs.

    Matplotlib stamps SVGs with the date and random element ids, and PNGs with its
    version; we drop the date and version and fix the id salt, so that re-running a
    notebook leaves ``git status`` clean.
    """
    import matplotlib as mpl

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with mpl.rc_context({"svg.hashsalt": "estimators", "svg.fonttype": "none"}):
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            metadata = {"Software": None}
            if fmt == "svg":
                metadata = {"Date": None, "Creator": None}
            fig.savefig(path, format=fmt, dpi=DPI, metadata=metadata)
            written.append(path)
    return written
