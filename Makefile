# Two set-up commands for a fresh machine: `make demo` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export NUMBA_CACHE_DIR ?= $(CURDIR)/data/numba_cache
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
# Latest complete month (the demo default); override with `make demo MONTH=2026-06`.
MONTH ?= $(shell date -d "$$(date +%Y-%m-01) -1 month" +%Y-%m)
REGIONS ?= 79,35

MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml

.PHONY: install demo test ui bench lint clean browser-check

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# dagster-dbt loads models from the manifest: prepare it (and dbt's parse state for the
# platform's paths) whenever the dbt project changes.
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	$(BIN)/python -m orchestration.warehouse.prepare
	touch $(MANIFEST)

demo: $(STAMP) $(MANIFEST)
	$(BIN)/python -m orchestration.demo --month $(MONTH) --regions $(REGIONS)

test: $(STAMP) $(MANIFEST)
	$(BIN)/python -m pytest -n 2 --dist loadfile

ui: $(STAMP) $(MANIFEST)
	mkdir -p $(DAGSTER_HOME) && cp orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml

bench: $(STAMP) $(MANIFEST)
	$(BIN)/python -m benchmarks.run_all

# SQL lint compiles the models (dbt templater) for a placeholder month, into its own target folder,
# with no corrections log (the read_json of a log is DuckDB syntax sqlfluff cannot parse).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	mkdir -p data/lint
	DBT_PERIOD=2026-01 WAREHOUSE_PATH=$(CURDIR)/data/lint/warehouse.duckdb DBT_TARGET_PATH=$(CURDIR)/data/lint/target \
	  CORRECTIONS_ROOT=$(CURDIR)/data/lint/corrections \
	  DBT_LOG_PATH=$(CURDIR)/data/lint/logs $(BIN)/sqlfluff lint dbt_project/models

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache

# Headless-Chromium check of the UI (run after `make demo`); installs Debian's chromium if missing.
browser-check: $(STAMP) $(MANIFEST)
	test -x /usr/bin/chromium || (apt-get update -q && apt-get install -y -q chromium)
	$(BIN)/python -m orchestration.ui_check
