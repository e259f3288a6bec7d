"""Data generators with known truth, one per data shape."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from .sources import Priors

__all__ = ["source_counts"]


def source_counts(
    *,
    events: int = 2,
    kinds: Sequence[str] = ("acknowledged", "named", "monitor count"),
    censor: Sequence[str] = ("monitor count",),
    priors: Priors | None = None,
    n_min: float = 50,
    n_max: float = 5000,
    calibration_reported: int | None = None,
    random_seed: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Source-count tables (data shape 3) drawn from `estimators.multi_source`'s own model.

    The generative process, with **discrete** N (the fitted model relaxes it):

    1. per kind: mean completeness ``m_k ~ Beta(mean·s, (1-mean)·s)`` and concentration
       ``φ_k ~ LogNormal(log median, sd)`` from `estimators.sources.Priors`;
    2. per event: ``N_e = floor(exp(U))``, ``U ~ Uniform(log n_min, log(n_max + 1))`` —
       the discrete twin of the log-uniform prior on ``[n_min, n_max]``;
    3. per (event, kind) one source with completeness ``p ~ Beta(m_k φ_k, (1-m_k) φ_k)``;
    4. counts: lower-bound kinds ``y ~ Binomial(N_e, p)`` (acknowledged: ``p·κ``, with
       ``κ ~ Beta(conceded)`` when ``calibration_reported`` is given, and the calibration
       ``conceded ~ Binomial(calibration_reported, κ)``); monitors ``o ~ Beta(overcount)``,
       ``y ~ Poisson(N_e p / (1 - o))``;
    5. kinds in ``censor`` are censored at a threshold independent of everything else
       (non-informative, type I censoring, so that "at least c" carries exactly the
       information ``Y >= c`` the model reads into it): ``c = 10**U`` rounded to two
       significant digits, ``U ~ Uniform(1, log10 n_max)``; a count ``y >= c`` is published
       as "at least c", a smaller count exactly. (Rounding a count *down* — "more than
       1,600" for 1,600–1,699 — would also say ``Y < 1,700``, which the lower-bound
       reading ignores.)

    Returns ``(table, truth)``: the table has the columns `estimators.data.read_source_counts`
    expects (``figure_id, event, kind, unit, value, qualifier``); ``truth`` holds ``N``
    (event -> N), ``completeness`` (figure_id -> p), ``completeness_mean`` (kind -> m_k),
    ``overcount``, ``conceded_share`` and ``calibration`` ((conceded, reported) or None).
    """
    import pandas as pd

    from .data import LOWER_BOUND_KINDS, MONITOR_KINDS, SOURCE_KINDS
    from .sources import Priors

    priors = priors or Priors()
    for kind in kinds:
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {kind!r}; expected one of {SOURCE_KINDS}")
    if not (1 <= n_min < n_max):
        raise ValueError(f"need 1 <= n_min < n_max, got {n_min}, {n_max}")
    rng = np.random.default_rng(random_seed)
    s = priors.completeness_strength
    m = {k: rng.beta(priors.completeness_mean[k] * s, (1 - priors.completeness_mean[k]) * s) for k in kinds}
    phi = {k: float(np.exp(rng.normal(math.log(priors.concentration_median), priors.concentration_sd))) for k in kinds}
    kappa, calibration = 1.0, None
    if calibration_reported is not None:
        kappa = float(rng.beta(*priors.conceded))
        calibration = (int(rng.binomial(calibration_reported, kappa)), int(calibration_reported))
    rows, truth_n, truth_p, truth_o = [], {}, {}, {}
    for e in range(events):
        event = f"event-{e + 1}"
        n = int(math.floor(math.exp(rng.uniform(math.log(n_min), math.log(n_max + 1)))))
        n = min(max(n, int(n_min)), int(n_max))
        truth_n[event] = n
        for kind in kinds:
            fid = f"{event}-{kind.replace(' ', '-')}"
            p = float(rng.beta(m[kind] * phi[kind], (1 - m[kind]) * phi[kind]))
            truth_p[fid] = p
            if kind in LOWER_BOUND_KINDS:
                y = int(rng.binomial(n, p * (kappa if kind == "acknowledged" else 1.0)))
            elif kind in MONITOR_KINDS:
                o = float(rng.beta(*priors.overcount))
                truth_o[fid] = o
                y = int(rng.poisson(n * p / (1 - o)))
            qualifier = "exact"
            if kind in censor:
                c = 10 ** rng.uniform(1, math.log10(n_max))
                digits = max(int(math.floor(math.log10(c))) - 1, 0)
                c = int(round(c / 10**digits) * 10**digits)
                if y >= c:
                    y, qualifier = c, "at least"
            rows.append({"figure_id": fid, "event": event, "kind": kind, "unit": "deaths",
                         "value": float(y), "qualifier": qualifier})
    truth = {"N": truth_n, "completeness": truth_p, "completeness_mean": m, "concentration": phi,
             "overcount": truth_o, "conceded_share": kappa, "calibration": calibration}
    return pd.DataFrame(rows), truth
