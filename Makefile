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

.PHONY: help run superuser worker scheduler test lint format check bench soak mutate clean client

help:
	@echo "make run        local server on $(URL) (SQLite under var/, demo data and keys)"
	@echo "make test       ruff, manage.py check, makemigrations --check, OpenAPI validation, pytest"
	@echo "make superuser  create an admin login for $(URL)/admin/"
	@echo "make worker     run the background task worker of TASKS_BACKEND (db: db_worker, rq: rqworker)"
	@echo "make scheduler  run the periodic trigger (manage.py run_scheduler): feeds, iCal, expiries"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make format     ruff check --fix + ruff format"
	@echo "make bench      benchmarks (bench/run.sh)"
	@echo "make client     a Python client of the API in $(CLIENT_DIR) (openapi-python-client)"
	@echo "make soak       optional: 10 minutes of mixed load on 2 gunicorn workers (bench/soak.sh)"
	@echo "make mutate     mutation testing of the access and money rules (mutmut; not part of make test)"

# Two makes at once (two `make run`s on a fresh clone) must not both create and install into
# one .venv: the install holds a lock (flock, util-linux; where it is missing, no lock), and
# the one that waited finds the stamp fresh and installs nothing.
INSTALL_LOCK := .venv.lock
define locked_install
	@exec 9>$(INSTALL_LOCK); if command -v flock >/dev/null; then flock 9; fi; \
	if [ -f $@ ] && [ ! $(1) -nt $@ ] && [ ! requirements.txt -nt $@ ]; then exit 0; fi; \
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); \
	echo "==> Installing $(1) into $(VENV) (the first time takes a minute)"; \
	$(PIP) install --quiet -r $(1); \
	touch $@ $(2)
endef

$(RUN_STAMP): requirements.txt
	$(call locked_install,requirements.txt,)

$(DEV_STAMP): requirements.txt requirements-dev.txt
	$(call locked_install,requirements-dev.txt,$(RUN_STAMP))

# Served by `runserver --noreload` rather than gunicorn: without REDIS_URL the rate-limit
# counters live in a local-memory cache, which is per process, so limits only hold with a
# single server process. runserver is one process that still serves requests on threads
# (Swagger UI loads its assets in parallel; one sync gunicorn worker would queue them),
# serves static files in DEBUG through whitenoise's finders without collectstatic, and logs
# each request on the console. --noreload keeps it one process with no reloader parent, so
# Ctrl-C (or killing the process group) stops everything at once.
run: $(RUN_STAMP)
	@# Before anything is seeded: a second `make run` would revoke the running one's demo keys.
	@$(BIN)/python -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); \
	    sys.exit(s.bind(("$(HOST)", $(PORT))))' 2>/dev/null || \
	    { echo "make run: port $(PORT) on $(HOST) is in use (another make run?). Stop it, or: make run PORT=8001" >&2; exit 1; }
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

# Asks on the terminal; without one (CI, scripts) it reads DJANGO_SUPERUSER_EMAIL and
# DJANGO_SUPERUSER_PASSWORD, and fails when they are not set: it never exits 0 having
# created nobody (createsuperuser alone skips silently without a terminal).
superuser: $(RUN_STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	@if [ -n "$${DJANGO_SUPERUSER_EMAIL:-}" ] && [ -n "$${DJANGO_SUPERUSER_PASSWORD:-}" ]; then \
	    $(RUN_ENV) $(BIN)/python manage.py createsuperuser --noinput && \
	    echo "Superuser $${DJANGO_SUPERUSER_EMAIL} created; log in at $(URL)/admin/"; \
	elif [ -t 0 ]; then \
	    $(RUN_ENV) $(BIN)/python manage.py createsuperuser; \
	else \
	    echo "make superuser: no terminal to ask on. Set DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD." >&2; \
	    exit 1; \
	fi

# TASKS_BACKEND=rq (with REDIS_URL) runs RQ's worker instead of the database queue's.
worker: $(RUN_STAMP)
	$(RUN_ENV) $(BIN)/python manage.py run_worker

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
	$(CHECK_ENV) $(BIN)/pytest -rs

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(DEV_STAMP)
	bash bench/run.sh

# A Python client generated from this checkout's OpenAPI document (the one /schema serves);
# no server needed. Install it into a project with `pip install $(CLIENT_DIR)`.
CLIENT_DIR := var/coliving-platform-api-client
client: $(DEV_STAMP)
	@mkdir -p var
	$(CHECK_ENV) $(BIN)/python manage.py spectacular --format openapi-json --file var/schema.json
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/openapi-python-client generate --path var/schema.json \
		--output-path $(CLIENT_DIR) --overwrite

# Optional, ten minutes: errors, oversells and worker memory under the bench's mixed load.
soak: $(DEV_STAMP)
	bash bench/soak.sh
# Mutation testing (mutmut, configured in pyproject.toml) of the modules that guard access
# and money, on PostgreSQL: needs DATABASE_URL (and REDIS_URL for the rate-limit tests).
# MUTATE_CHILDREN mutants at once, each on its own test database and cache prefix
# (coliving/tests/mutation.py); bytecode caching on, whatever the shell says, so the
# assertion rewriting of the test modules is not redone per run.
# Stops after MUTATE_MINUTES; a later run resumes where it stopped (state in mutants/,
# `make mutate MUTATE_FRESH=1` starts over). Prints killed/survived/timeout per module.
MUTATE_MINUTES ?= 20
MUTATE_CHILDREN ?= 3
mutate: $(DEV_STAMP)
	@[[ $${DATABASE_URL:-} == postgres* ]] || { echo "make mutate needs DATABASE_URL=postgres://…"; exit 2; }
	@if [[ -n "$${MUTATE_FRESH:-}" ]]; then rm -rf mutants; fi
	env -u PYTHONDONTWRITEBYTECODE MUTATE_CHILDREN=$(MUTATE_CHILDREN) $(CHECK_ENV) \
		timeout --signal=INT --kill-after=60 $(MUTATE_MINUTES)m \
		$(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS) || true
	$(CHECK_ENV) $(BIN)/python mutate/report.py

# Removes the virtualenv only; the local database in var/ is kept.
clean:
	rm -rf $(VENV)
