"""Execute every notebook in order, in place, and gather the headline estimates.

``python -m estimators.reproduce`` is what ``make reproduce`` runs. Notebooks execute in
a kernel started from this interpreter, with no timing metadata recorded, so that a
second run changes no byte.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

__all__ = ["run_notebook", "reproduce"]


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
    nbformat.write(nb, path)
    return time.perf_counter() - start


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root")
    parser.add_argument("--pattern", default="*.ipynb", help="which notebooks (glob)")
    args = parser.parse_args(argv)
    reproduce(args.root, pattern=args.pattern)


if __name__ == "__main__":
    main(sys.argv[1:])
