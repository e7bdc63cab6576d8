#!/usr/bin/env bash
# `make bench`: PostgreSQL and Redis up, the virtualenv and wrk present, a fresh
# coliving_bench database, then bench/run.py (seed, gunicorn, wrk, the report).
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST_ARGS=(-h 127.0.0.1 -U postgres)
# BENCH_DATABASE: another database name, e.g. when several checkouts share one PostgreSQL.
DB="${BENCH_DATABASE:-coliving_bench}"

# PostgreSQL and Redis, started the way .ci/run starts them when they are not running.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

# The virtualenv, as the Makefile makes it.
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/pip install -r requirements-dev.txt
fi

# The load generator.
if ! command -v wrk >/dev/null 2>&1; then
    apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
fi

# A fresh database for this run.
dropdb "${PGHOST_ARGS[@]}" --if-exists "$DB"
createdb "${PGHOST_ARGS[@]}" "$DB"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" SECRET_KEY=bench DEBUG=0 \
    .venv/bin/python manage.py migrate --no-input -v 0

BENCH_DATABASE="$DB" exec .venv/bin/python -m bench.run
