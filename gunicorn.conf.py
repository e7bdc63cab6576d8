"""gunicorn's configuration: the serving stack for slow clients (README, "Serving stack").

Read by gunicorn from the working directory (the Dockerfile, docker-compose.yml, the test
server fixture and ``make soak`` all start gunicorn in the repository root).

- ``gthread`` workers: each process serves ``GUNICORN_THREADS`` requests at once on threads,
  and a connection whose client has not sent anything waits in the worker's poller, not
  in a thread. A client that announces a body too large is answered 413 from its
  ``Content-Length`` by the app (``coliving.middleware.RequestLimitsMiddleware``) without the
  body being read, and gunicorn drains what is left for at most a few seconds before it
  closes the connection. A worker stuck in one request longer than ``GUNICORN_TIMEOUT`` is
  killed and replaced.
- the request line and each header are capped here, looser than the app's own limits
  (``MAX_URL_BYTES``, ``MAX_HEADER_BYTES``), so that what the app would refuse reaches it and
  is answered in the API family's error shape; beyond these gunicorn answers 400 itself.

Exposed directly to the internet, put a reverse proxy with the same limits in front
(nginx's ``client_max_body_size``, ``large_client_header_buffers``, ``client_body_timeout``).
"""

from __future__ import annotations

import os
import sys


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {value!r}.") from None


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("WEB_CONCURRENCY", 2)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# gunicorn's ceilings (8190 bytes for the request line and for one header): the app's
# limits sit below them, so it is the app that answers, in the family's shape.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = _int("MAX_HEADER_FIELDS", 100)
# "-" is stdout; set it empty for no access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None


def on_starting(server) -> None:
    """Load the settings once in the master: a bad value stops gunicorn with one line naming
    the variable, instead of every worker failing to boot with a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coliving.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 — reading a setting loads them all
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(1)
