# Listening Warehouse — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

DATA_DIR ?= data
DEMO_DIR := $(DATA_DIR)/raw
RAW_DIR ?=
SCALE ?= 1
SEED ?= 42
DIRTY ?=

# Absolute paths so dbt, DuckDB and Python agree wherever they run from.
export LW_RAW_DIR := $(abspath $(if $(RAW_DIR),$(RAW_DIR),$(DEMO_DIR)))
export LW_WAREHOUSE ?= $(abspath $(DATA_DIR))/warehouse.duckdb
export DBT_PROFILES_DIR := $(abspath profiles)
export DBT_PROJECT_DIR := $(abspath dbt_project)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup run demo-data build train publish report docs test bench lint fmt clean
.PHONY: setup-spark test-spark parse-bigquery test-slow test-all
.SECONDEXPANSION:

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)  ## create the virtualenv and install pinned dependencies

demo-data: $(STAMP)  ## generate the demo raw data (SCALE=1, SEED=42; DIRTY=1: variant layouts) into data/raw
	$(BIN)/python -m models_py generate --out $(DEMO_DIR) --scale $(SCALE) --seed $(SEED) \
		$(if $(DIRTY),--dirty)

run: $(STAMP)  ## the main job: demo data (unless RAW_DIR=…), dbt build, models
	@mkdir -p $(DATA_DIR)
	$(BIN)/python -m models_py run $(if $(RAW_DIR),,--demo --scale $(SCALE) --seed $(SEED))

build: $(STAMP)  ## dbt build only, on LW_RAW_DIR
	@mkdir -p $(DATA_DIR)
	$(BIN)/python -m models_py build

train: $(STAMP)  ## train the models on the built warehouse, write scores back, publish
	$(BIN)/python -m models_py train

publish: $(STAMP)  ## publish the marts as a read-only snapshot for BI tools
	$(BIN)/python -m models_py publish

report: $(STAMP)  ## the HTML report of the marts and model runs (after `make run`)
	$(BIN)/python -m models_py report

DOCS_PORT ?= 8080
docs: $(STAMP)  ## dbt docs generate, then serve the site on localhost:DOCS_PORT (8080)
	$(BIN)/python -m models_py docs --serve --port $(DOCS_PORT)

# Two xdist workers (the machine has 2 cores), each test module on one worker so its module
# fixtures are made once; session fixtures (demo data, shared builds) are made once for both
# (tests/support.py). (--dist loadgroup with a group per module fixture was tried: the
# groups did not hold, and module fixtures were made on both workers.)
TEST_WORKERS ?= 2
PYTEST_XDIST = -n $(TEST_WORKERS) --dist loadscope
test: $(STAMP)  ## the test suite without the slow tier (xdist, TEST_WORKERS=2)
	$(BIN)/python -m pytest $(PYTEST_XDIST) -m 'not slow and not spark and not bigquery'

test-slow: $(STAMP)  ## the slow tier only (kill matrices, scaling curve)
	$(BIN)/python -m pytest $(PYTEST_XDIST) -m 'slow and not spark and not bigquery'

test-all: $(STAMP) $$(SPARK_STAMP)  ## every tier: make test, the slow tier, then make test-spark
	$(BIN)/python -m pytest $(PYTEST_XDIST)
	$(MAKE) test-spark

# `make bench BENCH_SCALE=5 BENCH_ARGS="--seed-sizes 1,10"`; see benchmarks/README.md
BENCH_SCALE ?= 50
BENCH_SEED ?= 42
BENCH_PLAYLISTS ?= 10000
BENCH_DIR ?= $(DATA_DIR)/bench
BENCH_ARGS ?=
BENCH_STAGES ?=

# the engines stage (on by default) builds the demo data on Spark too: .venv-spark first
BENCH_SPARK = $(if $(BENCH_STAGES),$(findstring engines,$(BENCH_STAGES)),engines)
bench: $(STAMP) $$(if $$(BENCH_SPARK),$$(SPARK_STAMP))  ## benchmark at BENCH_SCALE=50 (not part of test); results in benchmarks/results/
	$(BIN)/python -m benchmarks --scale $(BENCH_SCALE) --seed $(BENCH_SEED) \
		--max-test-playlists $(BENCH_PLAYLISTS) --dir $(BENCH_DIR) $(BENCH_ARGS) \
		$(if $(BENCH_STAGES),--stages $(BENCH_STAGES))

lint: $(STAMP)  ## ruff, import cycles, sqlfluff (dbt templater)
	$(BIN)/ruff check models_py tests benchmarks
	$(BIN)/ruff format --check models_py tests benchmarks
	$(BIN)/python .ci/import_cycles.py models_py benchmarks
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests dbt_project/analyses

fmt: $(STAMP)  ## format Python and fix SQL style
	$(BIN)/ruff format models_py tests benchmarks
	$(BIN)/ruff check --fix models_py tests benchmarks
	$(BIN)/sqlfluff fix dbt_project/models dbt_project/tests dbt_project/analyses

# --- Other engines: the same dbt project on Spark and BigQuery (own virtualenvs) ---
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
BQ_VENV := .venv-bigquery
BQ_STAMP := $(BQ_VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# Spark's warehouse and Derby metastore (profile `spark`); git-ignored under data/.
export LW_SPARK_DIR ?= $(abspath $(DATA_DIR))/spark

$(SPARK_STAMP): pyproject.toml
	@test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install --quiet -e '.[spark]'
	@rm -f $(SPARK_VENV)/.installed-* && touch $@

setup-spark: $(SPARK_STAMP)  ## virtualenv with dbt-spark + pyspark (needs Java 17)

test-spark: $(SPARK_STAMP)  ## build the demo data on Spark and on DuckDB, compare (tests -m spark)
	SPARK_LOCAL_IP=127.0.0.1 $(SPARK_VENV)/bin/python -m pytest -m spark tests/test_spark.py

$(BQ_STAMP): pyproject.toml
	@test -x $(BQ_VENV)/bin/python || $(PYTHON) -m venv $(BQ_VENV)
	$(BQ_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb')) \
		['project']['optional-dependencies']['bigquery']))" > $(BQ_VENV)/requirements.txt
	$(BQ_VENV)/bin/python -m pip install --quiet -r $(BQ_VENV)/requirements.txt
	@rm -f $(BQ_VENV)/.installed-* && touch $@

# dbt parse needs no connection: dummy project and keyfile names, nothing is contacted.
parse-bigquery: $(BQ_STAMP)  ## dbt parse with the BigQuery profile (no network, no secrets)
	LW_TARGET=bigquery LW_BQ_PROJECT=$${LW_BQ_PROJECT:-lw-parse-only} \
		LW_BQ_DATASET=$${LW_BQ_DATASET:-listening_warehouse} \
		LW_BQ_KEYFILE=$${LW_BQ_KEYFILE:-/dev/null} LW_BQ_LOCATION=$${LW_BQ_LOCATION:-EU} \
		$(BQ_VENV)/bin/dbt parse --project-dir dbt_project --target-path target-bigquery --no-partial-parse

clean:  ## remove generated data, the warehouse and dbt artefacts (keeps the virtualenv)
	rm -rf $(DATA_DIR) dbt_project/target dbt_project/logs
