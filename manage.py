#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

A bad setting or an unreachable database stops a command with one line naming the cause
(``--traceback`` shows the whole traceback instead).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coliving.settings")
    try:
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line
        from django.db import OperationalError
    except ImportError:
        sys.exit(
            "Couldn't import Django: run this with the project's virtualenv, .venv/bin/python manage.py … "
            "(`make run` makes it, or: python3 -m venv .venv && .venv/bin/pip install -r requirements.txt)."
        )
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        if "--traceback" in sys.argv:
            raise
        sys.exit(f"Configuration error: {exc}")
    except OperationalError as exc:
        if "--traceback" in sys.argv:
            raise
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(f"Database error (check DATABASE_URL and that the database is running): {reason}")


if __name__ == "__main__":
    main()
