"""Argument checks shared by several estimators."""

from __future__ import annotations

import math
from typing import Any


def prior_pair(prior: Any, name: str) -> tuple[float, float]:
    """A two-parameter prior (Beta(a, b), Gamma(shape, rate)) as floats, both positive."""
    try:
        a, b = (float(v) for v in prior)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (a, b) of prior parameters, got {prior!r}") from None
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"{name} must have both parameters positive and finite, got {prior!r}")
    return a, b
