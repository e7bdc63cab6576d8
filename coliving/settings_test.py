"""Settings for the test run (pytest's DJANGO_SETTINGS_MODULE, in pyproject.toml).

Production's settings (``coliving/settings.py``) with the few changes a test run needs and
production must never have; nothing in production asks whether it is under test. The real
servers the tests start (``coliving/tests/server.py``) and the ``manage.py`` processes they
run use production's settings, and ``coliving/tests/test_static_files.py`` checks
production's static files storage, which the tests otherwise replace.
"""

from __future__ import annotations

import os

# Production requires SECRET_KEY unless DEBUG; a bare `pytest` needs no environment set up.
os.environ.setdefault("SECRET_KEY", "test-only-secret")

from coliving.settings import *  # noqa: E402, F403
from coliving.settings import ALLOWED_HOSTS, STORAGES  # noqa: E402

# The test client's host, and the loopback names, unless the run sets ALLOWED_HOSTS itself.
if "ALLOWED_HOSTS" not in os.environ:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver", *ALLOWED_HOSTS]

# Hashing with PBKDF2 costs most of a second per user on these machines; tests need no
# resistance to offline cracking.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pages render without a collectstatic first (the manifest storage refuses unknown files).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Staff two-factor is on by default in production; the tests of it (staff/tests/) turn it on.
ADMIN_2FA_REQUIRED = False
