# The two commands the README promises, plus benchmarks and the long calibration runs.
# Needs only Python 3.11, pip and make: `.venv` is created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Set ordering and hashing inside notebooks must not vary between runs.
export PYTHONHASHSEED := 0

.PHONY: help venv test reproduce benchmark calibrate clean

help:
	@echo "make test       unit tests + nbval regression check of every notebook"
	@echo "make reproduce  execute every notebook in place; write figures/ and figures/summary.*"
	@echo "make benchmark  speed measurements in benchmarks/ (on demand, not in CI)"
	@echo "make calibrate  the full (slow) coverage studies"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[notebooks,test]"
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks \
	    --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

reproduce: $(STAMP)
	$(BIN)/python -m estimators.reproduce

benchmark: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

calibrate: $(STAMP)
	$(BIN)/python -m pytest tests -m slow

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
