"""Production's static files storage, which the test settings replace everywhere else.

``collectstatic`` into a temporary STATIC_ROOT with the storage production configures, then
a page that uses static files (the admin login) must link the hashed names the manifest
lists, and WhiteNoise must serve them as immutable.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

import coliving.settings as production

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.django_db
def test_the_admin_login_links_the_hashed_files_collectstatic_wrote(settings, tmp_path):
    if production.DEBUG:
        pytest.skip("with DEBUG=1 production serves static files through the finders, unhashed")
    assert production.STORAGES["staticfiles"]["BACKEND"] == MANIFEST_STORAGE
    settings.STORAGES = production.STORAGES
    settings.STATIC_ROOT = tmp_path

    call_command("collectstatic", interactive=False, verbosity=0)

    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]
    assert hashed != "admin/css/base.css" and (tmp_path / hashed).is_file()
    client = Client()  # a new handler: WhiteNoise reads STATIC_ROOT when its middleware starts
    page = client.get("/admin/login/")
    assert page.status_code == 200
    assert f'href="/static/{hashed}"' in page.content.decode()
    asset = client.get(f"/static/{hashed}")
    assert asset.status_code == 200
    assert "immutable" in asset["Cache-Control"]
    assert b"".join(asset.streaming_content) == (tmp_path / hashed).read_bytes()
