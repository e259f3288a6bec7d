"""Bayesian incident model: grade credibility x reported min–max counts -> true deaths.

Monitors' ranges add reported minima and maxima over incidents they grade as credible
enough. This model instead asks, incident by incident, *did it happen and did this
belligerent cause it?* (with a probability that depends on the grade, learned from the
belligerent's own assessments where there are any), and *how many died?* (somewhere from
the largest of the reported minimum, the named victims and the conceded deaths up to the
reported maximum, occasionally beyond). The total over the incidents gets a posterior
median and a 95% equal-tailed credible interval.

Computation is exact where it can be: the continuous parameters (grade credibilities,
the assessment's sensitivity and specificity) are sampled by a conjugate Gibbs sampler
with the binary genuineness indicators drawn exactly (binomially, per cell of identical
incidents), and each posterior draw's true deaths are then simulated exactly from their
conditional distribution. No Metropolis step touches a count. `build_model` gives the
same posterior of the continuous parameters as a PyMC model, with the indicators
marginalised, for inspection or for sampling with NUTS.

Where each part lives: `priors` (the Beta priors per grade and their exact draws),
`prepare` (the table as arrays), `sampler` (Gibbs and the exact draws of deaths),
`kernels` (the compiled inner loop), `model` (`incident_model`, `build_model`).
"""

from __future__ import annotations

from .model import MEDIAN_UPPER_FACTOR, build_model, incident_model
from .priors import PRIOR_SETTINGS, resolve_priors

__all__ = ["incident_model", "build_model", "PRIOR_SETTINGS", "resolve_priors", "MEDIAN_UPPER_FACTOR"]
