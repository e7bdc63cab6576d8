"""No full API key is ever written to the database: after keys are issued through the admin
and the command, used, revoked and looked at, every text, char, JSON and binary column of
every table is scanned for them (and the sessions are decoded, since they are stored
encoded)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from apikeys import keys
from apikeys.models import ApiKey
from apikeys.usage import usage_buffer

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def stored_text() -> Iterator[tuple[str, str]]:
    """Yield ``(where, value)`` for every text-like value stored in any table."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [f for f in meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.values_list(*(f.attname for f in fields)):
            for field, value in zip(fields, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, memoryview | bytes):
                    value = bytes(value).decode("utf-8", "replace")
                elif not isinstance(value, str):
                    value = json.dumps(value)
                yield f"{meta.db_table}.{field.column}", value
    for session in Session.objects.all():
        yield "django_session (decoded)", str(session.get_decoded())


def test_no_table_holds_a_full_key_after_issuing_through_the_admin_and_the_command():
    staff = UserFactory(password=None, is_staff=True, is_superuser=True)
    owner = UserFactory(password=None)
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        reverse("admin:apikeys_apikey_add"),
        {
            "nonce": "a-fresh-add-form-nonce",
            "owner": owner.pk,
            "name": "From the admin",
            "scopes": ["users.read"],
            "prefix": "sk_live_",
        },
    )
    from_admin = re.search(r'<code id="new-api-key"[^>]*>([^<]+)</code>', response.content.decode()).group(1)
    out = StringIO()
    call_command("createapikey", "--owner", owner.email, "--name", "Command", "--scopes", "users.create", stdout=out)
    from_command = out.getvalue().strip()
    raws = [from_admin, from_command]

    # Use them, flush the usage, look at them in the admin and revoke one: every path that writes.
    for raw in raws:
        assert Client().get("/v2/me", HTTP_X_API_KEY=raw).status_code == 200
    usage_buffer.flush()
    issued = list(ApiKey.objects.order_by("pk"))
    assert len(issued) == 2
    for key in issued:
        assert admin.get(reverse("admin:apikeys_apikey_change", args=[key.pk])).status_code == 200
    admin.post(reverse("admin:apikeys_apikey_changelist"), {"action": "revoke", "_selected_action": [issued[0].pk]})

    values = list(stored_text())
    # The scan does reach the keys' rows: their key ids are stored in clear.
    for key in issued:
        assert ("apikeys_apikey.key_id", key.key_id) in values
    for raw in raws:
        secret = raw[len(keys.parse(raw).prefix) + keys.KEY_ID_LENGTH :]
        leaks = [where for where, value in values if raw in value or secret in value]
        assert leaks == [], f"a full key was stored in {leaks}"
