# Comptoir — every day-to-day command. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export COMPTOIR_DATA_DIR ?= $(CURDIR)/var
TEST_DATA_DIR := $(CURDIR)/var/test
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install system-deps run demo serve worker test test-fast lint format typecheck migrations-check messages check bench bench-tickets clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install Comptoir with its development tools

system-deps: ## Install the system packages the tests need (Debian's chromium, gettext)
	@scripts/system-deps.sh

run: install ## Start the help desk on the embedded default, with demo data (http://127.0.0.1:8000)
	$(BIN)/comptoir demo
	$(BIN)/comptoir serve --host $(HOST) --port $(PORT)

serve: install ## Start the help desk without touching demo data
	$(BIN)/comptoir serve --host $(HOST) --port $(PORT)

worker: install ## Run a background task worker process (needed with REDIS_URL)
	$(BIN)/comptoir worker

test: install system-deps ## Run the whole test suite (unit, integration, browser)
	mkdir -p $(TEST_DATA_DIR)
	COMPTOIR_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/pytest $(PYTEST_ARGS)

test-fast: install ## Run the suite without the browser tests
	mkdir -p $(TEST_DATA_DIR)
	COMPTOIR_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: install ## ruff lint and format check
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

typecheck: install ## mypy with django-stubs
	$(BIN)/mypy

migrations-check: install ## Fail when models changed without a migration
	$(BIN)/comptoir manage makemigrations --check --dry-run

messages: install ## Refresh and compile the French and English catalogues
	cd src/comptoir && ../../$(BIN)/comptoir manage makemessages -l fr -l en --no-obsolete --ignore "static/comptoir/vendor/*"
	cd src/comptoir && ../../$(BIN)/comptoir manage makemessages -d djangojs -l fr -l en --no-obsolete --ignore "static/comptoir/vendor/*"
	cd src/comptoir && ../../$(BIN)/comptoir manage compilemessages

check: lint typecheck migrations-check test ## Every gate CI runs

bench: install ## Load benchmark of the spine's pages (see benchmarks/README.md)
	@scripts/system-deps.sh wrk
	$(BIN)/python benchmarks/http_load.py $(BENCH_ARGS)

bench-tickets: install ## Load benchmark of the ticketing core at scale (TICKETS=100000)
	@scripts/system-deps.sh wrk
	$(BIN)/python benchmarks/ticket_load.py --tickets $(or $(TICKETS),100000) $(BENCH_ARGS)

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
