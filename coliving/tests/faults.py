"""Private Redis and PostgreSQL servers for the fault tests, to stop and restart at will.

The machine's shared PostgreSQL and Redis are never touched: each helper starts its own
server on a free port, in a temporary directory, and stops it afterwards. Tests that use
them skip, saying why, when ``redis-server`` or PostgreSQL's ``initdb``/``pg_ctl`` are not
installed (``.ci/run`` installs them).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

from coliving.tests.server import free_port

requires_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server on PATH to stop and restart a private Redis"
)


def postgres_bin(name: str) -> str | None:
    """``initdb``/``pg_ctl``: on PATH, else in Debian's ``/usr/lib/postgresql/<version>/bin``
    (where the postgresql package that .ci/run installs puts them), newest version first."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
        reverse=True,
    )
    return str(candidates[0]) if candidates else None


requires_postgres_server = pytest.mark.skipif(
    not (postgres_bin("initdb") and postgres_bin("pg_ctl")),
    reason="needs PostgreSQL's initdb and pg_ctl (PATH or /usr/lib/postgresql/*/bin) for a private cluster",
)


class PrivateRedis:
    """``redis-server`` on a free port, without persistence; ``stop()`` and ``start()`` again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the private redis-server did not start in 10 s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def private_redis():
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class PrivateCluster:
    """A throwaway PostgreSQL cluster (``initdb``) on a free port; ``restart()`` at will.

    PostgreSQL refuses to run as root: as root, the cluster belongs to the ``postgres``
    user (``runuser``), which Debian's packages create.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.directory / "data"
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root needs a postgres user to own the private cluster")
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, *command: str) -> None:
        command = (postgres_bin(command[0]) or command[0], *command[1:])
        if self.user is not None:
            command = ("runuser", "-u", self.user.pw_name, "--", *command)
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def private_postgres():
    cluster = PrivateCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()
