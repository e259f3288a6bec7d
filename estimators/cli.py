"""The ``estimators`` command line: run estimators on files without writing Python.

Every command prints a readable table by default, ``--json`` or ``--csv`` for machines,
and exits non-zero with the file, row and column on bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="estimators")
def main() -> None:
    """Estimators of true civilian deaths from partial counts, with explicit intervals."""


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Repository root (holding notebooks/ and figures/).")
@click.option("--pattern", default="*.ipynb", show_default=True, help="Which notebooks (glob).")
def reproduce(root: Path, pattern: str) -> None:
    """Execute every notebook in order and write figures/summary.csv and .md.

    What `make reproduce` does, once the environment exists.

    Example: estimators reproduce --pattern '0[0-2]_*.ipynb'
    """
    from .reproduce import reproduce as run

    try:
        run(root, pattern=pattern)
    except SystemExit as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
