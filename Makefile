# CareModel: `make run` serves the demo, `make test` runs the tests. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PATIENTS ?= 5000

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(BIN)/activate: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

.PHONY: setup
setup: $(BIN)/activate node_modules/.installed ## Create .venv, install Python and npm packages

.PHONY: migrate
migrate: setup ## Apply migrations to the configured database
	$(MANAGE) migrate --noinput

.PHONY: demo
demo: migrate ## Load the synthetic demo area and population, fit the risk model on it and run it
	$(MANAGE) load_demo --patients $(DEMO_PATIENTS)
	$(MANAGE) calibrate_risk_model --activate --skip-without-history
	$(MANAGE) recompute_risk --no-progress --skip-without-model

.PHONY: run
run: demo ## Set up, load the demo and serve at http://127.0.0.1:8000
	@echo "Serving CareModel at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

# Test processes (pytest-xdist); each has its own test database and live server.
TEST_WORKERS ?= 2

.PHONY: test
test: setup ## Set up and run the whole test suite (browser tests included), in TEST_WORKERS processes
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

.PHONY: lint
lint: setup ## ruff, mypy, the patient-access lint and the dependency direction (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/lint_patient_access.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

.PHONY: migrations-check
migrations-check: setup ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

.PHONY: worker
worker: setup ## A Celery worker (needs REDIS_URL)
	$(BIN)/celery -A caremodel worker --loglevel=INFO

.PHONY: beat
beat: setup ## The one Celery beat scheduler (needs REDIS_URL)
	$(BIN)/celery -A caremodel beat --loglevel=INFO

.PHONY: clean
clean: ## Remove the virtualenv, node_modules and the local SQLite database
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles

.PHONY: bench-risk
bench-risk: setup ## Benchmark the nightly risk recompute on PostgreSQL + Redis with real workers (RISK_BENCH_3M=1 adds 3M)
	$(BIN)/python bench/risk_bench.py

# Patient record benchmarks (PostgreSQL; not timed tests). Each uses its own database.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_IMPORT_DB ?= caremodel_bench_import
BENCH_WEB_DB ?= caremodel_bench_web
BENCH_PATIENTS ?= 1000000
BENCH_EVENTS ?= 10000000

.PHONY: bench-import
bench-import: setup ## Import a 1,000,000-row activity feed for 100,000 patients into PostgreSQL; rows/s
	-createdb -h 127.0.0.1 -U postgres $(BENCH_IMPORT_DB) 2>/dev/null
	DATABASE_URL=$(BENCH_PG)/$(BENCH_IMPORT_DB) $(BIN)/python bench/import_bench.py --patients 100000 --rows 1000000

.PHONY: bench-web
bench-web: setup ## Load 1M patients and 10M events set-based, serve with gunicorn, measure p50/p95
	-createdb -h 127.0.0.1 -U postgres $(BENCH_WEB_DB) 2>/dev/null
	DATABASE_URL=$(BENCH_PG)/$(BENCH_WEB_DB) $(BIN)/python bench/web_data.py --patients $(BENCH_PATIENTS) --events $(BENCH_EVENTS)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_WEB_DB) $(BIN)/python bench/web_bench.py --requests 400 --concurrency 2 --workers 2

# The same pages while nightly risk runs are in progress: a smaller database of its own, real
# Celery workers on Redis (BENCH_REDIS, a Redis database of its own).
BENCH_WEB_RUN_DB ?= caremodel_bench_web_run
BENCH_RUN_PATIENTS ?= 200000
BENCH_RUN_EVENTS ?= 2000000
BENCH_REDIS ?= redis://127.0.0.1:6379/7

.PHONY: bench-web-during-run
bench-web-during-run: setup ## p50/p95 of the same pages quiet and during nightly risk runs (200k patients, real workers), with ratios
	-createdb -h 127.0.0.1 -U postgres $(BENCH_WEB_RUN_DB) 2>/dev/null
	DATABASE_URL=$(BENCH_PG)/$(BENCH_WEB_RUN_DB) $(BIN)/python bench/web_data.py --patients $(BENCH_RUN_PATIENTS) --events $(BENCH_RUN_EVENTS)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_WEB_RUN_DB) REDIS_URL=$(BENCH_REDIS) $(BIN)/python bench/web_bench.py --requests 400 --concurrency 2 --workers 2 --during-run --run-workers 2
