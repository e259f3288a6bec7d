"""One convention for priors (estimators._priors): names, mappings of overrides, resolved
values, and sensitivity settings, the same for every estimator with several priors."""

from dataclasses import replace

import pandas as pd
import pytest

from estimators import incident_model, multi_source, simulate
from estimators._priors import resolve, resolve_sensitivity, setting_name
from estimators.incidents import PRIOR_SETTINGS as INCIDENT_SETTINGS
from estimators.incidents import resolve_priors as incident_priors
from estimators.sources import DEFAULT_SENSITIVITY, PRIOR_SETTINGS, Priors, resolve_priors

FAST = {"draws": 200, "tune": 100, "chains": 2, "mc_error": None, "sensitivity": False}


def _counts():
    return pd.DataFrame({"event": ["e"] * 3, "kind": ["acknowledged", "named", "monitor count"],
                         "value": [20, 50, 120], "qualifier": ["exact", "exact", "at least"]})


def test_the_resolver_reads_every_form():
    settings = {"default": {"a": 1}, "other": {"a": 2}}

    def override(base, entries):
        return {**base, **entries}

    assert resolve(None, settings, override=override, what="x") == {"a": 1}
    assert resolve("other", settings, override=override, what="x") == {"a": 2}
    assert resolve({"base": "other", "b": 3}, settings, override=override, what="x") == {"a": 2, "b": 3}
    assert resolve({"b": 3}, settings, override=override, what="x") == {"a": 1, "b": 3}
    with pytest.raises(ValueError, match="unknown x setting 'nope'; expected one of"):
        resolve("nope", settings, override=override, what="x")
    named = resolve_sensitivity(["other", {"b": 1}, {"b": 2}], {"a": 0}, settings, override=override, what="x")
    assert list(named) == ["other", "custom", "custom 2"]
    assert resolve_sensitivity({"mine": lambda base: {**base, "c": 1}}, {"a": 0}, settings,
                               override=override, what="x") == {"mine": {"a": 0, "c": 1}}
    assert [setting_name(p) for p in (None, "other", {"b": 1})] == ["default", "other", "custom"]


def test_multi_source_priors_by_name_mapping_or_object_give_the_same_fit():
    by_object = multi_source(_counts(), priors=replace(Priors(), concentration_median=3.0), random_seed=4, **FAST)
    by_name = multi_source(_counts(), priors="sources less alike (concentration 3)", random_seed=4, **FAST)
    by_mapping = multi_source(_counts(), priors={"concentration_median": 3.0}, random_seed=4, **FAST)
    for other in (by_name, by_mapping):
        assert (other.value, other.lower, other.upper) == (by_object.value, by_object.lower, by_object.upper)
    assert PRIOR_SETTINGS["default"] == Priors()
    assert set(PRIOR_SETTINGS) == {"default", *DEFAULT_SENSITIVITY}


def test_multi_source_overrides_merge_and_are_checked():
    p = resolve_priors({"base": "sources less complete (logit -1)", "completeness_mean": {"named": 0.3}})
    assert p.completeness_mean["named"] == 0.3
    assert p.completeness_mean["acknowledged"] == PRIOR_SETTINGS["sources less complete (logit -1)"].completeness_mean["acknowledged"]
    with pytest.raises(ValueError, match="unknown prior 'concentration'; expected some of"):
        resolve_priors({"concentration": 3})
    with pytest.raises(ValueError, match="overcount must be two positive Beta parameters"):
        resolve_priors({"overcount": (0, 9)})
    with pytest.raises(ValueError, match="unknown multi_source prior setting 'optimistic'"):
        resolve_priors("optimistic")
    with pytest.raises(TypeError, match="priors must be Priors"):
        resolve_priors(3.0)


def test_multi_source_sensitivity_takes_names_and_mappings():
    est = multi_source(_counts(), random_seed=2, **{**FAST, "sensitivity": ["sources more complete (logit +1)",
                                                                          {"concentration_median": 3.0}]},
                       sensitivity_draws=100)
    sens = est.details.query("table == 'prior sensitivity'")
    assert sens["setting"].tolist() == ["default", "sources more complete (logit +1)", "custom"]


def test_incident_priors_follow_the_same_convention():
    assert incident_priors(None) == INCIDENT_SETTINGS["default"]
    assert incident_priors({"base": "sceptical", "contested": (1, 9)})["contested"] == (1.0, 9.0)
    with pytest.raises(ValueError, match="prior 'contested' must have both parameters positive"):
        incident_priors({"contested": (0, 1)})
    sim = simulate.incidents(60, p_assessed=0.6, random_seed=5)
    est = incident_model(sim.table, belligerent=sim.belligerent, chains=2, draws=200, tune=100, random_seed=3,
                         sensitivity={"flat": "flat", "doubtful contested": {"contested": (1, 9)}})
    assert [r["prior"] for r in est.diagnostics["prior_sensitivity"]] == ["flat", "doubtful contested"]
