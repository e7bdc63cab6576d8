"""Start the real WSGI server (gunicorn) against the test database, for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@contextlib.contextmanager
def gunicorn(
    *, workers: int = 2, env: dict[str, str] | None = None, access_log: Path | None = None, ready_within: float = 30
):
    """Yield the base URL of a gunicorn serving this checkout on the test database, once it
    answers /v2/health (within ``ready_within`` seconds)."""
    with gunicorn_process(workers=workers, env=env, access_log=access_log, ready_within=ready_within) as (base, _):
        yield base


def worker_pids(process: subprocess.Popen) -> set[int]:
    """The pids of a gunicorn master's workers (Linux /proc)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == process.pid:
                pids.add(int(entry.name))
    return pids


@contextlib.contextmanager
def gunicorn_process(
    *,
    workers: int = 2,
    env: dict[str, str] | None = None,
    access_log: Path | None = None,
    output: Path | None = None,
    health_path: str = "/v2/health",
    ready_within: float = 30,
):
    """``gunicorn`` yielding ``(base URL, master process)``; its log goes to ``output`` if given."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coliving.settings",  # production's, not the test run's
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "test-server-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TASKS_BACKEND": "dummy",
        "CACHE_KEY_PREFIX": f"e2e-{port}",
        "GUNICORN_ACCESS_LOG": "",
        **({"REDIS_URL": settings.REDIS_URL} if settings.REDIS_URL else {}),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "coliving.wsgi:application",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    if access_log is not None:
        command += ["--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s"]
    sink = open(output, "wb") if output is not None else subprocess.PIPE  # noqa: SIM115 — closed below
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_within
        while True:
            if process.poll() is not None:
                log = output.read_text() if output is not None else process.stdout.read().decode()
                raise RuntimeError(f"gunicorn exited: {log[-2000:]}")
            try:
                if httpx.get(f"{base}{health_path}", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not become healthy in {ready_within:g} s")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if output is not None:
            sink.close()
