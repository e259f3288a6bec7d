"""Reference values: Airwars' published per-grade snapshots (2025–26).

Provenance: Airwars' conflict pages as published in 2025–26 —
airwars.org/conflict/russian-military-in-syria and airwars.org's Turkish military in Iraq
and Syria and US-led coalition in Iraq and Syria pages — whose per-grade tables the site
computes from its incident archive (public repository rctngle/airwars-archive-2025,
theme/functions/conflicts.php, get_grading_stats()). Retyped here *only* as the oracle the tests check
`graded_range` against; the package reads the same figures from
data/published_figures.csv via estimators.datasets.load_grade_snapshots().
"""

RUSSIA_2025 = {
    "likely": (4431, 6522),
    "alleged": (15841, 25260),
    "likely_incidents": 1380,
    "alleged_incidents": 4977,
}
TURKEY_2025 = {"likely": (1009, 1493), "alleged": (1752, 2484)}
COALITION_2025 = {"likely": (8249, 13342), "alleged": (19217, 29816), "alleged_incidents": 3003}
