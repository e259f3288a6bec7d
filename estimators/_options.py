"""Option values that both an estimator and the command line need, in a module with no
numerical import: the CLI offers them without loading numpy (one list, no copy)."""

#: `loglinear`'s ``interval`` choices (documented in its docstring).
LOGLINEAR_INTERVALS = ("auto", "full", "calibrated", "bootstrap", "profile")
