"""The Makefile's first-contact targets, run for real: ``make superuser`` without a terminal,
``make run`` on a busy port, and two installs at once into one fresh ``.venv``.

The install step is skipped (``make -o <stamp>``) where it is not the point, so these never
touch the shared virtualenv.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apikeys.models import ApiKey
from coliving.tests.server import database_url

ROOT = Path(__file__).resolve().parents[2]
STAMP = ".venv/.requirements.stamp"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*args: str, timeout: int = 120, **env: str) -> subprocess.CompletedProcess:
    # Production's settings, as `make` runs them: not the test run's DJANGO_SETTINGS_MODULE.
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SUPERUSER_", "DJANGO_SETTINGS"))
    }
    environment.update(DATABASE_URL=database_url(), **env)
    return subprocess.run(
        ["make", "-o", STAMP, *args],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,  # no terminal
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.django_db(transaction=True)
def test_superuser_without_a_terminal_or_credentials_fails_loudly(django_user_model):
    result = make("superuser")

    assert result.returncode != 0
    assert "no terminal to ask on. Set DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD" in result.stderr
    assert not django_user_model.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db(transaction=True)
def test_superuser_without_a_terminal_reads_the_credentials_from_the_environment(django_user_model):
    result = make("superuser", DJANGO_SUPERUSER_EMAIL="ops@example.com", DJANGO_SUPERUSER_PASSWORD="long-enough-pw-9")

    assert result.returncode == 0, result.stderr
    user = django_user_model.objects.get(email="ops@example.com")
    # Hashed with PBKDF2 by the subprocess, which this test process (MD5 only) cannot check.
    assert user.is_superuser and user.is_staff and user.password.startswith("pbkdf2_sha256$")


@pytest.mark.django_db(transaction=True)
def test_run_on_a_busy_port_stops_before_it_seeds():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = make("run", f"PORT={port}")

    assert result.returncode != 0
    assert f"make run: port {port} on 127.0.0.1 is in use (another make run?)" in result.stderr
    assert "Migrating" not in result.stdout and "Loading demo data" not in result.stdout
    assert not ApiKey.objects.exists()  # no demo key made, none of a running server's revoked


def test_two_installs_at_once_on_a_fresh_clone_install_once(tmp_path):
    # A clone with the real Makefile and empty requirements: two makes race for one fresh .venv.
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    base = getattr(sys, "_base_executable", sys.executable)
    command = ["make", STAMP, f"PYTHON={base}"]
    first = subprocess.Popen(command, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(0.05)
    second = subprocess.Popen(command, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    outputs = [process.communicate(timeout=300)[0].decode() for process in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert sum(output.count("==> Installing requirements.txt") for output in outputs) == 1, outputs
    assert (tmp_path / STAMP).exists()
