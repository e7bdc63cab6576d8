"""The security log in the admin: append-only, filtered by actor, key, action and date,
exported as CSV with the same filters; its list makes a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from apikeys.services import api_key_revoke, api_key_set_active
from apikeys.tests.factories import make_key
from staff.models import SecurityEvent

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:staff_securityevent_changelist")
EXPORT_URL = reverse("admin:staff_securityevent_export")


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(UserFactory(password=None, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def events():
    alice = UserFactory(password=None, email="alice@example.com", is_staff=True)
    bob = UserFactory(password=None, email="bob@example.com", is_staff=True)
    first, _ = make_key(name="first", created_by=alice)
    second, _ = make_key(name="second", created_by=bob)
    api_key_set_active(key=first, active=False, by=alice)
    api_key_revoke(key=second, revoked_by=bob)
    return {"alice": alice, "bob": bob, "first": first, "second": second}


def exported(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "security-log.csv" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_log_cannot_be_changed_or_deleted():
    event = SecurityEvent.objects.create(action=SecurityEvent.Action.LOGIN_FAILED, actor="x")
    event.actor = "y"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        SecurityEvent.objects.all().delete()
    with pytest.raises(TypeError):
        SecurityEvent.objects.update(actor="y")
    assert SecurityEvent.objects.get().actor == "x"


def test_the_admin_offers_no_add_change_or_delete(admin):
    event = SecurityEvent.objects.create(action=SecurityEvent.Action.LOGIN_FAILED, actor="x")
    assert admin.get(reverse("admin:staff_securityevent_add")).status_code == 403
    page = admin.get(reverse("admin:staff_securityevent_change", args=[event.pk]))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert admin.post(reverse("admin:staff_securityevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.count() == 1


def test_the_log_filters_by_actor_key_action_and_date(admin, events):
    by_actor = admin.get(LIST_URL, {"actor": "alice@example.com"}).context["cl"].result_list
    assert {(e.action, e.api_key) for e in by_actor} == {
        ("key_created", events["first"].masked),
        ("key_deactivated", events["first"].masked),
    }
    by_key = admin.get(LIST_URL, {"api_key": events["second"].masked}).context["cl"].result_list
    assert [e.action for e in by_key] == ["key_revoked", "key_created"]
    by_action = admin.get(LIST_URL, {"action__exact": "key_revoked"}).context["cl"].result_list
    assert [e.actor for e in by_action] == ["bob@example.com"]
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)  # as the date filter sends it
    by_date = admin.get(LIST_URL, {"at__gte": str(today), "at__lt": str(today + timedelta(days=1))})
    assert len(by_date.context["cl"].result_list) == 4
    yesterday = admin.get(LIST_URL, {"at__gte": str(today - timedelta(days=1)), "at__lt": str(today)})
    assert len(yesterday.context["cl"].result_list) == 0


def test_the_csv_export_keeps_the_filters_and_pages_through_everything(admin, events):
    rows = exported(admin.get(EXPORT_URL, {"actor": "bob@example.com"}))
    assert [row["action"] for row in rows] == ["key_created", "key_revoked"]  # oldest first
    assert {row["api_key"] for row in rows} == {events["second"].masked}
    assert set(rows[0]) == {"at", "action", "actor", "actor_id", "api_key", "api_key_id", "ip", "details"}

    assert len(exported(admin.get(EXPORT_URL))) == 4
    assert (
        'href="/admin/staff/securityevent/export.csv?actor=bob%40example.com"'
        in admin.get(LIST_URL, {"actor": "bob@example.com"}).content.decode()
    )


def test_the_csv_export_neutralises_formulas_typed_as_a_username(admin):
    SecurityEvent.objects.create(action=SecurityEvent.Action.LOGIN_FAILED, actor='=HYPERLINK("http://evil")')
    (row,) = exported(admin.get(EXPORT_URL))
    assert row["actor"] == '\'=HYPERLINK("http://evil")'


def test_staff_without_the_view_permission_cannot_read_or_export_the_log():
    client = Client()
    client.force_login(UserFactory(password=None, is_staff=True))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_the_list_makes_the_same_queries_for_two_events_as_for_twenty(admin):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(LIST_URL).status_code == 200
        return len(queries)

    for _ in range(2):
        SecurityEvent.objects.create(action=SecurityEvent.Action.LOGIN_FAILED, actor="someone")
    few = count()
    for _ in range(18):
        SecurityEvent.objects.create(action=SecurityEvent.Action.LOGIN_FAILED, actor="someone")
    assert count() == few
