"""Packaging promises: a light import, a complete public API, environments in step."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import estimators

ROOT = Path(__file__).resolve().parents[1]


def test_import_loads_no_numerical_library():
    code = ("import sys, estimators; heavy = {'pymc', 'pytensor', 'arviz', 'pandas', 'scipy', "
            "'matplotlib'} & set(sys.modules); assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_resolves():
    for name in estimators.__all__:
        assert getattr(estimators, name) is not None, name


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].lower()


def test_environment_yml_lists_what_pyproject_does():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted |= set(extra)
    conda = set()
    text = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    for line in text.splitlines():
        m = re.match(r"\s+- ([A-Za-z0-9_.-]+.*)$", line)
        if m and not m.group(1).startswith(("python=", "pip", "-e")):
            conda.add(m.group(1).strip())
    # Same names and the same version bounds, spelled identically.
    assert conda == wanted
