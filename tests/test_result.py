"""The result contract: what every estimator returns."""

import math

import numpy as np
import pandas as pd
import pytest

from estimators import Estimate, EstimateTable


def range_estimate():
    return Estimate(
        value=None, lower=3270, upper=4767, interval="range",
        interval_method="confirmed + fair incidents", method="graded_range",
    )


def credible_estimate():
    return Estimate(
        value=1840.2, lower=1610, upper=2230.4, level=0.95, interval="credible",
        interval_method="equal-tailed", method="multi_source", observed=1302,
        diagnostics={"r_hat": np.float64(1.002), "ess_bulk": 812.0, "divergences": 0,
                     "warnings": ["none"], "per_chain": np.array([1.0, 2.0])},
        details=pd.DataFrame({"source": ["a", "b"], "completeness": [0.25, 0.5], "n": [3, 4]}),
    )


class TestPublishableText:
    def test_range_reads_as_monitors_publish_it(self):
        assert str(range_estimate()) == "3,270–4,767 (range: confirmed + fair incidents)"

    def test_credible_interval_reads_with_level_and_separators(self):
        assert str(credible_estimate()) == "1,840 (95% credible interval 1,610–2,230)"

    def test_confidence_and_small_values(self):
        est = Estimate(value=31.27, lower=20.4, upper=47.9, level=0.9, interval="confidence",
                       interval_method="Katz log")
        assert str(est) == "31.3 (90% confidence interval 20.4–47.9)"
        assert est.interval_label == "90% confidence interval (Katz log)"

    def test_point_only(self):
        assert str(Estimate(value=12345)) == "12,345"


class TestInvalidConstruction:
    @pytest.mark.parametrize("kwargs, message", [
        (dict(value=5, lower=6, upper=4, level=0.95, interval="credible"), "greater than upper"),
        (dict(value=5, lower=4, upper=6, level=1.0, interval="credible"), "level in \\(0, 1\\)"),
        (dict(value=5, lower=4, upper=6, level=0.0, interval="confidence"), "level in \\(0, 1\\)"),
        (dict(value=5, lower=4, upper=6, level=None, interval="credible"), "level"),
        (dict(value=5, lower=4, upper=6, level=0.95, interval="bayesian"), "must be one of"),
        (dict(value=None, lower=4, upper=6, level=0.95, interval="range"), "no nominal level"),
        (dict(value=5, lower=4, upper=None, level=0.95, interval="credible"), "both lower and upper"),
        (dict(value=float("nan")), "must be a number"),
        (dict(value="12"), "must be a number"),
        (dict(value=None, lower=4, upper=6, level=0.95, interval="credible"), "central value"),
    ])
    def test_raises(self, kwargs, message):
        with pytest.raises(ValueError, match=message):
            Estimate(**kwargs)


class TestJsonRoundTrip:
    def test_everything_but_idata_survives(self):
        est = credible_estimate().replace(idata=object())
        back = Estimate.from_json(est.to_json())
        for name in ("value", "lower", "upper", "level", "interval", "interval_method",
                     "method", "quantity", "observed"):
            assert getattr(back, name) == getattr(est, name), name
        assert back.diagnostics == {"r_hat": 1.002, "ess_bulk": 812.0, "divergences": 0,
                                    "warnings": ["none"], "per_chain": [1.0, 2.0]}
        pd.testing.assert_frame_equal(back.details, est.details)
        assert back.idata is None
        assert str(back) == str(est)

    def test_nan_diagnostics_survive(self):
        back = Estimate.from_json(Estimate(value=1, diagnostics={"r_hat": float("nan")}).to_json())
        assert math.isnan(back.diagnostics["r_hat"])

    def test_range_round_trip(self):
        back = Estimate.from_json(range_estimate().to_json())
        assert back.value is None and str(back) == str(range_estimate())

    def test_unknown_fields_are_refused(self):
        with pytest.raises(ValueError, match="unknown Estimate fields"):
            Estimate.from_dict({"value": 1, "centre": 2})

    def test_table_round_trip_keeps_groups_and_order(self):
        table = EstimateTable(by="year", estimates={2019: credible_estimate(), 2015: range_estimate()},
                              details=pd.DataFrame({"year": [2019, 2015]}))
        back = EstimateTable.from_json(table.to_json())
        assert list(back) == [2019, 2015]
        assert str(back) == str(table)
        pd.testing.assert_frame_equal(back.to_frame(), table.to_frame())


class TestEstimateTable:
    def test_to_frame_has_one_row_per_group(self):
        table = EstimateTable(by="belligerent", estimates={"Russia": range_estimate(), "Turkey": credible_estimate()})
        frame = table.to_frame()
        assert list(frame["belligerent"]) == ["Russia", "Turkey"]
        assert frame.loc[0, "lower"] == 3270 and frame.loc[1, "interval"] == "credible"
        assert frame.loc[0, "text"] == "3,270–4,767 (range: confirmed + fair incidents)"

    def test_lookup_names_the_missing_group(self):
        table = EstimateTable(by="belligerent", estimates={"Russia": range_estimate()})
        with pytest.raises(KeyError, match="groups are \\['Russia'\\]"):
            table["Turkey"]

    def test_only_estimates(self):
        with pytest.raises(TypeError, match="expected an Estimate"):
            EstimateTable(by="x", estimates={"a": 3})


def test_summary_is_one_table():
    summary = credible_estimate().summary()
    assert summary.loc["interval", "estimate"] == "95% credible interval (equal-tailed)"
    assert summary.loc["diagnostics.r_hat", "estimate"] == pytest.approx(1.002)
