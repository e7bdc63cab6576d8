"""Several app instances behind a real load balancer, on loopback, for the multi-instance tests.

The same shape as docker-compose.yml's ``scale`` profile without Docker: N gunicorn masters
(``coliving/tests/server.py``) on free ports, sharing the test database and the test
process's Redis key prefix, behind the Debian nginx running ``deploy/nginx/default.conf``
— the committed file, with only its upstream ``server`` lines and ``listen`` port rewritten
— from a generated main config in a temporary directory (never the system service).

Where no ``nginx`` binary is installed (``.ci/run`` installs it), ``Cluster.balanced`` is a
client that round-robins requests over the instances itself: the secondary path, which
proves the instances share everything but not the balancer's configuration.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from django.conf import settings

from coliving.tests.server import ROOT, free_port, gunicorn

NGINX_SITE = ROOT / "deploy" / "nginx" / "default.conf"
_UPSTREAM_SERVER = re.compile(r"^\s*server\s+[\w.-]+:8000\b[^;]*;\n", re.MULTILINE)
_LISTEN = re.compile(r"^(\s*)listen\s+80;", re.MULTILINE)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def nginx_site(ports: list[int], listen: str) -> str:
    """``deploy/nginx/default.conf`` pointed at ``ports`` on loopback and listening on ``listen``."""
    text = NGINX_SITE.read_text()
    servers = _UPSTREAM_SERVER.findall(text)
    if not servers or _LISTEN.search(text) is None:
        raise AssertionError(f"{NGINX_SITE} no longer has `server <name>:8000 …;` lines and `listen 80;`")
    options = re.search(r":8000(\b[^;]*);", servers[0]).group(1)
    local = "".join(f"    server 127.0.0.1:{port}{options};\n" for port in ports)
    text = _UPSTREAM_SERVER.sub("", text, count=len(servers) - 1)
    text = _UPSTREAM_SERVER.sub(local, text, count=1)
    return _LISTEN.sub(rf"\1listen {listen};", text)


@contextlib.contextmanager
def nginx(ports: list[int], directory: Path, *, listen_host: str = "127.0.0.2"):
    """Run nginx in the foreground with ``directory`` for its config, logs, pid and temp files."""
    port = free_port()
    (directory / "default.conf").write_text(nginx_site(ports, f"{listen_host}:{port}"))
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (directory / "nginx.conf").write_text(
        # As root, nginx's worker would run as nobody, who cannot enter pytest's private tmp dirs.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n    access_log {directory / 'access.log'};\n{temp}\n    include {directory / 'default.conf'};\n}}\n"
    )
    binary = nginx_binary()
    subprocess.run([binary, "-t", "-q", "-p", str(directory), "-c", str(directory / "nginx.conf")], check=True)
    process = subprocess.Popen(
        [binary, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", str(directory / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{listen_host}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(directory / 'error.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/v2/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not answer /v2/health in 60 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class _RoundRobin(httpx.BaseTransport):
    """Sends each request to the next instance in turn (the no-nginx fallback). The turn is
    the cluster's, not the client's: a test making a client per request still spreads them."""

    def __init__(self, turn: Iterator[httpx.URL], **options) -> None:
        self._next = turn
        self._transport = httpx.HTTPTransport(**options)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = next(self._next)
        request.url = request.url.copy_with(host=target.host, port=target.port)
        return self._transport.handle_request(request)

    def close(self) -> None:
        self._transport.close()


@dataclass
class Cluster:
    instances: list[str]  # each gunicorn's base URL, to reach one instance on purpose
    access_logs: list[Path]
    balancer: str | None  # nginx's base URL; None on the fallback path
    client_address: str = "127.0.0.5"  # the address requests to the balancer come from
    _log_marks: list[int] = field(default_factory=list)
    _turn: Iterator[httpx.URL] = field(init=False)

    def __post_init__(self) -> None:
        self._turn = itertools.cycle([httpx.URL(base) for base in self.instances])

    def balanced(self, **options) -> httpx.Client:
        """A client whose requests are spread over the instances (by nginx, or itself)."""
        options.setdefault("timeout", 30)
        if self.balancer is not None:
            transport = httpx.HTTPTransport(local_address=self.client_address)
            return httpx.Client(base_url=self.balancer, transport=transport, **options)
        return httpx.Client(base_url=self.instances[0], transport=_RoundRobin(self._turn), **options)

    def instance(self, index: int, **options) -> httpx.Client:
        options.setdefault("timeout", 30)
        return httpx.Client(base_url=self.instances[index], **options)

    def mark(self) -> None:
        """Start counting requests per instance from now (``served_since_mark``)."""
        self._log_marks = [self._lines(log) for log in self.access_logs]

    def served_since_mark(self, total: int = 0) -> list[int]:
        """Requests each instance logged since ``mark``. gunicorn writes a request's access
        line after the response has gone out, so a client can read its last answer before
        that line exists: with ``total``, wait (at most 5 s) until that many are logged."""
        deadline = time.monotonic() + 5
        served = self._served()
        while sum(served) < total and time.monotonic() < deadline:
            time.sleep(0.02)
            served = self._served()
        return served

    def _served(self) -> list[int]:
        return [self._lines(log) - mark for log, mark in zip(self.access_logs, self._log_marks, strict=True)]

    @staticmethod
    def _lines(log: Path) -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0


@contextlib.contextmanager
def cluster(directory: Path, *, size: int = 3, env: dict[str, str] | None = None):
    """``size`` gunicorn masters (one worker each) behind nginx; yields a ``Cluster``."""
    environment = {
        # One Redis namespace for every instance and the test process: limits, idempotency
        # claims and the providers' version token are shared, as in production.
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "CLIENT_IP_HEADER": "X-Forwarded-For",
        "ALLOWED_HOSTS": "127.0.0.1,127.0.0.2,localhost",  # nginx listens on 127.0.0.2, passing Host on
        **(env or {}),
    }
    logs = [directory / f"instance-{index}.log" for index in range(size)]
    started: list[tuple[contextlib.ExitStack, str]] = []

    def start(log: Path) -> str:
        stack = contextlib.ExitStack()
        # Several import Django at once on a shared CI machine: allow for it.
        base = stack.enter_context(gunicorn(workers=1, env=environment, access_log=log, ready_within=120))
        started.append((stack, base))
        return base

    try:
        # In parallel: each instance spends its start-up importing Django and waiting for health.
        with ThreadPoolExecutor(max_workers=size) as pool:
            bases = list(pool.map(start, logs))
        with contextlib.ExitStack() as stack:
            balancer = None
            if nginx_binary() is not None:
                nginx_dir = directory / "nginx"
                nginx_dir.mkdir()
                balancer = stack.enter_context(nginx([int(base.rsplit(":", 1)[1]) for base in bases], nginx_dir))
            yield Cluster(instances=bases, access_logs=logs, balancer=balancer)
    finally:
        for stack, _base in started:
            stack.close()
