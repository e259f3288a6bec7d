"""Named-victim lists with known truth: the test bed for record linkage."""

import math

import numpy as np
import pandas as pd
import pytest

import estimators
from estimators import read_capture_histories
from estimators.checking import named_lists as module
from estimators.checking.simulate import SimulatedNamedLists, named_lists

FIELDS = ["name", "age", "sex", "date_of_death", "place"]


@pytest.fixture(scope="module")
def draw() -> SimulatedNamedLists:
    return named_lists(3000, (0.5, 0.4, 0.3), latin_lists=("B",), pdf_lists=("C",), random_seed=11)


@pytest.fixture(scope="module")
def clean() -> SimulatedNamedLists:
    return named_lists(2000, (0.6, 0.5, 0.4), corruption=0, duplicate_rate=0, latin_lists=("A", "B"),
                       random_seed=12)


def records(sim: SimulatedNamedLists) -> pd.DataFrame:
    """Every record with the person it is and that person's clean fields (suffix _true)."""
    frames = [frame.assign(list=name).rename(columns={"record_id": "record"}) for name, frame in sim.lists.items()]
    out = pd.concat(frames, ignore_index=True).merge(sim.truth, on=["list", "record"], validate="1:1")
    return out.merge(sim.population, on="person", suffixes=("", "_true"))


def test_reachable_as_estimators_simulate():
    assert estimators.simulate.named_lists is named_lists and module.named_lists is named_lists


def test_lists_have_the_documented_columns_and_dtypes(draw):
    assert list(draw.lists) == ["A", "B", "C"] and draw.N == 3000
    for name, frame in draw.lists.items():
        latin = ["name_latin"] if name == "B" else []
        assert list(frame.columns) == ["record_id", "name", *latin, "age", "sex", "date_of_death", "place"]
        assert frame["record_id"].is_unique and frame["record_id"].str.match(rf"^{name}-\d{{5}}$").all()
        assert frame["age"].dtype == "Int64" and frame["age"].dropna().between(0, 90).all()
        assert set(frame["sex"].dropna()) == {"m", "f"}
        assert pd.to_datetime(frame["date_of_death"].dropna(), format="%Y-%m-%d").between("2012", "2015").all()
        for column in ["name", *latin, "sex", "date_of_death", "place"]:
            assert frame[column].map(lambda v: v is None or isinstance(v, str)).all()
    assert list(draw.truth.columns) == ["list", "record", "person"]
    assert list(draw.population.columns) == ["person", "household", "relation", "given", "father", "grandfather",
                                             "family", "name", "name_latin", "sex", "age", "place",
                                             "date_of_death", "A", "B", "C"]
    assert draw.population["person"].tolist() == list(range(3000))


def test_ids_do_not_reveal_the_person(draw):
    persons = draw.truth.query("list == 'A'")["person"].to_numpy()
    assert abs(np.corrcoef(np.arange(len(persons)), persons)[0, 1]) < 0.1  # shuffled: ~N(0, 1/sqrt(n))


def test_list_sizes_match_the_capture_probabilities(draw):
    # people on list j ~ Binomial(N, p_j): within 4 binomial sd
    for name, p in zip("ABC", (0.5, 0.4, 0.3)):
        assert abs(draw.population[name].sum() - 3000 * p) < 4 * math.sqrt(3000 * p * (1 - p))
        assert draw.truth.query("list == @name")["person"].nunique() == draw.population[name].sum()


def test_a_list_may_hold_everyone():
    sim = named_lists(200, (1.0, 0.5), heterogeneity=1.0, random_seed=2)
    assert sim.population["A"].all() and sim.true_histories()["count"].sum() == 200


def test_truth_covers_every_record_exactly_once(draw):
    listed = pd.concat([f[["record_id"]].assign(list=n) for n, f in draw.lists.items()])
    truth = draw.truth.rename(columns={"record": "record_id"})
    assert not truth.duplicated(["list", "record_id"]).any() and len(truth) == len(listed)
    assert listed.merge(truth, on=["list", "record_id"], how="outer", indicator=True)["_merge"].eq("both").all()


def test_true_histories_count_each_listed_person_once(draw):
    table = draw.true_histories()
    assert table["count"].sum() == draw.truth["person"].nunique() < draw.N
    assert table.equals(read_capture_histories(table))
    on_a = table.loc[table["A"] == 1, "count"].sum()
    assert on_a == draw.population["A"].sum()


def test_without_corruption_a_person_is_the_same_on_every_list(clean):
    joined = records(clean)
    for field in FIELDS + ["name_latin"]:
        values = joined.dropna(subset=[field]) if field == "name_latin" else joined
        assert values.groupby("person")[field].nunique(dropna=False).max() == 1, field
    assert (joined["name"] == joined["name_true"]).all() and (joined["age"] == joined["age_true"]).all()
    assert (joined["name_latin"].dropna() == joined.loc[joined["name_latin"].notna(), "name_latin_true"]).all()


def test_more_corruption_more_names_differ_from_the_clean_name():
    shares = []
    for corruption in (0.0, 0.15, 0.3, 0.6):
        joined = records(named_lists(1500, (0.6, 0.6), corruption=corruption, random_seed=13))
        shares.append((joined["name"] != joined["name_true"]).mean())
    # ~1800 records each: sd of a share <= 0.012, the steps are ~0.15
    assert shares[0] == 0 and shares[1] > 0.1 and np.all(np.diff(shares) > 0.05), shares


def test_each_kind_of_corruption_does_what_it_says():
    sim = named_lists(1500, (0.6, 0.6), corruption=1, rates={k: 0 for k in module.KINDS} | {"age": 1, "date": 1},
                      random_seed=14)
    joined = records(sim)
    assert (joined["name"] == joined["name_true"]).all() and (joined["place"] == joined["place_true"]).all()
    age_off = (joined["age"] - joined["age_true"]).abs()
    assert joined["age"].isna().mean() == pytest.approx(0.2, abs=0.05)  # 0.2 of ~1800 records: sd 0.01
    assert age_off.dropna().between(1, 5).all() and (age_off == 1).mean() > 0.6
    dates = pd.to_datetime(joined["date_of_death"]) - pd.to_datetime(joined["date_of_death_true"])
    assert set(dates.dropna().dt.days) == {-1, 1}


def test_name_letter_variants():
    assert module._swap_ta_marbuta("فاطمة طه عبد الله", None) == "فاطمه طة عبد الله"
    assert module._swap_alef_maqsura("مصطفى علي", None) == "مصطفي على"
    assert module._join_compounds(["عبد الله", "نور الدين"]) == ["عبدالله", "نورالدين"]
    rng = np.random.default_rng(0)
    swapped = module._swap_hamza("أحمد إبراهيم مؤمن عائشة", rng)
    assert swapped != "أحمد إبراهيم مؤمن عائشة" and set(swapped) & set("ؤئ") == set()
    assert swapped.translate(str.maketrans("أإ", "اا")) == "احمد ابراهيم مومن عايشة"
    assert module._insert_tatweel("محمد", rng).replace("ـ", "") == "محمد"
    assert len(module._add_diacritics("محمد", rng)) > 4


def test_pdf_damage_on_pdf_lists_only(draw):
    assert module._pdf_damage("عبد الله بلال علاء الأحمد") == "عبد هللا بالل عالء األحمد"
    assert module._pdf_damage("عبدالله") == "عبدهللا"
    joined = records(draw)
    abdullah = joined["name_true"].str.contains("عبد الله")
    damaged = joined["name"].fillna("").str.contains("هللا")
    assert damaged[abdullah & (joined["list"] == "C")].mean() > 0.8  # unless a typo or haraka broke it
    assert not damaged[joined["list"] != "C"].any()
    on_c = joined.loc[joined["list"] == "C", "name"].str.replace("هللا", "")  # which ends in لا
    assert not on_c.str.contains("لا|الله").any()


def test_latin_names_vary_in_spelling(draw):
    b = records(draw).query("list == 'B'")
    assert b["name"].isna().mean() == pytest.approx(0.3 * 0.5, abs=0.05)  # ~1200 records: sd 0.01
    muhammad = b[b["given"] == "محمد"]["name_latin"].str.split().str[0]
    assert {"Muhammad", "Mohammed"} <= set(muhammad) and muhammad.nunique() >= 4


def test_households_share_family_name_place_and_date(draw):
    pop = draw.population
    assert (pop.groupby("household")[["family", "place", "date_of_death"]].nunique() == 1).all().all()
    children = pop[pop["relation"] == "child"]
    assert (children.groupby("household")[["father", "grandfather"]].nunique() == 1).all().all()
    assert not children.duplicated(["household", "given"]).any()
    fathers = pop[pop["relation"] == "father"].set_index("household")
    with_father = children[children["household"].isin(fathers.index)]
    assert (with_father["father"].to_numpy() == fathers.loc[with_father["household"], "given"].to_numpy()).all()
    assert pop.groupby("household").size().mean() == pytest.approx(2.5, rel=0.1)


def test_ages_and_names_look_like_war_deaths(draw):
    pop = draw.population
    assert 0.3 < (pop["age"] < 18).mean() < 0.65 and (pop.query("age >= 18")["sex"] == "m").mean() > 0.6
    assert len(module.MALE_NAMES) >= 60 and len(module.FEMALE_NAMES) >= 40 and len(module.FAMILY_NAMES) >= 80
    assert len(module.PLACES) >= 30 and pop["given"].str.contains(" ").any()


def test_heterogeneity_makes_memberships_positively_correlated():
    def correlation(h):
        on = named_lists(3000, (0.4, 0.4), heterogeneity=h, random_seed=15).population[["A", "B"]]
        return np.corrcoef(on["A"], on["B"])[0, 1]

    # without heterogeneity the correlation is ~N(0, 1/sqrt(3000) = 0.018)
    assert abs(correlation(0.0)) < 0.07 and correlation(2.0) > 0.15


def test_duplicates_at_about_the_given_rate():
    sim = named_lists(3000, (0.6, 0.6), corruption=0, duplicate_rate=0.1, random_seed=16)
    listed = sim.population[["A", "B"]].to_numpy().sum()
    extra = len(sim.truth) - listed
    assert abs(extra - 0.1 * listed) < 4 * math.sqrt(listed * 0.1 * 0.9)  # binomial sd
    assert sim.truth.duplicated(["list", "person"]).sum() == extra
    assert sim.true_histories()["count"].sum() == sim.truth["person"].nunique()


def test_true_pairs_are_the_records_of_one_person(draw):
    pairs = draw.true_pairs()
    person = draw.truth.set_index(["list", "record"])["person"]
    assert all(a < b and person[a] == person[b] for a, b in pairs)
    per_person = draw.truth.groupby("person").size()
    assert len(pairs) == (per_person * (per_person - 1) // 2).sum()
    assert any(a[0] == b[0] for a, b in pairs)  # within-list duplicates included


@pytest.mark.parametrize("kwargs, message", [
    ({"capture": (0.5,)}, "at least two lists"),
    ({"capture": (0.5, 0.0)}, r"in \(0, 1\]"),
    ({"capture": (0.5, 1.2)}, r"in \(0, 1\]"),
    ({"list_names": ["A", "A", "B"]}, "different non-empty names"),
    ({"list_names": ["age", "B", "C"]}, "clash"),
    ({"rates": {"smudge": 0.1}}, "unknown corruption kind 'smudge'; the kinds are: diacritics, tatweel"),
    ({"rates": {"typo": 2}}, r"in \[0, 1\]"),
    ({"rates": ["typo"]}, "rates must map corruption kinds"),
    ({"corruption": 1.5}, r"corruption must be in \[0, 1\]"),
    ({"heterogeneity": -1}, ">= 0"),
    ({"household_size": 0.5}, ">= 1"),
    ({"duplicate_rate": 1}, r"\[0, 1\)"),
    ({"pdf_lists": ["D"]}, r"pdf_lists names lists that do not exist: \['D'\]"),
    ({"N": 0}, "positive whole number"),
])
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        named_lists(**{"N": 50, **kwargs}, random_seed=1)


def test_the_seed_is_required_and_an_integer():
    with pytest.raises(TypeError):
        named_lists(50)
    with pytest.raises(TypeError, match="random_seed must be an integer"):
        named_lists(50, random_seed=1.5)


def test_same_seed_same_lists_other_seed_other_lists():
    a, b, c = (named_lists(300, latin_lists="A", pdf_lists="C", random_seed=s) for s in (3, 3, 4))
    assert all(a.lists[k].equals(b.lists[k]) for k in a.lists)
    assert a.truth.equals(b.truth) and a.population.equals(b.population) and a.params == b.params
    assert not a.lists["A"].equals(c.lists["A"]) and not a.population.equals(c.population)
