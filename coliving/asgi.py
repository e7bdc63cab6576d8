"""ASGI entry point (the platform is deployed with gunicorn/WSGI; this is for completeness)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coliving.settings")

application = get_asgi_application()
