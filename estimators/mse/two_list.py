"""Two lists: Lincoln–Petersen and Chapman, Seber's variance, Chao's log-normal interval."""

from __future__ import annotations

import math
import warnings
from typing import Any

from ..result import Estimate
from .linked import accepts_linkage

__all__ = ["chapman", "ListDependenceWarning"]


class ListDependenceWarning(UserWarning):
    """Two-list estimates assume the lists are independent; here they likely are not."""


_WHY = (
    "Two-list estimators assume that being on one list does not change the chance of "
    "being on the other. Positive dependence (the same victims are easy for both sources "
    "to find, e.g. a monitor that relays the belligerent's acknowledgements, or both "
    "favour well-documented strikes) inflates the overlap and biases the estimate DOWN; "
    "negative dependence biases it UP. Two lists alone cannot detect this: use three or "
    "more lists (loglinear, latent_class, graph_average)."
)


def _two_lists(histories: Any, lists: tuple[str, str] | None) -> tuple[int, int, int, dict]:
    import numpy as np

    from ._common import cell_counts, patterns

    names, counts = cell_counts(histories)
    J = len(names)
    if lists is None:
        if J != 2:
            raise ValueError(f"these histories have {J} lists {names}; say which two with lists=(a, b)")
        lists = (names[0], names[1])
    for name in lists:
        if name not in names:
            raise ValueError(f"no list named {name!r}; lists are {names}")
    a, b = names.index(lists[0]), names.index(lists[1])
    if a == b:
        raise ValueError("lists must name two different lists")
    x = patterns(J)
    n1 = int(counts[x[:, a] == 1].sum())
    n2 = int(counts[x[:, b] == 1].sum())
    m = int(counts[(x[:, a] == 1) & (x[:, b] == 1)].sum())
    info: dict[str, Any] = {"lists": list(lists)}
    if J >= 3:
        # Among victims on at least one OTHER list, the a-by-b table is fully observed:
        # its odds ratio measures dependence of a and b (given capture elsewhere).
        others = (x[:, [j for j in range(J) if j not in (a, b)]].sum(axis=1) > 0)
        t = np.array([[counts[others & (x[:, a] == i) & (x[:, b] == k)].sum() for k in (0, 1)] for i in (0, 1)], float)
        t += 0.5  # Haldane's correction: finite log odds ratio with empty cells
        log_or = math.log(t[1, 1] * t[0, 0] / (t[1, 0] * t[0, 1]))
        se = math.sqrt((1 / t).sum())
        info.update(odds_ratio_given_other_lists=math.exp(log_or), odds_ratio_z=log_or / se)
    return n1, n2, m, info


@accepts_linkage
def chapman(
    histories: Any = None,
    n1: int | None = None,
    n2: int | None = None,
    m: int | None = None,
    *,
    lists: tuple[str, str] | None = None,
    level: float = 0.95,
    quantity: str = "total victims",
) -> Estimate:
    """Two-list capture–recapture: Chapman's estimator with a log-normal interval.

    Give either ``histories`` (capture histories; with more than two lists, pick two with
    ``lists=``) or the counts ``n1``, ``n2`` (victims on each list) and ``m`` (on both).

    Model
    -----
    A closed population of ``N``; each victim is on list 1 with probability ``p1`` and on
    list 2 with probability ``p2``, **independently** (of each other and across victims).
    Then ``m | n1, n2`` is hypergeometric and

    * Lincoln–Petersen: ``N_LP = n1 * n2 / m`` (the MLE; undefined when ``m = 0``);
    * Chapman: ``N_C = (n1 + 1)(n2 + 1) / (m + 1) - 1`` (nearly unbiased when
      ``n1 + n2 >= N``), the reported value;
    * Seber's variance: ``V = (n1+1)(n2+1)(n1-m)(n2-m) / ((m+1)^2 (m+2))``;
    * Chao's log-normal interval, built on the uncounted ``f0 = N_C - r`` with
      ``r = n1 + n2 - m`` observed: ``[r + f0/C, r + f0*C]``, ``C = exp(z sqrt(log(1 +
      V / f0^2)))``. It never goes below the observed ``r``. It is a
      ``level`` confidence interval (approximate, large-sample).

    Failure modes: list dependence (see `ListDependenceWarning`) and heterogeneous
    catchability (both lists find the same easy-to-find victims) bias it, and nothing in
    two lists can reveal either. With three or more lists given, the odds ratio of the two
    chosen lists among victims on the other lists is checked and a warning raised when it
    is far from 1. A warning is also raised when ``m < 7`` (Chapman's bias grows).

    Returns
    -------
    Estimate with ``details`` holding both estimators and ``diagnostics`` the counts.
    """
    import pandas as pd
    from scipy.stats import norm

    from ._common import check_level

    level = check_level(level)
    info: dict[str, Any] = {}
    if histories is not None:
        if any(v is not None for v in (n1, n2, m)):
            raise ValueError("give either histories or n1, n2, m, not both")
        n1, n2, m, info = _two_lists(histories, lists)
    else:
        if any(v is None for v in (n1, n2, m)):
            raise ValueError("give histories, or all of n1, n2 and m")
        for label, v in (("n1", n1), ("n2", n2), ("m", m)):
            if isinstance(v, bool) or int(v) != v or v < 0:
                raise ValueError(f"{label} must be a non-negative whole number, got {v!r}")
        n1, n2, m = int(n1), int(n2), int(m)
        if m > min(n1, n2):
            raise ValueError(f"m ({m}) cannot exceed n1 ({n1}) or n2 ({n2})")
    r = n1 + n2 - m
    if r == 0:
        raise ValueError("no victim is on either list")
    warns: list[str] = []
    if m < 7:
        warns.append(f"only {m} victims are on both lists: Chapman's estimate is unstable and biased")
        warnings.warn(warns[-1], UserWarning, stacklevel=2)
    z_dep = info.get("odds_ratio_z")
    if z_dep is not None and abs(z_dep) > 2:
        ratio = info["odds_ratio_given_other_lists"]
        direction = "too low" if ratio > 1 else "too high"
        warns.append(
            f"lists {info['lists'][0]!r} and {info['lists'][1]!r} look dependent: odds ratio "
            f"{ratio:.2f} among victims on the other lists (z = {z_dep:.1f}); this estimate is "
            f"probably {direction}. {_WHY}"
        )
        warnings.warn(warns[-1], ListDependenceWarning, stacklevel=2)

    n_lp = n1 * n2 / m if m > 0 else math.inf
    n_c = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    f0 = n_c - r
    z = float(norm.ppf((1 + level) / 2))
    if f0 > 0:
        C = math.exp(z * math.sqrt(math.log(1 + var / f0**2)))
        lo, hi = r + f0 / C, r + f0 * C
    else:  # one list holds every victim of the other: nothing uncounted, by this model
        lo = hi = float(r)
        inner = "the second list" if m == n2 else "the first list"
        warns.append(f"every victim on {inner} is also on the other (m = {m}), so the model sees no one "
                     f"uncounted and its interval has zero width ({r:,}–{r:,}); that is not certainty: "
                     "a list drawn from the other (not independently) gives the same table")
        warnings.warn(warns[-1], UserWarning, stacklevel=2)
    details = pd.DataFrame(
        {
            "estimator": ["Lincoln-Petersen", "Chapman"],
            "estimate": [n_lp, n_c],
            "se": [math.sqrt(n1 * n2 * (n1 - m) * (n2 - m) / m**3) if m > 0 else math.inf, math.sqrt(var)],
        }
    )
    return Estimate(
        value=n_c,
        lower=lo,
        upper=hi,
        level=level,
        interval="confidence",
        interval_method="log-normal (Chao), Seber variance",
        method="chapman",
        quantity=quantity,
        observed=r,
        diagnostics={"n1": n1, "n2": n2, "m": m, "se": math.sqrt(var), "assumption": _WHY,
                     "warnings": warns, **{k: v for k, v in info.items() if k != "lists"},
                     "lists": info.get("lists", [])},
        details=details,
    )
