# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000

# Production-like serving: gunicorn, 2 single-threaded (sync) workers on the 2-core machine:
# pages are CPU-bound under the GIL, so threads added no throughput and a long tail of
# latency (README, Performance). Behind a reverse proxy, which buffers slow clients.
# The benchmark serves the app and its hello-world ceiling with the same SERVE_OPTIONS.
SERVE_OPTIONS := --workers 2
GUNICORN := $(BIN)/gunicorn $(SERVE_OPTIONS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

.PHONY: run dev test lint format translations i18n-update i18n-check bench bench-smoke

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/python -m planner.core.catalogues compile

run: translations
	$(BIN)/flask --app planner init-db
	@echo "planner is served on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(GUNICORN)

dev: translations
	$(BIN)/flask --app planner init-db
	$(BIN)/flask --app planner run --debug --host $(HOST) --port $(PORT)

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check planner tests

format: $(STAMP)
	$(BIN)/ruff format planner tests

i18n-update: $(STAMP)
	$(BIN)/python -m planner.core.catalogues update

i18n-check: $(STAMP)
	$(BIN)/python -m planner.core.catalogues check

# Benchmark (README, Performance): every main page at three data sizes, on SQLite and, when
# PLANNER_BENCH_DATABASE_URL or DATABASE_URL names one, PostgreSQL. Needs wrk (apt-get install wrk).
# Results: instance/bench/latest.md and .json. BENCH_ARGS passes options (e.g. --sizes demo,medium).
bench: translations
	PLANNER_SERVE_OPTIONS="$(SERVE_OPTIONS)" $(BIN)/python -m planner.benchmark.run $(BENCH_ARGS)

# The short run CI makes (through tests/test_bench_smoke.py): demo size, 3 s per page.
bench-smoke: translations
	PLANNER_SERVE_OPTIONS="$(SERVE_OPTIONS)" $(BIN)/python -m planner.benchmark.run --smoke $(BENCH_ARGS)
