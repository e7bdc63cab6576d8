# syntax=docker/dockerfile:1
# Production image: gunicorn serving coliving.wsgi on port 8000 as a non-root user.
# docker-compose.yml runs it as `web` (migrate, then gunicorn) and as `worker` (run_worker).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies before the code, so a code change does not reinstall them. All of them ship
# manylinux wheels (psycopg[binary], orjson), so no compiler is needed.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays owned by root: the app user can read it, not change it.
COPY . .

# Static files (admin, Swagger UI / Redoc from the sidecar) are collected into var/static
# at build time and served by whitenoise. Settings refuse to load without a SECRET_KEY;
# this one exists only for this build step. var/ is the app user's, for an SQLite database
# when DATABASE_URL is not set.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
    && python -m compileall -q . \
    && chown app:app var

# Numeric, so runtimes that enforce "non-root" (Kubernetes runAsNonRoot) can verify it.
USER 10001:10001
EXPOSE 8000

# gunicorn.conf.py: gthread workers (WEB_CONCURRENCY processes x GUNICORN_THREADS threads),
# timeouts and request limits. Rate limits stay correct with any number of processes
# because the counters live in Redis (REDIS_URL).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "coliving.wsgi:application"]
