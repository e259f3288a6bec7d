"""graded_range: the monitors' arithmetic, on published snapshots and on incident tables."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimators import EstimateTable, graded_range, load_grade_snapshots, read_incidents
from estimators.data import GRADES

from .results.airwars_grade_snapshots import COALITION_2025, RUSSIA_2025, TURKEY_2025


def snapshot(event, when="2025"):
    snaps = load_grade_snapshots()
    return snaps[(snaps.event == event) & (snaps.snapshot == when)][["grade", "incidents", "deaths_min", "deaths_max"]]


def test_russia_snapshot_likely_and_alleged():
    russia = snapshot("russia-syria")
    likely, alleged = graded_range(russia), graded_range(russia, grades="all")
    assert (likely.lower, likely.upper) == RUSSIA_2025["likely"]
    assert (alleged.lower, alleged.upper) == RUSSIA_2025["alleged"]
    assert likely.diagnostics["incidents"] == RUSSIA_2025["likely_incidents"]
    assert alleged.diagnostics["incidents"] == RUSSIA_2025["alleged_incidents"]
    assert str(likely) == "4,431–6,522 (range: confirmed + fair incidents)"
    assert likely.interval == "range" and likely.value is None and likely.level is None


@pytest.mark.parametrize("event, expected", [
    ("russia-syria", RUSSIA_2025), ("turkey-iraq-syria", TURKEY_2025), ("coalition-iraq-syria", COALITION_2025)])
def test_per_grade_rows_add_up_to_the_published_alleged_range(event, expected):
    rows = snapshot(event)
    assert (graded_range(rows, grades="all").lower, graded_range(rows, grades="all").upper) == expected["alleged"]
    assert (graded_range(rows).lower, graded_range(rows).upper) == expected["likely"]
    published = load_grade_snapshots(totals=True)
    total = published[(published.event == event) & (published.snapshot == "2025") & (published.grade == "all")]
    assert (total.deaths_min.item(), total.deaths_max.item()) == expected["alleged"]


def test_a_published_sum_cannot_be_split():
    with pytest.raises(ValueError, match="cannot be split"):
        graded_range(snapshot("russia-syria"), grades="fair")
    weak = graded_range(snapshot("russia-syria"), grades=["Weak"])
    assert (weak.lower, weak.upper) == (739, 861)


def table(records):
    """Incident rows from (id, belligerents, grade, min, max[, date]) tuples."""
    frame = pd.DataFrame([{
        "incident_id": r[0], "date": r[5] if len(r) > 5 else "2016-01-15", "belligerents": r[1],
        "country": "Syria", "grade": r[2], "deaths_min": r[3], "deaths_max": r[4]} for r in records])
    for col in ("deaths_min", "deaths_max"):
        frame[col] = frame[col].astype("Int64")
    return read_incidents(frame)


INCIDENTS = table([
    ("1", "Russia", "confirmed", 2, 4, "2016-01-02"),
    ("2", "Russia;Syrian regime", "contested", 5, 9, "2016-01-20"),
    ("3", "Syrian regime", "fair", 1, 3, "2016-02-03"),
    ("4", "Russia", "fair", None, None, "2017-03-01"),
    ("5", "Russia", "weak", 0, 1, "2017-03-09"),
    ("6", "Syrian regime", "discounted", 4, 4, "2017-05-30"),
])


def test_likely_and_alleged_on_incidents():
    likely = graded_range(INCIDENTS)
    assert (likely.lower, likely.upper) == (3, 7)
    alleged = graded_range(INCIDENTS, grades="all")
    assert (alleged.lower, alleged.upper) == (12, 21)
    details = alleged.details
    assert details["grade"].tolist() == list(GRADES)
    assert (details["deaths_min"].sum(), details["deaths_max"].sum()) == (12, 21)  # rows add up
    assert details["incidents"].sum() == 6


def test_missing_death_counts_add_zero_and_are_reported():
    likely = graded_range(INCIDENTS)
    assert likely.diagnostics["incidents_without_count"] == 1
    assert likely.details.set_index("grade").loc["fair", "incidents_without_count"] == 1
    assert likely.diagnostics["incidents"] == 3  # counted as an incident all the same


def test_grade_filters():
    assert (graded_range(INCIDENTS, grades="contested").lower, graded_range(INCIDENTS, grades="contested").upper) == (5, 9)
    assert graded_range(INCIDENTS, grades=("weak", "disproven")).upper == 5
    with pytest.raises(ValueError, match="unknown grade 'likely'"):
        graded_range(INCIDENTS, grades="likely")


def test_by_belligerent_counts_an_incident_for_every_belligerent_it_names():
    by = graded_range(INCIDENTS, grades="all", by="belligerent")
    assert isinstance(by, EstimateTable) and list(by) == ["Russia", "Syrian regime"]
    assert (by["Russia"].lower, by["Russia"].upper) == (7, 14)  # incidents 1, 2, 4, 5
    assert (by["Syrian regime"].lower, by["Syrian regime"].upper) == (10, 16)  # 2, 3, 6
    total = graded_range(INCIDENTS, grades="all")
    assert sum(e.upper for e in by.estimates.values()) > total.upper  # incident 2 twice
    assert total.upper == 21  # each incident once
    one = graded_range(INCIDENTS, grades="all", belligerent="Russia")
    assert (one.lower, one.upper) == (7, 14)


def test_by_year_month_and_column():
    years = graded_range(INCIDENTS, grades="all", by="year")
    assert {y: (e.lower, e.upper) for y, e in years.items()} == {2016: (8, 16), 2017: (4, 5)}
    months = graded_range(INCIDENTS, grades="all", by="month")
    assert list(months) == ["2016-01", "2016-02", "2017-03", "2017-05"]
    two = graded_range(INCIDENTS, grades="all", by=("belligerent", "year"))
    assert (two[("Russia", 2017)].lower, two[("Russia", 2017)].upper) == (0, 1)
    by_country = graded_range(INCIDENTS, by="country")
    assert (by_country["Syria"].lower, by_country["Syria"].upper) == (3, 7)
    assert set(two.details.columns) >= {"belligerent", "year", "grade", "deaths_min", "included"}
    with pytest.raises(ValueError, match="no such column"):
        graded_range(INCIDENTS, by="province")


def test_row_order_never_changes_a_result():
    shuffled = INCIDENTS.sample(frac=1.0, random_state=3)
    for grades in (("confirmed", "fair"), "all", "contested"):
        for by in (None, "belligerent", "month"):
            a = graded_range(INCIDENTS, grades=grades, by=by)
            b = graded_range(shuffled, grades=grades, by=by)
            assert a.to_json() == b.to_json()


# -- properties --------------------------------------------------------------------------

incident = st.tuples(
    st.sampled_from(GRADES),
    st.integers(0, 50),
    st.integers(0, 50),
    st.sampled_from(["A", "B", "A;B"]),
    st.booleans(),  # has a count
)


def build(parts, prefix="i"):
    records = []
    for k, (grade, lo, extra, bell, has) in enumerate(parts):
        records.append((f"{prefix}{k}", bell, grade, lo if has else None, lo + extra if has else None))
    return table(records)


def ends(frame, grades, by=None):
    est = graded_range(frame, grades=grades, by=by)
    return (est.lower, est.upper)


grade_sets = st.one_of(st.just("all"), st.lists(st.sampled_from(GRADES), min_size=1, unique=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(incident, min_size=1, max_size=12), incident, grade_sets)
def test_adding_an_incident_never_lowers_either_end(parts, extra, grades):
    before = ends(build(parts), grades)
    after = ends(build(parts + [extra]), grades)
    assert after[0] >= before[0] and after[1] >= before[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(incident, min_size=1, max_size=10), st.lists(incident, min_size=1, max_size=10), grade_sets)
def test_range_of_a_union_is_the_sum_over_disjoint_parts(left, right, grades):
    a, b = build(left, "l"), build(right, "r")
    union = read_incidents(pd.concat([a, b], ignore_index=True)[a.columns[:12]])
    ea, eb, eu = ends(a, grades), ends(b, grades), ends(union, grades)
    assert eu == (ea[0] + eb[0], ea[1] + eb[1])
    # and per belligerent, too
    by_u = graded_range(union, grades=grades, by="belligerent")
    for name in by_u:
        parts = [graded_range(x, grades=grades, belligerent=name) for x in (a, b) if name in set(";".join(x.belligerents).split(";"))]
        assert by_u[name].upper == sum(p.upper for p in parts)


def test_large_tables_are_summed_exactly():
    rng = np.random.default_rng(0)
    n = 200_000
    lo = rng.integers(0, 20, n)
    frame = pd.DataFrame({"incident_id": np.arange(n).astype(str), "date": "2016-01-01",
                          "belligerents": "A", "country": "Syria", "grade": rng.choice(GRADES, n),
                          "deaths_min": lo, "deaths_max": lo + rng.integers(0, 5, n)})
    est = graded_range(read_incidents(frame), grades="all")
    assert (est.lower, est.upper) == (frame.deaths_min.sum(), frame.deaths_max.sum())
