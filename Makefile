# Two set-up commands for a fresh machine: `make demo` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export NUMBA_CACHE_DIR ?= $(CURDIR)/data/numba_cache
# Latest complete month (the demo default); override with `make demo MONTH=2026-06`.
MONTH ?= $(shell date -d "$$(date +%Y-%m-01) -1 month" +%Y-%m)
REGIONS ?= 79,35

.PHONY: install demo test ui bench lint clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m orchestration.demo --month $(MONTH) --regions $(REGIONS)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

ui: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
