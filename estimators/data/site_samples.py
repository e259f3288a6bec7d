"""Field samples of strike sites (`estimators.sampling`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from .tables import Column, parse_table

SITE_SAMPLE_SCHEMA = (
    Column("site", unique=True),
    Column("stratum", required=False),
    Column("deaths", "count"),
    Column("acknowledged", "count", required=False),
    Column("inclusion_probability", "number", required=False, upper=1.0),
)


def read_site_sample(source: Any, *, name: str | None = None) -> pd.DataFrame:
    """Load and validate a field sample of strike sites: one row per site visited.

    Columns: ``site`` (unique id), ``deaths`` (civilian deaths found on the ground, a
    count), and optionally ``stratum`` (e.g. area or period; sites are sampled within
    strata), ``acknowledged`` (deaths the belligerent acknowledged at that site, a count;
    needed by the ratio estimator) and ``inclusion_probability`` (the site's probability
    of being sampled, in (0, 1]; if absent, sites are a simple random sample within their
    stratum). Other columns are refused.
    """
    typed, table = parse_table(source, SITE_SAMPLE_SCHEMA, name=name)
    if not len(typed):
        table.fail(None, "site", "(no rows)", "at least one sampled site")
    if "inclusion_probability" in typed:
        table.fail_where(typed["inclusion_probability"] <= 0, "inclusion_probability",
                         "a probability above 0 and not above 1")
    if "stratum" not in typed:
        typed.insert(1, "stratum", "all")
    return typed


