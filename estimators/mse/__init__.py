"""Multiple systems estimation (capture–recapture) on linked victim lists.

* `chapman` — two lists: Lincoln–Petersen / Chapman with Chao's log-normal interval;
* `loglinear` — hierarchical log-linear models, ranked, profile-likelihood interval;
* `mth` — heterogeneity models M_th (Chao lower bound, Poisson2, Darroch);
* `identifiability` — whether a log-linear model can be fitted to the lists (rank, finite MLE);
* `latent_class` — the LCMCR Bayesian non-parametric latent-class model;
* `graph_average` — Bayesian model averaging over decomposable graphs (dga);
* `stratified` — any of those that keeps posterior draws of N (latent_class) run within
  strata (year, place, sex...), the strata's draws summed into the total's posterior.

Each but `stratified` takes capture histories, or a `estimators.linkage.Linkage` (linked named lists):
then it runs on the linkage's drawn clusterings and pools them (`linked`), so the
interval carries the linkage error.

Importing this package loads numpy only: SciPy, pandas, statsmodels, numba and PyMC are
imported inside the functions. The functions are bound here eagerly, because three of them
share their module's name (``latent_class``, ``loglinear``, ``stratified``): a lazy look-up
would hand back the module once ``estimators.mse.latent_class`` had been imported as a module.
"""

from .graphs import graph_average
from .latent_class import latent_class
from .loglinear import identifiability, loglinear, mth
from .stratified import stratified
from .two_list import ListDependenceWarning, chapman

__all__ = ["ListDependenceWarning", "chapman", "graph_average", "identifiability", "latent_class", "loglinear", "mth",
           "stratified"]
