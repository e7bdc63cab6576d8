"""The key lifecycle staff can trust (issue 11, "The admin staff trust"): a reload of the
"key created" page issues nothing, revoking from the key's own page, revoked keys read
only, no bulk delete, History entries for every lifecycle step, the list's columns, the
branded index pointing at the API docs, and the usage lag said where usage is shown."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey
from apikeys.tests.factories import make_key
from apikeys.tests.test_admin import (
    ADD_URL,
    CHANGELIST_URL,
    NEW_KEY,
    add_form,
    change_url,
    me,
    new_key,
    new_user,
    run_action,
)
from staff.models import SecurityEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return new_user(is_staff=True, is_superuser=True)


@pytest.fixture
def admin(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def history(key: ApiKey) -> list[str]:
    return list(
        LogEntry.objects.filter(object_id=str(key.pk), content_type__model="apikey")
        .order_by("action_time", "id")
        .values_list("change_message", flat=True)
    )


# --- a reload issues nothing -------------------------------------------------------------


def test_reposting_the_same_add_form_issues_no_second_key_and_shows_no_secret(admin):
    form = add_form(new_user())
    first = admin.post(ADD_URL, form)
    assert len(NEW_KEY.findall(first.content.decode())) == 1

    again = admin.post(ADD_URL, form)  # what the browser sends on reload

    assert again.status_code == 200
    content = again.content.decode()
    assert NEW_KEY.findall(content) == []
    assert "already sent" in content and "no second key was issued" in content
    key = ApiKey.objects.get()
    assert key.masked in content and change_url(key) in content
    assert "no-store" in again["Cache-Control"]
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.KEY_CREATED).count() == 1


def test_each_blank_add_form_carries_its_own_nonce(admin):
    nonces = {re.search(r'name="nonce" value="([^"]+)"', admin.get(ADD_URL).content.decode())[1] for _ in range(2)}
    assert len(nonces) == 2


def test_two_different_add_forms_issue_two_keys(admin):
    owner = new_user()
    admin.post(ADD_URL, add_form(owner))
    admin.post(ADD_URL, add_form(owner))
    assert ApiKey.objects.filter(owner=owner).count() == 2


def test_a_form_without_its_nonce_is_refused_and_issues_nothing(admin):
    form = add_form(new_user())
    del form["nonce"]
    response = admin.post(ADD_URL, form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["nonce"]
    assert not ApiKey.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (two real concurrent transactions)")
@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_twice_at_once_issues_one_key(superuser):
    form = add_form(new_user())
    barrier = threading.Barrier(2)
    responses = []

    def post():
        client = Client()
        client.force_login(superuser)
        barrier.wait()
        responses.append(client.post(ADD_URL, form))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ApiKey.objects.count() == 1
    shown = [len(NEW_KEY.findall(response.content.decode())) for response in responses]
    assert sorted(shown) == [0, 1]
    assert all(response.status_code == 200 for response in responses)


# --- revoking from the key's page; revoked keys read only -------------------------------------


def test_the_keys_page_has_a_revoke_button_that_asks_then_revokes(admin, superuser):
    key, raw = new_key()
    page = admin.get(change_url(key)).content.decode()
    revoke_url = reverse("admin:apikeys_apikey_revoke", args=[key.pk])
    assert f'href="{revoke_url}"' in page

    confirm = admin.get(revoke_url)
    assert confirm.status_code == 200 and "Yes, revoke it" in confirm.content.decode()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None  # asking changes nothing

    response = admin.post(revoke_url)

    assert response.status_code == 302 and response.url == change_url(key)
    assert me(raw).status_code == 401
    key.refresh_from_db()
    assert key.revoked_by == superuser
    assert history(key)[-1] == "Revoked."


def test_a_revoked_keys_page_is_read_only_and_has_no_revoke_button(admin):
    key, _raw = new_key(scopes=["users.read"])
    run_action(admin, "revoke", key)

    response = admin.get(change_url(key))
    content = response.content.decode()

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="scopes"' not in content and 'name="is_active"' not in content
    assert 'name="_save"' not in content
    assert "revokelink" not in content
    refused = admin.post(
        change_url(key), {"name": "Back", "scopes": ["users.read", "bookings.read"], "is_active": "on"}
    )
    assert refused.status_code == 403
    assert ApiKey.objects.get(pk=key.pk).scopes == ["users.read"]
    assert admin.post(reverse("admin:apikeys_apikey_revoke", args=[key.pk])).status_code == 403


def test_the_list_offers_no_bulk_delete(admin):
    key, _raw = new_key()
    actions = {name for name, _ in admin.get(CHANGELIST_URL).context["action_form"].fields["action"].choices}
    assert actions == {"", "revoke", "deactivate", "activate"}
    admin.post(CHANGELIST_URL, {"action": "delete_selected", "_selected_action": [key.pk], "post": "yes"})
    assert ApiKey.objects.filter(pk=key.pk).exists()


def test_a_superuser_may_still_delete_a_key_from_its_page(admin):
    key, _raw = new_key()
    response = admin.post(reverse("admin:apikeys_apikey_delete", args=[key.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ApiKey.objects.filter(pk=key.pk).exists()


# --- History and the security log ---------------------------------------------------------


def test_every_lifecycle_step_writes_history_and_the_security_log(admin, superuser):
    response = admin.post(ADD_URL, add_form(new_user(), scopes=["users.read"]))
    assert response.status_code == 200
    key = ApiKey.objects.get()
    form = {
        "name": key.name,
        "scopes": ["users.read", "bookings.read"],
        "space": "",
        "provider": "",
        "is_active": "on",
        "expires_at_0": "",
        "expires_at_1": "",
        "rate_limit_per_minute": "",
    }
    assert admin.post(change_url(key), form).status_code == 302
    run_action(admin, "deactivate", key)
    run_action(admin, "activate", key)
    run_action(admin, "revoke", key)

    assert history(key) == [
        '[{"added": {}}]',
        '[{"changed": {"fields": ["scopes"]}}]',
        "Deactivated.",
        "Activated.",
        "Revoked.",
    ]
    assert set(LogEntry.objects.filter(object_id=str(key.pk)).values_list("user", flat=True)) == {superuser.pk}
    assert LogEntry.objects.filter(object_id=str(key.pk), action_flag=CHANGE).count() == 4
    events = list(SecurityEvent.objects.filter(api_key_id=key.pk).order_by("at", "id"))
    assert [event.action for event in events] == [
        "key_created",
        "key_scopes_changed",
        "key_deactivated",
        "key_activated",
        "key_revoked",
    ]
    assert {event.actor for event in events} == {superuser.email}
    assert events[1].details == {"before": ["users.read"], "after": ["users.read", "bookings.read"]}
    assert all(event.ip == "127.0.0.1" for event in events)
    history_page = admin.get(reverse("admin:apikeys_apikey_history", args=[key.pk])).content.decode()
    assert "Revoked." in history_page and "Deactivated." in history_page


# --- the list, the index, the usage lag ----------------------------------------------------


def test_the_list_shows_expiry_created_at_and_created_by_in_narrow_columns(admin, superuser):
    make_key(
        scopes=["users.read", "users.write", "bookings.read", "bookings.write", "listings.read"], created_by=superuser
    )
    response = admin.get(CHANGELIST_URL)
    content = response.content.decode()
    headers = re.findall(r'<th scope="col"[^>]*class="[^"]*column-(\w+)', content)

    assert headers == [
        "name",
        "owner",
        "masked_key",
        "scope_list",
        "status_display",
        "expires_at",
        "created_at",
        "created_by",
        "last_used_at",
        "usage",
    ]
    assert "users.read, users.write, bookings.read +2 more" in content
    assert re.search(rf'<td class="field-created_by[^"]*">{re.escape(superuser.email)}</td>', content)


def test_the_list_states_that_usage_may_lag(admin, settings):
    settings.APIKEY_USAGE_FLUSH_SECONDS = 30
    new_key()
    assert "Requests (may lag 30 s)" in admin.get(CHANGELIST_URL).content.decode()


def test_the_keys_page_states_that_usage_may_lag(admin, settings):
    settings.APIKEY_USAGE_FLUSH_SECONDS = 30
    key, _raw = new_key()
    assert "at most every 30 seconds" in admin.get(change_url(key)).content.decode()


def test_the_admin_is_branded_and_its_index_points_at_the_api_docs(admin, settings):
    content = admin.get(reverse("admin:index")).content.decode()
    assert settings.ADMIN_SITE_HEADER in content
    assert f"<title>Administration | {settings.ADMIN_SITE_TITLE}</title>" in content
    assert 'href="/schema/swagger-ui/"' in content and 'href="/schema/redoc/"' in content


def test_key_pages_are_never_cached(admin):
    key, _raw = new_key()
    for url in (CHANGELIST_URL, ADD_URL, change_url(key), reverse("admin:apikeys_apikey_revoke", args=[key.pk])):
        assert "no-store" in admin.get(url)["Cache-Control"], url
