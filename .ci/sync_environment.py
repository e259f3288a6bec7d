"""Rewrite environment.yml's pins from requirements.lock (run by `make lock`).

conda users get the direct dependencies of pyproject.toml (and IPython, whose version the
notebooks print) at exactly the versions CI tested; conda-forge resolves the rest."""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# For conda users (conda-forge): the direct dependencies at exactly the versions of
# requirements.lock, which CI tests and `make test` installs (pip, with hashes); conda-forge
# resolves the rest. Written by `make lock` (.ci/sync_environment.py); tests/test_package.py
# fails if it falls out of step with the lock or with pyproject.toml.
#   conda env create -f environment.yml && conda activate civilian-deaths
name: civilian-deaths
channels:
  - conda-forge
  - nodefaults
dependencies:
  - python=3.11
  - pip
"""


def name_of(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0].lower()


def locked_versions(text: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def environment_yml() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = locked_versions((ROOT / "requirements.lock").read_text())
    groups = [("", project["dependencies"])]
    groups += [(f"  # {extra}\n", specs + (["ipython"] if extra == "notebooks" else []))
               for extra, specs in project["optional-dependencies"].items()]
    body = ""
    for heading, specs in groups:
        body += heading + "".join(f"  - {name_of(s)}=={locked[name_of(s)]}\n" for s in specs)
    return HEADER + body + "  - pip:\n      - -e .\n"


if __name__ == "__main__":
    (ROOT / "environment.yml").write_text(environment_yml())
    sys.stdout.write("environment.yml rewritten from requirements.lock\n")
