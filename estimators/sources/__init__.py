"""Partial aggregate counts: acknowledged, named and monitor totals combined into a toll.

A user has a handful of published totals for an event — what the belligerent
acknowledged, how many victims are named, what monitors counted — and wants the true
number of deaths with an honest interval. `multi_source` fits one Bayesian model to every
event in the table at once; `build_model` returns the same model in PyMC (with N relaxed
to a real number) to inspect, change and sample with one's own settings.

The model (one event e, sources s of kind k(s))
-----------------------------------------------
- **True deaths.** ``N_e`` is a whole number with the log-uniform prior
  ``P(N = n) ∝ log((n + 1) / n)`` on ``[n_min, n_max]`` (no preferred scale).
- **Completeness, hierarchical by kind.** Each source's completeness is
  ``p_s ~ Beta(m_k φ_k, (1 - m_k) φ_k)``, with the kind's mean ``m_k ~ Beta`` (a stated
  prior per kind, `Priors`) and its concentration ``φ_k ~ LogNormal``; the same ``m_k``
  and ``φ_k`` serve every event, so events with more evidence inform the others.
- **Lower-bound sources** (``acknowledged``, ``named``, ``field sample``) count true
  deaths only: ``y_s ~ Binomial(N_e, p_s)``, so ``N_e >= y_s``.
- **Monitors** (``monitor count``, ``monitor range``) can also over-count (deaths not
  civilian, or not caused by this belligerent): a share ``o_s ~ Beta(1, 9)`` (prior
  mean 10%) of a monitor's count is spurious, and ``y_s ~ Poisson(N_e p_s / (1 - o_s))``
  — the detected true deaths (Poisson approximation of Binomial(N_e, p_s)) plus spurious
  ones at ``o_s / (1 - o_s)`` per detected death.
- **Acknowledgement and its calibration.** The belligerent's completeness is
  ``κ · q_s``: ``q_s`` (Beta, hierarchical as above) is the share of the event's deaths in
  incidents it accepts as credible, and ``κ`` the share of the deaths in those incidents it
  concedes. ``κ ~ Beta(1, 1)`` is learnt from calibration data such as "The Credibles":
  on 344 incidents the coalition found credible it conceded 1,410 deaths where local
  reports gave 2,024 — ``1410 ~ Binomial(2024, κ)`` (the reports are taken as the truth on
  those incidents). Without calibration data ``κ = 1``.
- **Qualifiers** are censoring: "at least y" is ``Y >= y``, "more than y" is ``Y >= y+1``,
  "up to y" is ``Y <= y``, "about y" is ``y(1-t) <= Y <= y(1+t)`` (``t =
  about_tolerance``, default 10%: a noisy value), a range is ``low <= Y <= high``: a
  censored source's likelihood is the probability of that interval under its count
  distribution. "More than 1,600" is read as a lower bound only; if it really means
  1,600–1,699 (rounding down), it also carries an upper end the model does not use.
- **Population bound.** With ``population=`` (a number, or ``(low, high)`` when it is
  uncertain), N's log-uniform prior is truncated at the exposed population P, averaged
  over P uniform on ``[low, high]``.
- **Nested lists.** A source given ``within`` another (a ``within`` column naming the
  parent's label: 641 verified names within the 1,000+ names gathered; a monitor's
  earlier total within its later one) is a share of its parent's count, not a fresh
  draw from N: it only raises the lower end of its parent's count (and, for a
  lower-bound kind, N's floor).
- **Calibration clustered by incident.** ``calibration=(conceded, reported, incidents)``
  (or rows including the number of incidents): with m deaths per incident and the
  intra-incident correlation ρ ~ Beta(1, 2) (`Priors.calibration_icc`; totals cannot
  teach it), the counts enter divided by the design effect ``1 + (m - 1) ρ`` — a
  beta-binomial over incidents to second order — and κ's posterior is the mixture over ρ.
- **Disagreeing versions.** Several figures for one source (the coalition's 159, 180
  and 318 for Raqqa) are versions of one figure:
  the likelihood is their equal-weight mixture — one of them is right, we do not know
  which. Rows are versions when they share event, kind and ``label`` (by default the
  ``source`` column, i.e. the producer); give rows distinct labels to make them separate
  sources.

What the interval means: the equal-tailed 95% credible interval of ``N_e`` holds 95% of
the posterior probability *under these priors*. With only lower bounds of unknown
completeness the data cannot pin N down by themselves; the completeness priors do much of
the work, which is why every result carries a prior-sensitivity table and an
identification report (`estimators.sources.identification`): prior against posterior
for N and every completeness, and, in words, which interval ends the priors decide.
The reported quantiles of N average N's exact conditionals over the θ draws
(`estimators.sources.quantiles`); chains are added until each end's Monte Carlo error is
below ``mc_error`` (2%) of it.

Computation (`multi_source`): exact marginalisation. Given the kind hyperparameters θ =
(m_k, φ_k), N is summed integer by integer up to ``exact_until`` (500) and in 1%-wide
cells above (the prior mass of each cell is exact; its likelihood is evaluated at the
cell's centre — `grid_error` measures the effect against the sum over every integer),
each completeness on a 110-point logit grid, each over-count share on a 40-point grid and
κ over equal-mass strata of its calibration posterior. Only θ (continuous, two numbers per
kind) is sampled, by Metropolis-within-Gibbs; given each θ draw, N and the completeness
are drawn exactly from their conditionals. No discrete parameter is ever sampled by
Metropolis. Coverage on data from this generative process (``benchmarks/multi_source.py``,
``benchmarks/multi_source.md``; `estimators.simulate.source_counts` draws nested lists, a
population bound and clustered calibration too): 95% intervals of N covered 0.958 of 400
without those features and 0.950 of 800 with all of them.

`build_model` writes the same model in PyMC with N continuous (``log N`` uniform;
binomial likelihoods through ``lgamma``; for censored lower-bound counts it uses the
Poisson probability of the interval) and the completeness as explicit parameters, for
NUTS; the population bound and the clustered calibration enter as potentials. That
relaxation's error has not been measured against the exact computation.
"""

# The package, one concept a module: priors.py (the stated priors, their densities and
# draws), layout.py (the table as index arrays), likelihood.py (one row's censored count
# likelihood), engine.py (the grid engine), estimate.py (multi_source), accuracy.py
# (grid_error), model.py (build_model; PyMC is imported only there, inside the function).

from .accuracy import grid_error
from .estimate import multi_source
from .layout import calibration_counts
from .model import build_model
from .priors import DEFAULT_SENSITIVITY, PRIOR_SETTINGS, Priors, resolve_priors

__all__ = ["Priors", "PRIOR_SETTINGS", "resolve_priors", "multi_source", "build_model", "grid_error",
           "calibration_counts", "DEFAULT_SENSITIVITY"]
