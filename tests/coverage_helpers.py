"""Shared by the issue-4 estimator tests: the coverage studies and the slow-test gate.

The studies live in ``benchmarks/rates_sampling_backlog.py`` (which prints them); the
tests import them from there so that both run the same code.

``make test`` runs ``pytest tests`` without a marker expression, so a ``slow`` mark alone
would not keep the long studies out of it; `only_when_slow_selected` skips them unless
``-m slow`` (``make calibrate``) was asked for.
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_benchmark():
    spec = importlib.util.spec_from_file_location(
        "rates_sampling_backlog", ROOT / "benchmarks" / "rates_sampling_backlog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def only_when_slow_selected(request):
    if request.node.get_closest_marker("slow") and "slow" not in (
        request.config.getoption("markexpr") or ""
    ):
        pytest.skip("long coverage study: run with `make calibrate` (pytest -m slow)")
