#!/usr/bin/env bash
# `make soak`: a fresh database, then bench/soak.py (ten minutes of the bench's mixed load).
# SOAK_DB (coliving_soak) names the PostgreSQL database it drops and recreates on
# 127.0.0.1:5432; SOAK_REDIS_URL (redis://127.0.0.1:6379/5) the Redis database it uses.
# PostgreSQL, Redis and wrk must be there (bench/run.sh starts and installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${SOAK_DB:-coliving_soak}
export SOAK_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SOAK_REDIS_URL=${SOAK_REDIS_URL:-redis://127.0.0.1:6379/5}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }

dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
DATABASE_URL="$SOAK_DATABASE_URL" SECRET_KEY=soak DEBUG=0 .venv/bin/python manage.py migrate --no-input -v 0
exec .venv/bin/python -m bench.soak
