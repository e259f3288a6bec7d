"""Execute every notebook in order, in place, and gather the headline estimates.

``estimators reproduce`` (the command line) is what ``make reproduce`` runs. Notebooks execute in
a kernel started from this interpreter, with no timing metadata recorded, so that a
second run changes no byte.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

__all__ = ["run_notebook", "reproduce", "merge_streams"]


def run_notebook(path: Path, *, timeout: int = 3600) -> float:
    """Execute one notebook in place (cwd = its folder); return seconds taken."""
    import nbformat
    from nbclient import NotebookClient

    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # timestamps in cell metadata would dirty git
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    merge_streams(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def merge_streams(nb) -> None:
    """Join each run of consecutive stream outputs of a cell into one stdout block followed
    by one stderr block, in place; other outputs (figures, tables) keep their places.

    How a cell's printing is cut into messages, and how stdout and stderr interleave,
    depends on when the kernel flushes: one run stored two blocks where the last stored one
    (notebook 01, on a fresh clone). Joined in a fixed order the text is the same on every
    run."""
    for cell in nb.cells:
        if "outputs" not in cell:
            continue
        merged: list = []
        run: dict[str, Any] = {}
        for out in cell["outputs"] + [None]:
            if out is not None and out.get("output_type") == "stream":
                if out["name"] in run:
                    run[out["name"]]["text"] += out["text"]
                else:
                    run[out["name"]] = out
                continue
            merged += [run[name] for name in ("stdout", "stderr") if name in run]
            run = {}
            if out is not None:
                merged.append(out)
        cell["outputs"] = merged


def reproduce(root: Path = Path("."), *, pattern: str = "*.ipynb") -> None:
    from .reporting import write_summary

    os.environ.setdefault("PYTHONHASHSEED", "0")  # inherited by the kernels
    notebooks = sorted((root / "notebooks").glob(pattern))
    if not notebooks:
        raise SystemExit(f"no notebooks matching {pattern!r} in {root / 'notebooks'}")
    total = 0.0
    for nb in notebooks:
        seconds = run_notebook(nb)
        total += seconds
        print(f"{nb.name:<40} {seconds:7.1f} s", flush=True)
    summary = write_summary(root / "figures")
    print(f"{len(notebooks)} notebooks in {total:.1f} s; {len(summary)} headline estimates "
          f"in {root / 'figures' / 'summary.csv'} and summary.md")
