# Two commands matter: `make run` (a working local instance with demo keys) and
# `make test` (every check CI runs). Everything runs from .venv/bin/…; no activated
# virtualenv is needed, and none is assumed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --no-input
HOST := 127.0.0.1
PORT ?= 8000
URL := http://$(HOST):$(PORT)

# The requirements are installed again only when a requirements file is newer than the
# stamp left by the last successful install.
RUN_STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp

# `make run` is a local first look: DEBUG=1 (so no SECRET_KEY is needed) and SQLite under
# var/ unless DATABASE_URL is set. The checks run in production mode instead: DEBUG off,
# with a throwaway SECRET_KEY.
RUN_ENV := DEBUG=1
CHECK_ENV := DEBUG=0 SECRET_KEY=test-only-secret

.PHONY: help run superuser worker scheduler test lint format check bench mutate clean

help:
	@echo "make run        local server on $(URL) (SQLite under var/, demo data and keys)"
	@echo "make test       ruff, manage.py check, makemigrations --check, OpenAPI validation, pytest"
	@echo "make superuser  create an admin login for $(URL)/admin/"
	@echo "make worker     run the background task worker (manage.py db_worker)"
	@echo "make scheduler  run the periodic trigger (manage.py run_scheduler): feeds, iCal, expiries"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make format     ruff check --fix + ruff format"
	@echo "make bench      benchmarks (bench/run.sh)"
	@echo "make mutate     mutation testing of the access and money rules (mutmut; not part of make test)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(BIN)/python
	@echo "==> Installing requirements.txt into $(VENV) (the first time takes a minute)"
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	@echo "==> Installing requirements-dev.txt into $(VENV) (the first time takes a minute)"
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(RUN_STAMP)

# Served by `runserver --noreload` rather than gunicorn: without REDIS_URL the rate-limit
# counters live in a local-memory cache, which is per process, so limits only hold with a
# single server process. runserver is one process that still serves requests on threads
# (Swagger UI loads its assets in parallel; one sync gunicorn worker would queue them),
# serves static files in DEBUG through whitenoise's finders without collectstatic, and logs
# each request on the console. --noreload keeps it one process with no reloader parent, so
# Ctrl-C (or killing the process group) stops everything at once.
run: $(RUN_STAMP)
	@echo "==> Migrating the database"
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	@echo "==> Loading demo data"
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo
	@echo "    Swagger UI       $(URL)/schema/swagger-ui/"
	@echo "    Redoc            $(URL)/schema/redoc/"
	@echo "    OpenAPI schema   $(URL)/schema"
	@echo "    API info         $(URL)/v2"
	@echo "    Health           $(URL)/v2/health"
	@echo "    Admin            $(URL)/admin/"
	@echo
	@echo "    Try:  curl -H 'X-API-Key: <Demo partner key above>' $(URL)/v2/me"
	@echo "    Admin login: in another terminal run  make superuser"
	@echo "      (same as: DEBUG=1 $(BIN)/python manage.py createsuperuser)"
	@echo
	@echo "==> Serving on $(URL) (Ctrl-C to stop)"
	$(RUN_ENV) exec $(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload

superuser: $(RUN_STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py createsuperuser

worker: $(RUN_STAMP)
	$(RUN_ENV) $(BIN)/python manage.py db_worker

# Enqueues periodic jobs for `make worker` to run; Ctrl-C stops it between ticks.
scheduler: $(RUN_STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) exec $(BIN)/python manage.py run_scheduler

# Runs against whatever DATABASE_URL / REDIS_URL the environment has (PostgreSQL and
# Redis in CI; SQLite and local memory when unset). Stops at the first failing step.
test: $(DEV_STAMP)
	@echo "==> ruff check"
	$(BIN)/ruff check .
	@echo "==> ruff format --check"
	$(BIN)/ruff format --check .
	@echo "==> manage.py check"
	$(CHECK_ENV) $(BIN)/python manage.py check
	@echo "==> manage.py makemigrations --check"
	$(CHECK_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	@echo "==> OpenAPI schema validation"
	$(CHECK_ENV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	@echo "==> pytest"
	$(CHECK_ENV) $(BIN)/pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(DEV_STAMP)
	bash bench/run.sh

# Mutation testing (mutmut, configured in pyproject.toml) of the modules that guard access
# and money, on PostgreSQL: needs DATABASE_URL (and REDIS_URL for the rate-limit tests).
# Stops after MUTATE_MINUTES; a later run resumes where it stopped (state in mutants/,
# `make mutate MUTATE_FRESH=1` starts over). Prints killed/survived/timeout per module.
MUTATE_MINUTES ?= 20
mutate: $(DEV_STAMP)
	@[[ $${DATABASE_URL:-} == postgres* ]] || { echo "make mutate needs DATABASE_URL=postgres://…"; exit 2; }
	@if [[ -n "$${MUTATE_FRESH:-}" ]]; then rm -rf mutants; fi
	$(CHECK_ENV) timeout --signal=INT --kill-after=60 $(MUTATE_MINUTES)m $(BIN)/mutmut run --max-children 1 $(MUTANTS) || true
	$(CHECK_ENV) $(BIN)/python mutate/report.py

# Removes the virtualenv only; the local database in var/ is kept.
clean:
	rm -rf $(VENV)
