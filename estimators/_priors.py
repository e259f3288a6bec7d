"""One way to state priors, for every Bayesian estimator.

- **Several priors** (`incident_model`, `multi_source`): ``priors=`` takes a setting's
  name from the family's ``PRIOR_SETTINGS`` (each has ``"default"``; ``None`` means it), a
  mapping overriding entries of a setting (``{"base": "sceptical", "contested": (1, 9)}``;
  ``base`` defaults to ``"default"``), or the family's resolved form (`sources.Priors`, a
  grade -> pair mapping).
- **Prior sensitivity**: ``sensitivity=`` takes a sequence of the same (names or
  mappings), or a mapping ``name -> setting``; a setting may also be a function of the
  base priors (``lambda p: p.shifted(-1)``).
- **One distribution**: a Beta or Gamma prior is an ``(a, b)`` pair everywhere
  (`_checks.prior_pair`), inside settings as in the keyword arguments of estimators with
  one or two priors (``prior1=``, ``prior_credible=``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def resolve(priors: Any, settings: Mapping[str, T], *, override: Callable[[T, dict], T], what: str) -> T:
    """``priors`` (None, a setting's name, a mapping of overrides, or a resolved value) as a
    resolved value; ``override(base, entries)`` applies a mapping's entries to its base."""
    if priors is None:
        return settings["default"]
    if isinstance(priors, str):
        if priors not in settings:
            raise ValueError(f"unknown {what} setting {priors!r}; expected one of {sorted(settings)} or a mapping")
        return settings[priors]
    if isinstance(priors, Mapping):
        entries = dict(priors)
        base = resolve(entries.pop("base", "default"), settings, override=override, what=what)
        return override(base, entries)
    return priors


def setting_name(priors: Any) -> str:
    """How a setting is named in sensitivity tables: its name, or ``"custom"``."""
    return "default" if priors is None else priors if isinstance(priors, str) else "custom"


def resolve_sensitivity(sensitivity: Sequence[Any] | Mapping[str, Any], base: T, settings: Mapping[str, T], *,
                        override: Callable[[T, dict], T], what: str) -> dict[str, T]:
    """The sensitivity settings, by name, resolved (functions applied to ``base``)."""
    named = (sensitivity.items() if isinstance(sensitivity, Mapping)
             else ((setting_name(s), s) for s in sensitivity))
    out: dict[str, T] = {}
    for name, spec in named:
        key, i = name, 2
        while key in out:  # two "custom" settings stay two rows
            key, i = f"{name} {i}", i + 1
        out[key] = spec(base) if callable(spec) else resolve(spec, settings, override=override, what=what)
    return out
