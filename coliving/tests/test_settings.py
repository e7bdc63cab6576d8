"""Configuration fails loudly on bad values, and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from coliving import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("On", True), ("0", False), ("no", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("FLAG", value)
    assert env.env_bool("FLAG") is expected


@pytest.mark.parametrize(
    "helper, value",
    [
        (lambda: env.env_bool("X"), "maybe"),
        (lambda: env.env_int("X", 1), "ten"),
        (lambda: env.env_int("X", 1, minimum=5), "3"),
    ],
)
def test_bad_values_raise_improperly_configured_naming_the_variable(monkeypatch, helper, value):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured, match="X"):
        helper()


def test_a_required_value_must_be_set(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X environment variable is required"):
        env.env_str("X", required=True)


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("X", raising=False)
    monkeypatch.setenv("X_FILE", str(secret))
    assert env.env_str("X") == "from-a-file"


def test_env_choice_rejects_unknown_names(monkeypatch):
    monkeypatch.setenv("X", "rabbit")
    with pytest.raises(ImproperlyConfigured, match="db, immediate"):
        env.env_choice("X", {"db": "a", "immediate": "b"}, "db")


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    # Production's settings: not the test run's DJANGO_SETTINGS_MODULE, secret or DEBUG.
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY", "PYTEST", "DJANGO_SETTINGS"))
    }
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_process_refuses_to_start_without_a_secret_key_in_production():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY environment variable is required" in result.stderr


def test_the_process_refuses_a_malformed_value():
    result = _manage("check", SECRET_KEY="x", RATELIMIT_PER_MINUTE="lots")
    assert result.returncode != 0
    assert "RATELIMIT_PER_MINUTE must be an integer" in result.stderr


def _production(tmp_path, **overrides: str) -> dict[str, str]:
    values = {
        "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "api.example.com",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "1",
        "BEHIND_TLS_PROXY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        **overrides,
    }
    return {name: value for name, value in values.items() if value is not None}


def test_check_deploy_passes_with_production_like_values(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def _without_redis(tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    environment = _production(tmp_path, **overrides)
    del environment["REDIS_URL"]
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k != "REDIS_URL" and not k.startswith(("DEBUG", "SECRET_KEY", "PYTEST", "DJANGO_SETTINGS"))
            },
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_fails_without_a_shared_cache(tmp_path):
    result = _without_redis(tmp_path)
    assert result.returncode != 0
    assert "coliving.E001" in result.stderr
    assert "HINT: Set REDIS_URL" in result.stderr


def test_check_deploy_accepts_no_shared_cache_when_single_process_is_declared(tmp_path):
    result = _without_redis(tmp_path, SINGLE_PROCESS="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_setting_stops_the_process_with_one_line_naming_it():
    result = _manage("migrate", SECRET_KEY="x", DATABASE_LOCK_TIMEOUT_MS="soon")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Configuration error: DATABASE_LOCK_TIMEOUT_MS must be an integer, got 'soon'."
    ]


def test_an_unreachable_database_stops_the_process_with_one_line():
    from coliving.tests.server import free_port

    result = _manage("migrate", DEBUG="1", DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Database error (check DATABASE_URL and that the database is running): ")
    assert "Connection refused" in line


def test_traceback_shows_the_whole_story():
    result = _manage("check", "--traceback", SECRET_KEY="x", RATELIMIT_PER_MINUTE="lots")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr


def test_manage_py_without_the_virtualenv_says_how_to_get_one(tmp_path):
    # A Python without Django: the system interpreter with no site-packages at all.
    result = subprocess.run(
        [sys.executable, "-S", "-I", str(ROOT / "manage.py"), "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Couldn't import Django: run this with the project's virtualenv, .venv/bin/python manage.py … "
        "(`make run` makes it, or: python3 -m venv .venv && .venv/bin/pip install -r requirements.txt)."
    ]


@pytest.mark.server
def test_gunicorn_stops_on_a_bad_setting_with_one_line_naming_it():
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST",))}
    environment.update(SECRET_KEY="x", DEBUG="0", RATELIMIT_PER_MINUTE="lots", GUNICORN_ACCESS_LOG="")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0"]
        + ["coliving.wsgi:application"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "[INFO]" not in line]
    assert errors == ["Configuration error: RATELIMIT_PER_MINUTE must be an integer, got 'lots'."]
