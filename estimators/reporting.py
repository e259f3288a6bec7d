"""Headline estimates of each notebook, gathered into ``figures/summary.csv`` and ``.md``.

Each notebook ends by calling `save_headlines` with the estimates it publishes;
``make reproduce`` then stacks every notebook's file with `write_summary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .result import Estimate, format_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["headline_frame", "save_headlines", "write_summary", "SUMMARY_COLUMNS"]

SUMMARY_COLUMNS = [
    "notebook", "quantity", "method", "value", "lower", "upper", "level",
    "interval", "interval_method", "text",
]


def headline_frame(notebook: str, estimates: Mapping[str, Estimate]) -> pd.DataFrame:
    """One row per headline estimate; the mapping's keys name the quantities."""
    import pandas as pd

    rows = [
        {**est.as_row(), "quantity": quantity, "notebook": notebook}
        for quantity, est in estimates.items()
    ]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def save_headlines(notebook: str, estimates: Mapping[str, Estimate], figures_dir: str | Path) -> pd.DataFrame:
    """Write ``figures_dir/headlines/<notebook>.csv`` and return the table."""
    frame = headline_frame(notebook, estimates)
    out = Path(figures_dir) / "headlines"
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / f"{notebook}.csv", index=False, float_format="%.6g", lineterminator="\n")
    return frame


def _markdown(frame: pd.DataFrame) -> str:
    lines = [
        "# Headline estimates",
        "",
        "Written by `make reproduce` from every notebook's headline table. Do not edit.",
        "",
        "| notebook | quantity | method | value | interval | interval kind |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in frame.itertuples(index=False):
        value = "" if r.value != r.value else format_number(r.value)  # NaN for ranges
        interval = "" if r.lower != r.lower else f"{format_number(r.lower)}–{format_number(r.upper)}"
        kind = r.interval if r.level != r.level else f"{r.level * 100:g}% {r.interval}"
        if isinstance(r.interval_method, str) and r.interval_method:
            kind += f" ({r.interval_method})"
        lines.append(f"| {r.notebook} | {r.quantity} | {r.method} | {value} | {interval} | {kind} |")
    return "\n".join(lines) + "\n"


def write_summary(figures_dir: str | Path) -> pd.DataFrame:
    """Stack ``figures_dir/headlines/*.csv`` (in notebook order) into ``summary.csv``/``.md``."""
    import pandas as pd

    figures_dir = Path(figures_dir)
    parts = [pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in sorted((figures_dir / "headlines").glob("*.csv"))]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SUMMARY_COLUMNS)
    frame = frame[SUMMARY_COLUMNS]
    frame.to_csv(figures_dir / "summary.csv", index=False, float_format="%.6g", lineterminator="\n")
    (figures_dir / "summary.md").write_text(_markdown(frame), encoding="utf-8")
    return frame
