"""Shared by the coverage tests: their coverage studies.

The studies live in ``benchmarks/`` (``rates_sampling_backlog.py`` for the rate,
field-sample and backlog tests, ``mse.py`` for the list estimators), which print them;
the tests import them from there so that both run the same code. Slow studies are marked
``slow``: ``make test`` deselects them, ``make calibrate`` runs them.
"""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_benchmark(name: str = "rates_sampling_backlog"):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
