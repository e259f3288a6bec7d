"""link_lists: named lists -> scored pairs -> clusters -> capture histories -> MSE."""

import numpy as np
import pandas as pd
import pytest

import estimators
from estimators.data import DataValidationError, read_named_list
from estimators.linkage import Linkage, link_lists
from estimators.linkage import clusters as C

FIELDS = {"name": "name", "age": "age", "sex": "sex", "date_of_death": "dod"}
GIVEN = ["محمد", "أحمد", "علي", "حسن", "خالد", "عمر", "يوسف", "إبراهيم", "محمود", "سعيد", "عبد الله", "مصطفى"]
FAMILY = ["الحسن", "العلي", "الخطيب", "النجار", "الحداد", "الشامي", "المصري", "العمر"]


def clean_lists(N=400, capture=(0.5, 0.4, 0.3), seed=1):
    """Lists of one population with identical fields for the same person (no corruption):
    linkage must recover the people exactly."""
    rng = np.random.default_rng(seed)
    pick = lambda pool: pool[rng.integers(len(pool))]  # noqa: E731
    pop = pd.DataFrame({
        "name": [f"{pick(GIVEN)} {pick(GIVEN)} {pick(GIVEN)} {pick(FAMILY)}" for _ in range(N)],
        "age": rng.integers(1, 80, N), "sex": rng.choice(["m", "f"], N),
        "dod": [f"2017-{rng.integers(1, 10):02d}-{rng.integers(1, 29):02d}" for _ in range(N)],
    })
    lists, truth = {}, []
    for name, p in zip("ABC", capture):
        take = pop[rng.random(N) < p].copy()
        take["rid"] = [f"{name}{i}" for i in range(len(take))]
        lists[name] = take.reset_index(names="person")
        truth.append(pd.DataFrame({"list": name, "record": take["rid"], "person": take.index}))
    return lists, pd.concat(truth, ignore_index=True)


@pytest.fixture(scope="module")
def linked():
    lists, truth = clean_lists()
    return link_lists({k: v.drop(columns="person") for k, v in lists.items()}, id_column="rid",
                      fields=FIELDS, random_seed=7), truth


def test_clean_lists_are_linked_into_exactly_their_people(linked):
    linkage, truth = linked
    merged = linkage.clusters.merge(truth, on=["list", "record"], validate="one_to_one")
    assert len(merged) == len(truth)
    # one cluster per person and one person per cluster
    assert (merged.groupby("cluster")["person"].nunique() == 1).all()
    assert (merged.groupby("person")["cluster"].nunique() == 1).all()


def test_capture_histories_count_each_person_once_on_each_list(linked):
    linkage, truth = linked
    table = linkage.capture_histories()
    expected = truth.assign(on=1).pivot_table(index="person", columns="list", values="on", fill_value=0)
    expected = estimators.read_capture_histories(expected.reset_index(drop=True).astype(int))
    pd.testing.assert_frame_equal(table, expected)
    assert table.attrs["lists"] == ["A", "B", "C"]


def test_pairs_carry_probability_and_per_field_evidence(linked):
    linkage, _ = linked
    pairs = linkage.pairs
    for column in ["list_l", "record_l", "list_r", "record_r", "match_probability", "match_weight",
                   "gamma_given", "mw_given", "gamma_context", "mw_context", "gamma_age", "gamma_sex"]:
        assert column in pairs
    assert pairs["match_probability"].between(0, 1).all()
    # the weight is the log2 odds of the probability
    moderate = pairs[pairs["match_probability"].between(0.01, 0.99)]  # where 9 decimals keep the odds
    odds = moderate["match_probability"] / (1 - moderate["match_probability"])
    np.testing.assert_allclose(np.log2(odds), moderate["match_weight"], atol=1e-5)


def test_the_same_seed_gives_the_same_linkage(linked):
    linkage, _ = linked
    lists, _ = clean_lists()
    again = link_lists({k: v.drop(columns="person") for k, v in lists.items()}, id_column="rid",
                       fields=FIELDS, random_seed=7)
    pd.testing.assert_frame_equal(linkage.pairs, again.pairs)


def test_duplicates_within_a_list_are_merged():
    lists, _ = clean_lists(N=200)
    a = lists["A"].drop(columns="person")
    twice = pd.concat([a, a.iloc[:5].assign(rid=[f"A-dup{i}" for i in range(5)])], ignore_index=True)
    linkage = link_lists({"A": twice, "B": lists["B"].drop(columns="person")}, id_column="rid",
                         fields=FIELDS, random_seed=1)
    cl = linkage.clusters.set_index(["list", "record"])["cluster"]
    for i in range(5):
        assert cl[("A", twice["rid"][i])] == cl[("A", f"A-dup{i}")]
    # a person listed twice on A is on A once in the capture histories
    table = linkage.capture_histories()
    assert table["count"].sum() == linkage.clusters["cluster"].nunique()


def test_components_are_transitive_and_numbered_by_first_record():
    labels = C.components(6, np.array([4, 1]), np.array([5, 4]))
    assert labels.tolist() == [0, 1, 2, 3, 1, 1]


def test_our_clusters_are_splinks_connected_components(linked):
    from splink import DuckDBAPI
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    linkage, _ = linked
    api = DuckDBAPI()
    nodes = api.register(linkage.records[["unique_id"]])
    edges = api.register(linkage.pairs[["unique_id_l", "unique_id_r", "match_probability"]])
    theirs = cluster_pairwise_predictions_at_threshold(nodes, edges, db_api=api, node_id_column_name="unique_id",
                                                       threshold_match_probability=linkage.threshold)
    theirs = theirs.as_pandas_dataframe().sort_values("unique_id")
    ours = linkage.clusters["cluster"].to_numpy()
    # the same partition (labels may differ)
    assert pd.crosstab(ours, theirs["cluster_id"].to_numpy()).astype(bool).sum(axis=1).eq(1).all()
    assert len(set(ours)) == theirs["cluster_id"].nunique()


def test_partition_draws_link_an_isolated_pair_with_its_probability_and_need_every_member():
    pairs = pd.DataFrame({"unique_id_l": [0, 2, 2, 3], "unique_id_r": [1, 3, 4, 4],
                          "match_probability": [0.25, 0.9, 0.9, 0.9]})
    draws = np.array(list(C.drawn(6, pairs, 4000, random_seed=1, method="partition")))
    # successive Gibbs draws are correlated: 5 sd of 4000 independent draws (0.034) as a bound
    assert abs((draws[:, 0] == draws[:, 1]).mean() - 0.25) < 0.034
    together = ((draws[:, 2] == draws[:, 3]) & (draws[:, 3] == draws[:, 4])).mean()
    assert abs(together - 9**3 / (9**3 + 3 * 9 + 1)) < 0.02  # odds 9 on each of the three pairs
    chain = pd.DataFrame({"unique_id_l": [0, 1], "unique_id_r": [1, 2], "match_probability": [0.99, 0.99]})
    draws = np.array(list(C.drawn(3, chain, 2000, random_seed=2, method="partition")))
    # 0 and 2 never scored: together only at the floor's odds (1e-3), about 5% here
    assert ((draws[:, 0] == draws[:, 2]).mean()) < 0.1
    with pytest.raises(ValueError, match="method must be one of"):
        next(C.drawn(3, chain, 1, random_seed=2, method="threshold"))


def test_drawn_clusterings_follow_the_pair_probabilities():
    pairs = pd.DataFrame({"unique_id_l": [0, 2], "unique_id_r": [1, 3], "match_probability": [0.25, 1.0]})
    draws = np.array([lab for lab in C.drawn(4, pairs, 4000, random_seed=3)])
    linked01 = (draws[:, 0] == draws[:, 1]).mean()
    # binomial(4000, 0.25): sd 0.0068, so 4 sd is 0.028
    assert abs(linked01 - 0.25) < 0.028
    assert (draws[:, 2] == draws[:, 3]).all()
    again = np.array([lab for lab in C.drawn(4, pairs, 4000, random_seed=3)])
    np.testing.assert_array_equal(draws, again)


def test_linkage_clusterings_and_thresholds(linked):
    linkage, _ = linked
    first = list(linkage.clusterings(3, random_seed=5))
    assert len(first) == 3 and all(lab.shape == (len(linkage.records),) for lab in first)
    assert all((a == b).all() for a, b in zip(first, linkage.clusterings(3, random_seed=5)))
    strict = linkage.with_threshold(0.999)
    assert strict.clusters["cluster"].nunique() >= linkage.clusters["cluster"].nunique()
    with pytest.raises(ValueError, match="threshold"):
        linkage.with_threshold(1.0)
    with pytest.raises(ValueError, match="draws must be"):
        linkage.with_draws(0)
    with pytest.raises(ValueError, match="draw_method must be"):
        linkage.with_draws(method="thresholds")
    with pytest.raises(ValueError, match="one cluster per record"):
        linkage.capture_histories(np.zeros(3, dtype=int))
    assert "records on 3 lists" in repr(linkage)


def test_mse_estimators_take_a_linkage_and_pool_over_clusterings(linked):
    linkage, _ = linked
    pooled = estimators.loglinear(linkage, terms="independence")
    fixed = estimators.loglinear(linkage.capture_histories(), terms="independence")
    assert pooled.diagnostics["clusterings"] == linkage.draws
    assert pooled.diagnostics["at_threshold"]["value"] == pytest.approx(fixed.value)
    assert "Rubin" in pooled.interval_method and "pooled over" in pooled.method
    assert len(pooled.details) == linkage.draws
    # clean lists: the draws differ only in a few unlikely links, so pooling moves little
    assert pooled.value == pytest.approx(fixed.value, rel=0.01)
    assert pooled.diagnostics["rubin"]["between"] >= 0
    partition = estimators.loglinear(linkage.with_draws(5, method="partition"), terms="independence")
    assert len(partition.details) == 5 and partition.value == pytest.approx(fixed.value, rel=0.01)
    bayes = estimators.latent_class(linkage, random_seed=1, draws=100, burn=500, thin=5, chains=2)
    assert bayes.interval == "credible" and "pooled" in bayes.method
    again = estimators.latent_class(linkage, random_seed=1, draws=100, burn=500, thin=5, chains=2)
    assert (bayes.value, bayes.lower, bayes.upper) == (again.value, again.lower, again.upper)
    with pytest.raises(TypeError, match="by keyword"):
        estimators.chapman(linkage, 1, 2)


def test_rubins_rules_add_the_spread_between_clusterings():
    from estimators.mse.linked import _rubin
    from estimators.result import Estimate

    same = [Estimate(100, 80, 125, level=0.95, interval="confidence")] * 5
    one = _rubin(same, 0.95, "m", same[0], {}, pd.DataFrame({"people": [90] * 5}))
    assert (one.value, one.lower, one.upper) == pytest.approx((100, 80, 125))
    spread = [Estimate(v, v * 0.8, v * 1.25, level=0.95, interval="confidence") for v in (80, 90, 100, 110, 125)]
    wide = _rubin(spread, 0.95, "m", spread[0], {}, pd.DataFrame({"people": [90] * 5}))
    assert wide.lower < 80 * 0.95 and wide.upper > 125


# -- bad input: clear errors naming list, row and column ---------------------------------------

def lists_for_errors():
    lists, _ = clean_lists(N=60)
    return {k: v.drop(columns="person") for k, v in lists.items()}


def test_a_list_without_the_name_column_is_refused():
    lists = lists_for_errors()
    lists["B"] = lists["B"].drop(columns="name")
    with pytest.raises(DataValidationError, match=r"list 'B'.*column 'name'.*a column named 'name'"):
        link_lists(lists, id_column="rid", fields=FIELDS, random_seed=1)


def test_an_empty_list_is_refused():
    lists = lists_for_errors()
    lists["C"] = lists["C"].iloc[:0]
    with pytest.raises(DataValidationError, match=r"list 'C'.*at least one record"):
        link_lists(lists, id_column="rid", fields=FIELDS, random_seed=1)


def test_repeated_ids_within_a_list_are_refused_with_their_row():
    lists = lists_for_errors()
    lists["A"].loc[3, "rid"] = lists["A"].loc[0, "rid"]
    with pytest.raises(DataValidationError, match=r"list 'A', row 4, column 'rid'.*not used in an earlier row"):
        link_lists(lists, id_column="rid", fields=FIELDS, random_seed=1)


def test_a_record_without_any_name_is_refused():
    lists = lists_for_errors()
    lists["A"].loc[2, "name"] = " "
    with pytest.raises(DataValidationError, match=r"list 'A', row 3, column 'name'.*a name"):
        link_lists(lists, id_column="rid", fields=FIELDS, random_seed=1)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "ministry.csv"
    path.write_bytes("rid,name\n1,محمد\n".encode() + "2,".encode() + "أحمد".encode("cp1256") + b"\n")
    with pytest.raises(DataValidationError, match=r"ministry.csv, row 2 \(line 3\).*UTF-8"):
        read_named_list(path, id_column="rid", fields={"name": "name"})


def test_argument_errors():
    lists = lists_for_errors()
    with pytest.raises(ValueError, match="at least two lists"):
        link_lists({"A": lists["A"]}, id_column="rid", fields=FIELDS, random_seed=1)
    with pytest.raises(TypeError, match="not a file name"):
        link_lists({"A": "a.csv", "B": lists["B"]}, id_column="rid", fields=FIELDS, random_seed=1)
    with pytest.raises(ValueError, match="unknown field role"):
        link_lists(lists, id_column="rid", fields={**FIELDS, "surname": "x"}, random_seed=1)
    with pytest.raises(ValueError, match="repair_pdf names lists that are not given"):
        link_lists(lists, id_column="rid", fields=FIELDS, random_seed=1, repair_pdf=["Z"])
    with pytest.raises(TypeError, match="random_seed"):
        link_lists(lists, id_column="rid", fields=FIELDS, random_seed=None)


def test_sex_spellings_are_folded_and_bad_ages_refused():
    frame = pd.DataFrame({"id": ["1", "2", "3"], "name": ["محمد", "فاطمة", "علي"], "sex": ["Male", "أنثى", ""],
                          "age": ["4", "31", "200"]})
    with pytest.raises(DataValidationError, match=r"row 3, column 'age'.*not above 130"):
        read_named_list(frame, id_column="id", fields={"name": "name", "sex": "sex", "age": "age"})
    table = read_named_list(frame.iloc[:2], id_column="id", fields={"name": "name", "sex": "sex", "age": "age"})
    assert table["sex"].tolist() == ["m", "f"] and table["record"].tolist() == ["1", "2"]


def test_spark_backend_runs_the_same_model():
    pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed: the Spark backend is not tested")
    spark = pyspark.sql.SparkSession.builder.master("local[1]").getOrCreate()
    lists = lists_for_errors()
    linkage = link_lists(lists, id_column="rid", fields=FIELDS, random_seed=1, backend="spark", spark=spark)
    assert isinstance(linkage, Linkage) and len(linkage.pairs)


# -- on simulated lists with known truth ----------------------------------------------------

def pairs_at(linkage, threshold):
    sel = linkage.pairs[linkage.pairs["match_probability"] >= threshold]
    return {tuple(sorted([(a, b), (c, d)])) for a, b, c, d in
            zip(sel["list_l"], sel["record_l"], sel["list_r"], sel["record_r"])}


@pytest.fixture(scope="module")
def simulated():
    sim = estimators.simulate.named_lists(2000, corruption=0.3, pdf_lists=("C",), random_seed=1)
    fields = {"name": "name", "age": "age", "sex": "sex", "date_of_death": "date_of_death", "place": "place"}
    return sim, link_lists(sim.lists, id_column="record_id", fields=fields, random_seed=1, repair_pdf=["C"])


def test_corrupted_lists_with_households_are_linked_with_high_precision_and_recall(simulated):
    # A quality floor, not a Monte Carlo tolerance: benchmarks/linkage.py tabulates
    # precision and recall over corruption levels and seeds (0.97 / 0.98 here when written).
    sim, linkage = simulated
    found, true = pairs_at(linkage, linkage.threshold), sim.true_pairs()
    precision, recall = len(found & true) / len(found), len(found & true) / len(true)
    assert precision > 0.95 and recall > 0.95
    # siblings (same father, place and date) are not merged into one person
    people = linkage.clusters.merge(sim.truth, on=["list", "record"]).groupby("cluster")["person"].nunique()
    assert (people > 1).mean() < 0.02


def test_blocking_generates_almost_every_true_pair(simulated):
    sim, linkage = simulated
    assert len(pairs_at(linkage, 0) & sim.true_pairs()) / len(sim.true_pairs()) > 0.99


@pytest.mark.slow
def test_the_linkage_aware_interval_covers_where_the_fixed_threshold_one_does_not():
    """The study of benchmarks/linkage_coverage.md (200 replicates, ~12 min on 2 cores)."""
    from estimators.checking import calibration, scenarios

    chosen = {s.estimator: s for s in scenarios.scenarios() if s.name == "corrupted named lists, households"}
    run = {name: calibration.coverage(chosen[name].estimate, chosen[name].simulate, n_reps=200,
                                      random_seed=2026, progress=False).table.iloc[0]
           for name in ("link_lists + loglinear (pooled)", "link_lists + loglinear (fixed threshold)")}
    pooled, fixed = run["link_lists + loglinear (pooled)"], run["link_lists + loglinear (fixed threshold)"]
    # 3.5 Monte Carlo s.e. of a 95% coverage over 200 replicates: 0.054
    assert pooled["coverage"] >= 0.95 - 0.054
    # measured 0.870 (s.e. 0.024): links taken as certain under-cover
    assert fixed["coverage"] < pooled["coverage"] and fixed["coverage"] < 0.92
