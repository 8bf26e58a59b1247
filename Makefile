# foerderradar: one command to set up and run, one to test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench eval clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## the main job: crawl the bundled demo site on 127.0.0.1, extract, load the warehouse
demo: setup
	$(BIN)/foerderradar demo

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run.py

## scores on the shared dev corpus (needs ../shared)
eval: setup
	$(BIN)/foerderradar eval ../shared/corpus/dev --verbose

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
