# The two commands the README promises, plus benchmarks and the long calibration runs.
# Needs only Python 3.11, pip and make: `.venv` is created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Set ordering and hashing inside notebooks must not vary between runs.
export PYTHONHASHSEED := 0

.PHONY: help venv test reproduce docs benchmark calibrate lock clean

help:
	@echo "make test       unit tests + nbval regression check of every notebook"
	@echo "make reproduce  execute every notebook in place; write figures/ and figures/summary.*"
	@echo "make docs       the documentation site in docs/_build/html (notebooks + API)"
	@echo "make benchmark  speed measurements in benchmarks/ (on demand, not in CI)"
	@echo "make calibrate  the full (slow) coverage studies: data/calibration/, figures/06_calibration_full"
	@echo "make lock       re-resolve the dependencies into requirements.lock"

# The exact versions CI tested, with their hashes (requirements.lock); the package itself
# on top without resolving anything, built by the locked setuptools.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks \
	    --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

reproduce: $(STAMP)
	$(BIN)/estimators reproduce

# The notebooks as committed (never executed here) and the docstrings; warnings are errors.
docs: $(STAMP)
	$(BIN)/python -m sphinx -E -W --keep-going -q -b html docs docs/_build/html
	@echo "open docs/_build/html/index.html"

benchmark: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

calibrate: $(STAMP)
	$(BIN)/python benchmarks/calibrate.py
	$(BIN)/python -m pytest tests -m slow

# Re-resolve every dependency to its newest allowed release, rewrite requirements.lock
# (pip-tools in a venv of its own) and environment.yml's pins. Then `make test` and
# `make reproduce`, and commit both files with the re-executed notebooks: their watermark
# cells print the versions.
# `make lock LOCK_UPGRADE=` adds a new dependency and keeps every other pin where it is.
LOCK_TOOLS := .venv-lock
LOCK_UPGRADE ?= --upgrade
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || ( $(PYTHON) -m venv $(LOCK_TOOLS) && \
	    $(LOCK_TOOLS)/bin/python -m pip install --quiet "pip-tools==7.7.0" "setuptools>=77" )
	$(LOCK_TOOLS)/bin/pip-compile $(LOCK_UPGRADE) --quiet --generate-hashes --allow-unsafe \
	    --strip-extras --no-emit-index-url --no-emit-find-links --all-build-deps \
	    --extra notebooks --extra test --extra docs -o requirements.lock pyproject.toml
	$(PYTHON) .ci/sync_environment.py

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) build dist *.egg-info .pytest_cache docs/_build
