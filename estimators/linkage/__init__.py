"""Record linkage of named-victim lists into capture histories (Splink on DuckDB).

`link_lists` (in `link`) validates the lists (`prepare`), folds Arabic spelling variants
(`arabic`), trains and scores a Fellegi–Sunter model with Splink (`engine`), and returns
a `Linkage` (`result`) whose clusterings (`clusters`) give capture histories, at a
threshold or drawn from the pairs' match probabilities.
"""

from .link import link_lists
from .result import Linkage

__all__ = ["Linkage", "link_lists"]
