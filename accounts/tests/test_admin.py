"""The admin: users with their profile and meta attributes; the read-only outbox with its retry action."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_tasks import default_task_backend

from accounts.models import OutboxEvent, UserMetaAttribute
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_page_shows_the_profile_origin_and_meta_attributes(admin_client):
    partner = UserFactory()
    user = UserFactory(
        phone="+1234567890",
        date_of_birth=date(1990, 1, 1),
        country="US",
        timezone="America/New_York",
        language="en",
        created_by=partner,
    )
    UserMetaAttribute.objects.create(user=user, key="plan", value="gold")

    response = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("+1234567890", "America/New_York", "United States", partner.email, "plan", "gold"):
        assert text in html, text


def test_the_user_list_renders(admin_client):
    UserFactory(country="FR", created_by=UserFactory())
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_the_outbox_is_read_only_and_filters_by_delivery(admin_client):
    delivered = OutboxEvent.objects.create(name="UserCreated", payload={"user_id": 1}, delivered_at="2026-01-01T00:00Z")
    pending = OutboxEvent.objects.create(name="UserCreated", payload={"user_id": 2}, last_error="HTTP 500")
    changelist = reverse("admin:accounts_outboxevent_changelist")

    undelivered = admin_client.get(changelist, {"delivered": "no"})
    assert list(undelivered.context["cl"].result_list) == [pending]
    assert list(admin_client.get(changelist, {"delivered": "yes"}).context["cl"].result_list) == [delivered]
    assert admin_client.get(reverse("admin:accounts_outboxevent_add")).status_code == 403
    detail = admin_client.get(reverse("admin:accounts_outboxevent_change", args=[pending.pk]))
    assert detail.status_code == 200
    assert 'name="name"' not in detail.content.decode()  # no editable field
    assert admin_client.post(reverse("admin:accounts_outboxevent_delete", args=[pending.pk])).status_code == 403


def test_retry_delivery_queues_the_undelivered_events(admin_client, settings, django_capture_on_commit_callbacks):
    settings.TRACKING_URL = "https://tags.example.com/collect"
    delivered = OutboxEvent.objects.create(name="UserCreated", delivered_at="2026-01-01T00:00Z")
    failed = OutboxEvent.objects.create(name="UserCreated", attempts=5, last_error="HTTP 500")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_outboxevent_changelist"),
            {"action": "retry_delivery", "_selected_action": [delivered.pk, failed.pk]},
            follow=True,
        )

    assert "Delivery of 1 undelivered event(s) queued." in response.content.decode()
    assert [result.args for result in default_task_backend.results] == [[failed.pk]]


def test_retry_delivery_says_so_when_tracking_is_off(admin_client, settings):
    settings.TRACKING_URL = None
    event = OutboxEvent.objects.create(name="UserCreated")

    response = admin_client.post(
        reverse("admin:accounts_outboxevent_changelist"),
        {"action": "retry_delivery", "_selected_action": [event.pk]},
        follow=True,
    )

    assert "Tracking is off" in response.content.decode()
    assert default_task_backend.results == []
