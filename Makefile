# synth: `make demo` sets up and runs the demo fleet; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.synth-installed

.PHONY: setup demo test test-fast lint bench soak schema clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	VENV_BIN=$(BIN) scripts/install-system.sh
	touch $(STAMP)

demo: setup
	$(BIN)/synth demo

test: setup
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not soak"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run.py

soak: setup
	SYNTH_SOAK_RUNS=500 $(BIN)/pytest -q -m soak -s tests

schema: setup
	$(BIN)/python -m agent.schema

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
