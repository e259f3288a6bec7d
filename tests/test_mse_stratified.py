"""stratified: MSE within strata, draws summed; checks, merges, seeds, cache, Dask, imputations."""

import numpy as np
import pandas as pd
import pytest

from estimators.checking.simulate import capture_histories
from estimators.data import DataValidationError
from estimators.mse import latent_class, loglinear, stratified

# Short chains: the tests see ESS warnings, which is fine.
FAST = dict(draws=200, burn=500, thin=5, chains=2)


def _with(table, **columns):
    out = table.copy()
    for name, value in columns.items():
        out[name] = value
    return out


def _region_table(seed=1):
    """A well-documented city and a poorly documented countryside, 4,000 victims each;
    which list covers best depends on the stratum (list 2 in the city, list 1 outside)."""
    city = capture_histories(4000, [0.5, 0.6, 0.5, 0.4], random_seed=seed)
    rural = capture_histories(4000, [0.15, 0.08, 0.1, 0.08], random_seed=seed + 100)
    return pd.concat([_with(city, region="city"), _with(rural, region="rural")], ignore_index=True)


def _small(N, p, seed, **columns):
    return _with(capture_histories(N, p, random_seed=seed), **columns)


def _draws(est, stratum):
    return np.asarray(est.idata.posterior["N_stratum"].sel(stratum=stratum))


# -- (a) stratifying removes the bias of pooling ------------------------------------------

def test_pooling_unlike_strata_biases_latent_class_and_stratifying_covers_the_truth():
    table, truth = _region_table(), 8000
    est = stratified(table, "region", random_seed=1, client=False, **FAST)
    pooled_table = table[table["region"] == "city"].drop(columns="region").reset_index(drop=True)
    pooled_table["count"] = (pooled_table["count"].to_numpy()
                             + table.loc[table["region"] == "rural", "count"].to_numpy())
    pooled = latent_class(pooled_table, random_seed=1, draws=1000, burn=2000, thin=5, chains=2)

    half = (est.upper - est.lower) / 2
    # On 10 simulated data sets x 2 seeds the pooled median fell 0.9 to 3.6 stratified
    # half-widths below the truth and the stratified interval always held it (|median -
    # truth| at most 0.81 half-widths); here 2.7 and 0.02.
    assert est.lower < truth < est.upper
    assert abs(est.value - truth) < 0.5 * half
    assert truth - pooled.value > 1.5 * half
    rural = est.details.set_index("stratum").loc["region=rural"]
    assert rural["lower"] < 4000 < rural["upper"]
    assert est.observed == table["count"].sum() == pooled.observed
    # The total's draws are the sum of the strata's, draw by draw.
    total = np.asarray(est.idata.posterior["N"])
    assert np.array_equal(total, _draws(est, "region=city") + _draws(est, "region=rural"))
    assert est.value == np.median(total)
    assert "2 strata" in est.method and "latent_class" in est.method
    assert any(w.startswith("stratum region=") for w in est.diagnostics["warnings"])


# -- (b) the checks, each naming the stratum ----------------------------------------------

def _pattern(rows, **columns):
    """A pattern table on lists A, B, C, D from (pattern string, count) pairs."""
    frame = pd.DataFrame([[int(c) for c in p] + [n] for p, n in rows], columns=["A", "B", "C", "D", "count"])
    return _with(frame, **columns)


GOOD = [("1000", 30), ("0100", 30), ("0010", 30), ("0001", 30), ("1100", 8), ("0011", 8), ("1010", 5), ("1111", 2)]


@pytest.mark.parametrize("rows, failure", [
    ([("1000", 3), ("0100", 2), ("1100", 1), ("0010", 1), ("0001", 1)], "8 records, fewer than min_records=10"),
    ([("1000", 30), ("0100", 30), ("0010", 30), ("1100", 5), ("0110", 4)], "no record on list(s) ['D']"),
    ([("1000", 30), ("0100", 30), ("1100", 5)], "2 list(s) with records, fewer than the 3 latent_class needs"),
    ([("1000", 30), ("0100", 30), ("0010", 30), ("0001", 30)], "no record on two or more lists"),
])
def test_each_check_names_the_stratum_and_what_failed(rows, failure):
    table = pd.concat([_pattern(GOOD, year=2010, place="north"), _pattern(rows, year=2011, place="north")])
    with pytest.raises(ValueError, match="fail the checks") as info:
        stratified(table, ["place", "year"], random_seed=1, client=False, **FAST)
    message = str(info.value)
    assert "stratum place=north, year=2011: " in message and failure in message  # every failed check listed
    assert "year=2010" not in message and "merge='neighbour'" in message


def poisson_draws(histories, *, random_seed, level, **options):
    """A stand-in Bayesian estimator (not a model): any callable keeping draws of N will do."""
    from estimators.posterior import posterior_estimate, to_idata

    n = int(histories["count"].sum())
    N = n + np.random.default_rng(random_seed).poisson(0.5 * n, size=(2, 100))
    return posterior_estimate(N, level=level, method="poisson_draws", observed=n, idata=to_idata({"N": N}))


def test_the_minimum_number_of_lists_depends_on_the_estimator():
    # 2011 has records on two lists only: too few for latent_class, enough for an
    # estimator the package does not know (two, the fewest capture-recapture needs).
    table = pd.concat([_pattern(GOOD, year=2010),
                       _pattern([("1000", 30), ("0100", 30), ("1100", 5)], year=2011)])
    with pytest.raises(ValueError, match="stratum year=2011: 2 list.s. with records, fewer than the 3 latent_class"):
        stratified(table, "year", empty_lists="drop", random_seed=1, client=False, **FAST)
    est = stratified(table, "year", estimator=poisson_draws, empty_lists="drop", random_seed=1, client=False)
    assert est.details.set_index("stratum").loc["year=2011", "lists"] == 2
    assert est.diagnostics["dropped_lists"] == [{"stratum": "year=2011", "lists": ["C", "D"]}]


# -- (c) the merge rule and dropped lists -------------------------------------------------

def _years():
    """North: 2010-2013, 2011 too small (its neighbours: 2010 larger, 2012 smaller);
    south: one stratum."""
    return pd.concat([
        _small(600, [0.4, 0.3, 0.5], 1, place="north", year=2010),
        _small(12, [0.3, 0.3, 0.3], 2, place="north", year=2011),
        _small(300, [0.4, 0.3, 0.5], 3, place="north", year=2012),
        _small(500, [0.4, 0.3, 0.5], 4, place="north", year=2013),
        _small(400, [0.4, 0.3, 0.5], 5, place="south", year=2010),
    ], ignore_index=True)


def test_neighbour_merges_a_failing_stratum_with_its_smaller_neighbour_and_reports_it():
    table = _years()
    small = int(table.loc[table["year"] == 2011, "count"].sum())
    assert small < 10
    with pytest.raises(ValueError, match=f"stratum place=north, year=2011: {small} records"):
        stratified(table, ["place", "year"], random_seed=1, client=False, **FAST)
    est = stratified(table, ["place", "year"], merge="neighbour", random_seed=1, client=False, **FAST)
    assert est.diagnostics["merges"] == [{
        "into": "place=north, year=2011+2012",
        "merged": ["place=north, year=2011", "place=north, year=2012"],
        "because": f"stratum place=north, year=2011: {small} records, fewer than min_records=10"}]
    d = est.details.set_index("stratum")
    assert list(d.index) == ["place=north, year=2010", "place=north, year=2011+2012", "place=north, year=2013",
                             "place=south, year=2010"]
    merged = d.loc["place=north, year=2011+2012"]
    assert merged["year"] == "2011+2012" and merged["place"] == "north"
    assert merged["merged_from"] == "place=north, year=2011; place=north, year=2012"
    assert merged["observed"] == table.loc[table["year"].isin([2011, 2012]) & (table["place"] == "north"),
                                           "count"].sum()
    assert d["merged_from"].drop("place=north, year=2011+2012").eq("").all()
    assert est.diagnostics["strata"] == 4 and d["observed"].sum() == est.observed == table["count"].sum()
    from estimators import Estimate

    back = Estimate.from_json(est.to_json())  # a merged column's text survives the round trip
    assert list(back.details["year"]) == [2010, "2011+2012", 2013, 2010] and back.diagnostics["merges"]
    # The strata not merged keep their own seeds, hence their draws.
    alone = stratified(table[table["place"] == "south"], ["place", "year"], random_seed=1, client=False, **FAST)
    assert np.array_equal(_draws(est, "place=south, year=2010"), _draws(alone, "place=south, year=2010"))


def test_merging_repeats_until_every_stratum_passes_and_a_stratum_alone_cannot_merge():
    table = pd.concat([
        _small(15, [0.3, 0.3, 0.3], 2, year=2010),  # 10 records
        _small(12, [0.3, 0.3, 0.3], 3, year=2011),  # 7
        _small(12, [0.3, 0.3, 0.3], 2, year=2012),  # 9
        _small(800, [0.4, 0.3, 0.5], 4, year=2013),
    ], ignore_index=True)
    est = stratified(table, "year", merge="neighbour", min_records=20, random_seed=1, client=False, **FAST)
    # 2011 (fewest) joins 2012 (its smaller neighbour); 16 records still fail, then
    # 2010 (now the fewest) joins them: 26 records pass.
    assert est.diagnostics["merges"] == [
        {"into": "year=2011+2012", "merged": ["year=2011", "year=2012"],
         "because": "stratum year=2011: 7 records, fewer than min_records=20"},
        {"into": "year=2010+2011+2012", "merged": ["year=2010", "year=2011+2012"],
         "because": "stratum year=2010: 10 records, fewer than min_records=20"}]
    d = est.details
    assert list(d["stratum"]) == ["year=2010+2011+2012", "year=2013"] and list(d["observed"])[0] == 26
    assert d["merged_from"].iloc[0] == "year=2010; year=2011; year=2012"
    years = _years()
    south = int(years.loc[years["place"] == "south", "count"].sum())
    with pytest.raises(ValueError, match=f"stratum place=south, year=2010 fails the checks .{south} records.*"
                                         "no neighbour to merge with .it is the only stratum with place=south"):
        stratified(years, ["place", "year"], merge="neighbour", min_records=south + 1, random_seed=1,
                   client=False, **FAST)


def test_empty_lists_are_refused_or_dropped_within_the_stratum_and_reported():
    full = _small(600, [0.4, 0.3, 0.5, 0.4], 1, year=2010)
    three = _small(600, [0.4, 0.3, 0.5], 2, year=2011).rename(columns={"L3": "L4"})
    three["L3"] = 0  # list L3 has no record in 2011
    table = pd.concat([full, three[full.columns]], ignore_index=True)
    with pytest.raises(ValueError, match=r"stratum year=2011: no record on list\(s\) \['L3'\]"):
        stratified(table, "year", random_seed=1, client=False, **FAST)
    est = stratified(table, "year", empty_lists="drop", random_seed=1, client=False, **FAST)
    assert est.diagnostics["dropped_lists"] == [{"stratum": "year=2011", "lists": ["L3"]}]
    d = est.details.set_index("stratum")
    assert d.loc["year=2011", "dropped_lists"] == "L3" and d.loc["year=2011", "lists"] == 3
    assert d.loc["year=2010", "dropped_lists"] == "" and d.loc["year=2010", "lists"] == 4


# -- (d) cache ------------------------------------------------------------------------------

CALLS = []


def counted(histories, **options):
    CALLS.append(len(histories))
    return latent_class(histories, **options)


def test_a_second_call_loads_every_stratum_from_the_cache(tmp_path, monkeypatch):
    table = _years()
    CALLS.clear()
    first = stratified(table, ["place", "year"], estimator=counted, merge="neighbour", cache=tmp_path,
                       random_seed=1, client=False, **FAST)
    assert len(CALLS) == 4 and not first.details["from_cache"].any()
    assert len(list(tmp_path.glob("*.npy"))) == len(list(tmp_path.glob("*.json"))) == 4
    CALLS.clear()
    import estimators._dask

    def no_cluster(*args):
        raise AssertionError("a cluster was started with nothing to run")

    monkeypatch.setattr(estimators._dask._Cluster, "__enter__", no_cluster)
    again = stratified(table, ["place", "year"], estimator=counted, merge="neighbour", cache=tmp_path,
                       random_seed=1, client=None, **FAST)  # everything cached: no cluster is started
    assert CALLS == [] and again.details["from_cache"].all() and again.diagnostics["cached"] == 4
    assert (again.value, again.lower, again.upper) == (first.value, first.lower, first.upper)
    assert np.array_equal(again.idata.posterior["N_stratum"], first.idata.posterior["N_stratum"])
    assert again.diagnostics["warnings"] == first.diagnostics["warnings"]  # kept in the JSON summary
    # One more stratum: only it is fitted. Another option or seed: everything is.
    more = pd.concat([table, _small(300, [0.4, 0.3, 0.5], 9, place="south", year=2011)], ignore_index=True)
    CALLS.clear()
    stratified(more, ["place", "year"], estimator=counted, merge="neighbour", cache=tmp_path, random_seed=1,
               client=False, **FAST)
    assert len(CALLS) == 1
    CALLS.clear()
    stratified(table, ["place", "year"], estimator=counted, merge="neighbour", cache=tmp_path, random_seed=1,
               client=False, **{**FAST, "draws": 100})
    assert len(CALLS) == 4


# -- (e) seeds: same seed, same numbers, wherever they ran ---------------------------------

def test_same_seed_same_numbers_in_process_and_on_a_local_cluster():
    table = _years()
    kw = dict(merge="neighbour", random_seed=7, **FAST)
    serial = stratified(table, ["place", "year"], client=False, **kw)
    again = stratified(table, ["place", "year"], client="serial", **kw)
    dask = stratified(table, ["place", "year"], client=None, n_workers=2, **kw)
    for other in (again, dask):
        assert np.array_equal(other.idata.posterior["N_stratum"], serial.idata.posterior["N_stratum"])
        assert (other.value, other.lower, other.upper) == (serial.value, serial.lower, serial.upper)
        assert other.details.drop(columns="from_cache").equals(serial.details.drop(columns="from_cache"))
    other_seed = stratified(table, ["place", "year"], client=False, **{**kw, "random_seed": 8})
    assert not np.array_equal(other_seed.idata.posterior["N"], serial.idata.posterior["N"])
    assert len(set(serial.details["seed"])) == len(serial.details)


# -- (f) multiple imputation ---------------------------------------------------------------

def test_imputations_are_pooled_with_equal_weight_and_their_spread_reported():
    rng = np.random.default_rng(3)
    victims = pd.DataFrame(rng.random((900, 3)) < [0.4, 0.3, 0.5], columns=["A", "B", "C"]).astype(int)
    victims = victims[victims.sum(axis=1) > 0].reset_index(drop=True)
    sex = np.where(rng.random(len(victims)) < 0.5, "F", "M")
    unknown = rng.random(len(victims)) < 0.3  # sex missing: imputed three times
    imputations = [_with(victims, sex=np.where(unknown, rng.choice(["F", "M"], len(victims)), sex))
                   for _ in range(3)]
    est = stratified(imputations, "sex", random_seed=2, client=False, **FAST)
    total = np.asarray(est.idata.posterior["N"])
    assert total.shape == (3 * FAST["chains"], FAST["draws"])  # chains of imputation m after those of m - 1
    info = est.diagnostics["imputations"]
    chunks = [total[m * 2:(m + 1) * 2].ravel() for m in range(3)]
    assert info["count"] == 3 and info["value"] == [float(np.median(c)) for c in chunks]
    assert est.value == float(np.median(np.concatenate(chunks)))
    assert info["between_variance"] == pytest.approx(np.var([c.mean() for c in chunks], ddof=1))
    assert info["within_variance"] == pytest.approx(np.mean([c.var(ddof=1) for c in chunks]))
    assert 0 < info["fraction_missing_information"] < 1
    # The first imputation's draws are those of a run on it alone (its seeds do not move).
    alone = stratified(imputations[0], "sex", random_seed=2, client=False, **FAST)
    assert np.array_equal(np.asarray(alone.idata.posterior["N"]).ravel(), chunks[0])
    assert list(est.details["imputation"]) == [1, 1, 2, 2, 3, 3]
    assert est.observed == len(victims) and "pooled over 3 imputations" in est.method


# -- (g) bad input ---------------------------------------------------------------------------

def no_draws(histories, **options):
    from estimators import Estimate

    return Estimate(value=float(histories["count"].sum()))


def test_bad_input_is_refused_with_what_was_expected():
    table = _years()
    run = dict(random_seed=1, client=False, **FAST)
    with pytest.raises(ValueError, match=r"no column 'region'"):
        stratified(table, ["place", "region"], **run)
    with pytest.raises(ValueError, match="by must name"):
        stratified(table, [], **run)
    with pytest.raises(ValueError, match="must not name the 'count' column"):
        stratified(table, "count", **run)
    with pytest.raises(ValueError, match="posterior draws of N.*latent_class"):
        stratified(table, ["place", "year"], estimator=loglinear, **run)
    with pytest.raises(ValueError, match="stratum place=north, year=2010: no_draws returned no posterior draws"):
        stratified(table, ["place", "year"], estimator=no_draws, merge="neighbour", **run)
    with pytest.raises(ValueError, match="merge must be one of"):
        stratified(table, ["place", "year"], merge="nearest", **run)
    with pytest.raises(ValueError, match="empty_lists must be one of"):
        stratified(table, ["place", "year"], empty_lists="ignore", **run)
    with pytest.raises(TypeError, match="not a file name"):
        stratified("victims.csv", "year", **run)
    with pytest.raises(TypeError, match="random_seed"):
        stratified(table, ["place", "year"], client=False)
    with pytest.raises(ValueError, match="imputation 2 has columns"):
        stratified([table, table.drop(columns="L3")], ["place", "year"], **run)
    # A bad cell: the stratum and the row of the whole table are named.
    bad = table.copy()
    bad["L2"] = bad["L2"].astype(object)
    bad.loc[4, "L2"] = 2
    with pytest.raises(DataValidationError, match=r"<DataFrame>, stratum place=north, year=2010, row 5, "
                                                  r"column 'L2': got 2; expected one of: 0, 1"):
        stratified(bad, ["place", "year"], **run)
    gap = table.copy()
    gap["place"] = gap["place"].astype(object)
    gap.loc[6, "place"] = None
    with pytest.raises(DataValidationError, match=r"row 7, column 'place'.*a stratum value"):
        stratified(gap, ["place", "year"], **run)
    victims = pd.DataFrame({"id": [1, 2, 1], "A": [1, 0, 1], "B": [1, 1, 0], "C": [0, 1, 1], "year": [1, 1, 2]})
    with pytest.raises(DataValidationError, match=r"row 3, column 'id'.*one stratum"):
        stratified(victims, "year", id_column="id", **run)
    with pytest.raises(ValueError, match=r"2 list column\(s\) remain \['A', 'B'\]: latent_class needs at least 3"):
        stratified(victims.drop(columns=["C", "id"]), "year", **run)
