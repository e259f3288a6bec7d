"""How the estimators are checked against known truth.

`simulate` draws data sets from each estimator's generative model (and from broken
versions of it); `scenarios` names the designs every estimator is checked under, with
their assumptions held or broken; `calibration` runs coverage studies on them, on Dask.
Each is imported on first use (`estimators.checking.simulate`, or `estimators.simulate`).
"""
