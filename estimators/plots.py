"""Matplotlib helpers shared by the notebooks: byte-for-byte reproducible figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["save_figure", "log_count_axis", "FIGSIZE", "DPI"]

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
            if fmt == "svg":
                _number_clip_paths(path)
            written.append(path)
    return written


def _number_clip_paths(path: Path) -> None:
    """Rename an SVG's clip paths clip1, clip2, ... in order of appearance: matplotlib
    names them by hashing their repr, which for a path (a fill_between's) holds a memory
    address, so the names changed from run to run whatever the salt."""
    import re

    text = path.read_text()
    for k, name in enumerate(dict.fromkeys(re.findall(r'<clipPath id="([^"]+)"', text)), start=1):
        text = text.replace(f'"{name}"', f'"clip{k}"').replace(f"#{name})", f"#clip{k})")
    path.write_text(text)


def log_count_axis(ax, axis: str = "x") -> None:
    """A logarithmic axis for counts labelled 1,000 / 2,000 / 5,000 ..., without the
    overlapping scientific-notation minor labels matplotlib draws by default."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(LogLocator(subs=(1, 2, 5)))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    target.set_minor_formatter(NullFormatter())
