"""The one result contract: every estimator returns an `Estimate` or an `EstimateTable`.

An `Estimate` carries the central figure, the interval *and what kind of interval it is*,
what was actually observed, diagnostics and per-model/per-group details, so that users
never hunt for a number and never have to guess what an interval means.

``str(estimate)`` reads as one would publish it::

    3,270–4,767 (range: confirmed + fair incidents)
    1,840 (95% credible interval 1,610–2,230)
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and arviz are imported lazily: `import estimators` stays fast
    import pandas as pd

__all__ = ["INTERVAL_KINDS", "Estimate", "EstimateTable", "format_number"]

#: What an interval can be. A "range" is deterministic (sum of minima to sum of maxima) and
#: has no level; the others are statistical intervals at a nominal ``level``.
INTERVAL_KINDS = {
    "range": "range",
    "credible": "credible interval",
    "confidence": "confidence interval",
    "predictive": "predictive interval",
    "none": "no interval",
}


def format_number(x: float | None) -> str:
    """Format a figure for publication: thousands separators for counts, three
    significant digits for small quantities such as ratios and proportions."""
    if x is None:
        return "–"
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _format_level(level: float) -> str:
    return f"{level * 100:g}%"


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _check_number(name: str, x: Any) -> float | None:
    if x is None:
        return None
    if hasattr(x, "item") and getattr(x, "ndim", 1) == 0:  # numpy scalar
        x = x.item()
    if not _is_number(x) or math.isnan(x):
        raise ValueError(f"Estimate.{name} must be a number or None, got {x!r}")
    return float(x)


def _to_jsonable(obj: Any) -> Any:
    """Diagnostics hold numpy scalars and arrays; JSON wants plain Python."""
    if isinstance(obj, Mapping):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_to_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):  # numpy array or scalar
        return _to_jsonable(obj.tolist())
    return obj


def _frame_to_json(df: pd.DataFrame | None) -> str | None:
    # orient="table" carries a schema, so dtypes survive the round trip.
    return None if df is None else df.to_json(orient="table", index=False)


def _frame_from_json(text: str | None) -> pd.DataFrame | None:
    if text is None:
        return None
    import pandas as pd

    return pd.read_json(io.StringIO(text), orient="table")


@dataclass(frozen=True, eq=False)
class Estimate:
    """A point value and an interval whose meaning is explicit.

    Parameters
    ----------
    value
        The central figure (posterior median, maximum-likelihood estimate, ...);
        ``None`` for a deterministic range.
    lower, upper
        The interval's ends. ``lower <= upper``.
    level
        Nominal level of a statistical interval, in (0, 1); ``None`` for a range.
    interval
        One of `INTERVAL_KINDS`: ``"range"``, ``"credible"``, ``"confidence"``,
        ``"predictive"`` or ``"none"``.
    interval_method
        Which interval of that kind: ``"equal-tailed"`` or ``"HDI"`` (credible),
        ``"profile likelihood"``, ``"Wald"``, ``"log-normal"``, ``"bootstrap percentile"``
        (confidence); for a range, what was summed (``"confirmed + fair incidents"``).
    method
        The estimator and model that produced it, e.g. ``"graded_range"``.
    quantity
        What is estimated, in words (``"civilian deaths, Russian military in Syria"``).
    observed
        What was actually counted (a floor under any estimate of the total), if known.
    diagnostics
        R-hat, ESS, divergences, AIC, warnings...: plain values or lists of them.
    details
        A DataFrame of per-model, per-grade or per-group rows.
    idata
        ArviZ ``InferenceData`` for Bayesian estimators (not serialised).
    """

    value: float | None
    lower: float | None = None
    upper: float | None = None
    level: float | None = None
    interval: str = "none"
    interval_method: str = ""
    method: str = ""
    quantity: str = ""
    observed: float | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    details: pd.DataFrame | None = None
    idata: Any = None

    def __post_init__(self) -> None:
        for name in ("value", "lower", "upper", "level", "observed"):
            object.__setattr__(self, name, _check_number(name, getattr(self, name)))
        if self.interval not in INTERVAL_KINDS:
            raise ValueError(
                f"Estimate.interval must be one of {sorted(INTERVAL_KINDS)}, "
                f"got {self.interval!r}"
            )
        has_ends = (self.lower is not None, self.upper is not None)
        if self.interval == "none":
            if any(has_ends) or self.level is not None:
                raise ValueError('interval="none" takes no lower, upper or level')
            if self.value is None:
                raise ValueError('interval="none" needs a value')
            return
        if not all(has_ends):
            raise ValueError(f"a {self.interval} interval needs both lower and upper")
        if self.lower > self.upper:
            raise ValueError(f"lower ({self.lower}) is greater than upper ({self.upper})")
        if self.interval == "range":
            if self.level is not None:
                raise ValueError("a range has no nominal level; leave level=None")
        else:
            if self.level is None or not 0 < self.level < 1:
                raise ValueError(
                    f"a {self.interval} interval needs a level in (0, 1), got {self.level!r}"
                )
            if self.value is None:
                raise ValueError(f"a {self.interval} interval needs a central value")

    # -- reading -----------------------------------------------------------------------
    def __str__(self) -> str:
        lo, hi = format_number(self.lower), format_number(self.upper)
        if self.interval == "range":
            what = f"range: {self.interval_method}" if self.interval_method else "range"
            return f"{lo}–{hi} ({what})"
        if self.interval == "none":
            return format_number(self.value)
        kind = INTERVAL_KINDS[self.interval]
        # Ends an estimator found decided by its priors (diagnostics["decided_by"]) are said.
        decided = [end for end, who in (self.diagnostics.get("decided_by") or {}).items()
                   if who in ("priors", "population bound")]
        note = "".join(f"; {end} end set by the {self.diagnostics['decided_by'][end]}" for end in decided)
        return f"{format_number(self.value)} ({_format_level(self.level)} {kind} {lo}–{hi}{note})"

    def __repr__(self) -> str:
        return f"<Estimate {self.method or '?'}: {self}>"

    @property
    def interval_label(self) -> str:
        """The interval's full name, e.g. ``"95% credible interval (equal-tailed)"``."""
        if self.interval in ("range", "none"):
            base = INTERVAL_KINDS[self.interval]
        else:
            base = f"{_format_level(self.level)} {INTERVAL_KINDS[self.interval]}"
        return f"{base} ({self.interval_method})" if self.interval_method else base

    def as_row(self) -> dict[str, Any]:
        """The scalar fields as one flat record (what `EstimateTable.to_frame` stacks)."""
        return {
            "quantity": self.quantity,
            "method": self.method,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "level": self.level,
            "interval": self.interval,
            "interval_method": self.interval_method,
            "observed": self.observed,
            "text": str(self),
        }

    def summary(self) -> pd.DataFrame:
        """One table with everything a reader needs (as statsmodels' ``summary()``)."""
        import pandas as pd

        row = self.as_row()
        row["interval"] = self.interval_label
        del row["interval_method"]
        for key, val in self.diagnostics.items():
            if not isinstance(val, Mapping | list | tuple):
                row[f"diagnostics.{key}"] = val
        return pd.Series(row, name="estimate").to_frame()

    # -- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything but ``idata`` as JSON-ready values (``details`` as table JSON)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "idata"}
        out["diagnostics"] = _to_jsonable(self.diagnostics)
        out["details"] = _frame_to_json(self.details)
        return out

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Estimate:
        known = {f.name for f in fields(cls)} - {"idata"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown Estimate fields: {sorted(unknown)}")
        kwargs = dict(data)
        kwargs["details"] = _frame_from_json(kwargs.get("details"))
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> Estimate:
        return cls.from_dict(json.loads(text))

    def replace(self, **changes: Any) -> Estimate:
        """A copy with some fields changed (the object itself is immutable)."""
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class EstimateTable:
    """Estimates for several groups (belligerents, years, events), one row per group.

    Behaves as a read-only mapping from group to `Estimate`; ``to_frame()`` gives the
    flat table and ``str()`` the publishable lines.
    """

    by: str
    estimates: dict[Any, Estimate]
    method: str = ""
    details: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        for group, est in self.estimates.items():
            if not isinstance(est, Estimate):
                raise TypeError(f"group {group!r}: expected an Estimate, got {type(est)}")

    def __getitem__(self, group: Any) -> Estimate:
        try:
            return self.estimates[group]
        except KeyError:
            raise KeyError(
                f"no group {group!r} in this table; groups are {list(self.estimates)}"
            ) from None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.estimates)

    def __len__(self) -> int:
        return len(self.estimates)

    def items(self):
        return self.estimates.items()

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [{self.by: group, **est.as_row()} for group, est in self.estimates.items()]
        columns = [self.by, *Estimate(value=0).as_row()]
        return pd.DataFrame(rows, columns=columns)

    def __str__(self) -> str:
        width = max((len(str(g)) for g in self.estimates), default=0)
        return "\n".join(f"{str(g):<{width}}  {e}" for g, e in self.estimates.items())

    def __repr__(self) -> str:
        return f"<EstimateTable by {self.by}, {len(self)} groups>\n{self}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "method": self.method,
            # JSON object keys must be strings; keep groups as a list of pairs instead.
            "estimates": [[_to_jsonable(g), e.to_dict()] for g, e in self.estimates.items()],
            "details": _frame_to_json(self.details),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EstimateTable:
        return cls(
            by=data["by"],
            method=data.get("method", ""),
            estimates={g: Estimate.from_dict(e) for g, e in data["estimates"]},
            details=_frame_from_json(data.get("details")),
        )

    @classmethod
    def from_json(cls, text: str) -> EstimateTable:
        return cls.from_dict(json.loads(text))
