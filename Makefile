# foerderradar: one command to set up and run, one to test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS ?= test

.PHONY: setup demo test test-fast bench eval constraints constraints-fresh clean

setup: $(STAMP)

# Installs exactly the versions in constraints.txt (see its header); refuses to finish when
# pyproject.toml asks for something constraints.txt does not pin.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { echo "==> creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python tools/constraints.py check --before --extras $(EXTRAS)
	@echo "==> installing foerderradar and its pinned dependencies into $(VENV) (first time: 1-3 min)"
	@# PYTHONWARNINGS: setuptools' notice about editable installs is not for users of the tool
	@PYTHONWARNINGS=ignore $(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt -e ".[$(EXTRAS)]"
	@$(BIN)/python tools/constraints.py check --extras $(EXTRAS)
	@touch $(STAMP)
	@echo "==> ready: activate with  . $(VENV)/bin/activate  (puts foerderradar and prefect on PATH)"

## the main job: crawl the bundled demo site on 127.0.0.1, extract, load the warehouse
demo: setup
	$(BIN)/foerderradar demo
	$(BIN)/foerderradar demo --night 2

test: setup
	$(BIN)/python -m pytest

## without the slow tests (real Prefect scheduler, kill -9 of a run)
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

## results go to var/bench/ (not tracked); bench/results/latest.json is the committed reference
bench: setup
	$(BIN)/python bench/run.py

## scores on the shared dev corpus (needs ../shared)
eval: setup
	$(BIN)/foerderradar eval ../shared/corpus/dev --verbose

## after adding a dependency to pyproject.toml: pin it (every other pin stays)
constraints:
	$(PYTHON) tools/constraints.py update

## upgrade every pin (then run make test)
constraints-fresh:
	$(PYTHON) tools/constraints.py update --fresh

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
