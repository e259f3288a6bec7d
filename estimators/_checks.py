"""Argument checks shared by every estimator: one wording, one place."""

from __future__ import annotations

import math
import numbers
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


def check_level(level: Any) -> float:
    """The nominal level of an interval, in (0, 1)."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return float(level)


def require_seed(random_seed: Any, what: str) -> int:
    """The one ``random_seed`` convention: an estimator takes ``random_seed=None`` by
    default and requires an integer exactly when the method chosen is random (``what``
    names it), so that a random result is never produced from an unstated seed."""
    if random_seed is None:
        raise TypeError(f"random_seed is required for {what}: pass an integer "
                        "(the same seed gives the same numbers)")
    return check_seed(random_seed)


def check_seed(random_seed: Any) -> int:
    """A ``random_seed``: an integer (the same seed gives the same numbers)."""
    import numpy as np

    if isinstance(random_seed, bool) or not isinstance(random_seed, int | np.integer):
        raise TypeError(f"random_seed must be an integer, got {random_seed!r}")
    return int(random_seed)
