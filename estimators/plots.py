"""Matplotlib helpers shared by the notebooks: byte-for-byte reproducible figures."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["save_figure", "use_house_style", "log_count_axis", "prior_posterior_of_n", "coverage_dots", "FIGSIZE", "DPI", "PALETTE"]

FIGSIZE = (8.0, 5.0)  # inches; one size for every published figure
DPI = 300  # the saved PNGs: print resolution

#: Okabe & Ito's palette (2008), told apart under the common colour-vision deficiencies:
#: blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black. It
#: replaces matplotlib's tab10, whose green (C2) and red (C3) a deuteranope cannot separate.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def use_house_style() -> None:
    """Set the colour cycle (``"C0"`` ... ``"C7"`` become `PALETTE`) for the figures drawn
    after it; every notebook calls it once, before its first figure."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE))


def save_figure(fig: Figure, stem: str | Path, *, source: str,
                formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``stem.png`` (300 dpi) and ``stem.svg``, with a source line, cropped
    to what is drawn, and with nothing that varies between runs or between machines.

    ``source`` is printed small at the bottom left ("Source: ..."): a published figure
    must say where its numbers come from, and a synthetic one that it is synthetic. The
    bounding box is the drawn content (``bbox_inches="tight"``), so no label is cut at the
    edge. Matplotlib stamps SVGs with the date and random element ids, and PNGs with its
    version; we drop the date and version and fix the id salt, so that re-running a
    notebook leaves ``git status`` clean. SVG coordinates are rounded (`_normalise_svg`)
    so that a last-digit difference in the data between two CPUs does not change the file.
    """
    import matplotlib as mpl

    if not source or not source.strip():
        raise ValueError("save_figure needs source=: where the figure's numbers come from")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    # Below the axes' labels: the tight box grows to take it in.
    fig.text(0.005, 0.0, f"Source: {source.strip()}", ha="left", va="top", fontsize=6.5, color="0.3")
    written = []
    with mpl.rc_context({"svg.hashsalt": "estimators", "svg.fonttype": "none"}):
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            metadata = {"Software": None}
            if fmt == "svg":
                metadata = {"Date": None, "Creator": None}
            fig.savefig(path, format=fmt, dpi=DPI, metadata=metadata, bbox_inches="tight", pad_inches=0.08)
            if fmt == "svg":
                path.write_text(_normalise_svg(path.read_text()))
            written.append(path)
    return written


# Attributes that hold coordinates; text content and colours are left as they are.
_GEOMETRY = re.compile(r'\b(d|x|y|x1|x2|y1|y2|width|height|transform|points|viewBox)="([^"]*)"')
_LONG_DECIMAL = re.compile(r"-?\d+\.\d{3,}")
# Matplotlib's content-hashed ids: a letter and 10 hex digits (p: clip path, m: marker, h: hatch).
_HASHED_ID = re.compile(r'id="([a-z])([0-9a-f]{10})"')


def _normalise_svg(text: str) -> str:
    """Round coordinates to 1/100 pt and number matplotlib's hashed ids in order.

    Matplotlib writes six decimals, so an axis limit that differs in its 15th digit
    between two CPUs (SIMD and BLAS differ) moved every point's last digit, and a marker's
    id (a hash of its path) with it. A hundredth of a point is 1/7200 inch, far below what
    any screen or printer shows. Clip paths were named by hashing a repr that holds a
    memory address, so they changed from run to run whatever the salt: all hashed ids are
    renamed clip1, marker1, hatch1, ... by order of appearance."""

    def short(number: re.Match) -> str:
        value = f"{float(number.group()):.2f}".rstrip("0").rstrip(".")
        return "0" if value == "-0" else value

    text = _GEOMETRY.sub(lambda m: f'{m.group(1)}="{_LONG_DECIMAL.sub(short, m.group(2))}"', text)
    prefixes = {"p": "clip", "m": "marker", "h": "hatch"}
    renamed: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for kind, digest in _HASHED_ID.findall(text):
        if kind + digest not in renamed:
            prefix = prefixes.get(kind, kind)
            counts[prefix] += 1
            renamed[kind + digest] = f"{prefix}{counts[prefix]}"
    for name, new in renamed.items():
        text = text.replace(f'"{name}"', f'"{new}"').replace(f"#{name}", f"#{new}")
    return text


def log_count_axis(ax, axis: str = "x") -> None:
    """A logarithmic axis for counts labelled 1,000 / 2,000 / 5,000 ..., without the
    overlapping scientific-notation minor labels matplotlib draws by default."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(LogLocator(subs=(1, 2, 5)))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    target.set_minor_formatter(NullFormatter())


def prior_posterior_of_n(ax, estimate, *, place: str = "", legend: bool = True, upto: float | None = None) -> None:
    """Prior and posterior of N together, as densities of log10 N, on ``ax``.

    ``estimate``: one event's `estimators.multi_source` result. The prior is N's before any
    count (log-uniform on ``[n_min, n_max]``, thinned by the population bound if one was
    given: ``diagnostics["prior_of_N"]``); the posterior is the histogram of the draws of N.
    Where the posterior keeps the prior's shape, the data did not decide N there.
    ``upto``: end the axis there (both densities stay normalised over N's whole support);
    decades from 1,000 up are then labelled 1k, 10k... so that narrow panels stay legible."""
    import numpy as np

    from .sources.engine import population_weight

    spec = estimate.diagnostics["prior_of_N"]
    bound = spec["population"]
    top = spec["n_max"] if bound is None else min(spec["n_max"], bound[1])
    grid = np.logspace(np.log10(spec["n_min"]), np.log10(top), 400)
    prior = population_weight(grid, spec["n_min"], None if bound is None else tuple(bound))
    draws = estimate.idata.posterior["N"].sel(event=spec["event"]).values.ravel()
    ax.hist(np.log10(draws), bins=60, density=True, color="0.6", label="posterior of N")
    ax.plot(np.log10(grid), prior / np.trapezoid(prior, np.log10(grid)), color=PALETTE[0], lw=2,
            label="prior of N (before any count)")
    if estimate.observed:
        ax.axvline(np.log10(estimate.observed), color=PALETTE[3], lw=1, ls="--",
                   label=f"floor the counts establish: {estimate.observed:,.0f}")
    ax.axvspan(np.log10(max(estimate.lower, 1)), np.log10(estimate.upper), color=PALETTE[2], alpha=0.15,
               label="95% credible interval")
    right = top if upto is None else min(top, upto)
    ticks = list(range(int(np.floor(np.log10(spec["n_min"]))), int(np.ceil(np.log10(right))) + 1))
    compact = upto is not None
    ax.set_xticks(ticks, [f"{10 ** t // 1000:,}k" if compact and t >= 3 else f"{10 ** t:,}" for t in ticks])
    ax.set_xlim(np.log10(spec["n_min"]) - 0.1, np.log10(right) + 0.1)
    ax.set_xlabel(f"civilian deaths{', ' + place if place else ''} (log scale)")
    ax.set_ylabel("density of log10 N")
    if legend:
        ax.legend(fontsize=7, loc="upper left", frameon=False)


def coverage_dots(ax, table, *, replicates: str) -> None:
    """A coverage study on ``ax``: per scenario (rows of ``table``, with ``scenario``,
    ``assumptions`` "hold"/"broken", ``coverage`` and ``coverage_se``) the empirical
    coverage with ±2 Monte Carlo s.e.; filled dots where the assumptions hold (they should
    sit on the nominal line), open dots where they are broken on purpose."""
    from matplotlib.lines import Line2D

    hold, broken = PALETTE[0], PALETTE[3]
    for y, row in enumerate(table.itertuples()):
        se = row.coverage_se if row.coverage_se == row.coverage_se else 0.0
        filled = row.assumptions == "hold"
        ax.errorbar(row.coverage, y, xerr=2 * se, fmt="o", color=hold if filled else broken,
                    mfc=hold if filled else "white", capsize=2)
    ax.axvline(0.95, ls="--", color="grey")
    ax.set_yticks(range(len(table)), table["scenario"], fontsize=7)
    ax.set_xlim(-0.02, 1.02)
    ax.invert_yaxis()
    ax.set_xlabel(f"empirical coverage of the nominal 95% interval ({replicates}), ±2 Monte Carlo s.e.")
    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=hold, label="assumptions hold (filled)"),
                       Line2D([], [], marker="o", ls="", color=broken, mfc="white", label="assumptions broken (open)"),
                       Line2D([], [], ls="--", color="grey", label="nominal 95%")],
              fontsize=7, loc="lower left")
