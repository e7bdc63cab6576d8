"""The API key admin: issuing shows the key once and nowhere else, revoking and
(de)activating take effect on the next request, the list filters and searches, model
permissions keep other staff out; plus the Provider and IdempotencyRecord admins."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from apikeys import keys
from apikeys.admin import ApiKeyAdmin
from apikeys.models import ApiKey, ApiKeyDailyUsage, IdempotencyRecord, Provider
from apikeys.scopes import SCOPES
from apikeys.services import api_key_revoke, api_key_set_active
from apikeys.tests.factories import make_key
from apikeys.usage import usage_buffer
from jobs.tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:apikeys_apikey_add")
CHANGELIST_URL = reverse("admin:apikeys_apikey_changelist")
NEW_KEY = re.compile(r'<code id="new-api-key"[^>]*>([^<]+)</code>')


def new_user(**fields):
    # No password: hashing one costs most of a second, and force_login needs none.
    return UserFactory(password=None, **fields)


def new_key(**options) -> tuple[ApiKey, str]:
    if "owner" not in options:
        options["owner"] = new_user()
    return make_key(**options)


def change_url(key: ApiKey) -> str:
    return reverse("admin:apikeys_apikey_change", args=[key.pk])


@pytest.fixture
def superuser():
    return new_user(is_staff=True, is_superuser=True)


@pytest.fixture
def admin(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def add_form(owner, **overrides) -> dict:
    data = {
        "nonce": secrets.token_urlsafe(24),  # a fresh form's (see ApiKeyCreateForm)
        "owner": owner.pk,
        "name": "Channel manager",
        "scopes": ["users.read"],
        "prefix": ApiKey.Prefix.LIVE,
        "space": "",
        "provider": "",
        "expires_at_0": "",
        "expires_at_1": "",
        "rate_limit_per_minute": "",
    }
    data.update(overrides)
    return data


def issue_through_admin(admin: Client, owner=None, **overrides) -> tuple[ApiKey, str, object]:
    """Post the add form; return the new key, the full key string shown, and the response."""
    response = admin.post(ADD_URL, add_form(owner or new_user(), **overrides))
    assert response.status_code == 200, response.content.decode()[:2000]
    shown = NEW_KEY.findall(response.content.decode())
    assert len(shown) == 1
    key = ApiKey.objects.get(key_id=keys.parse(shown[0]).key_id)
    return key, shown[0], response


def me(raw: str):
    return Client().get("/v2/me", HTTP_X_API_KEY=raw)


def run_action(admin: Client, action: str, *selected: ApiKey):
    return admin.post(CHANGELIST_URL, {"action": action, "_selected_action": [key.pk for key in selected]}, follow=True)


def secret_parts(raw: str, key: ApiKey) -> list[str]:
    """The strings that must never appear once the creation page is gone."""
    return [raw, raw[len(key.prefix) + keys.KEY_ID_LENGTH :], key.digest]


# --- issuing ---------------------------------------------------------------------------


def test_it_shows_the_new_key_once_and_the_key_works(admin, superuser):
    owner = new_user()
    key, raw, response = issue_through_admin(admin, owner, scopes=["users.read", "bookings.write"])

    assert "admin/apikeys/apikey/created.html" in [t.name for t in response.templates]
    assert response.content.decode().count(raw) == 1
    assert key.key_id in raw and raw.startswith("sk_live_")
    assert "navigator.clipboard.writeText" in response.content.decode()
    assert key.created_by == superuser
    assert key.owner == owner
    assert key.scopes == ["users.read", "bookings.write"]
    assert keys.matches(raw, key.digest)

    response = me(raw)
    assert response.status_code == 200
    assert response.json()["data"]["email"] == owner.email


def test_it_issues_a_key_with_every_setting_of_the_form(admin):
    space = SpaceFactory()
    provider = Provider.objects.create(slug="channex", name="Channex")
    expiry = (timezone.now() + timedelta(days=30)).replace(microsecond=0, second=0)
    key, raw, _response = issue_through_admin(
        admin,
        prefix=ApiKey.Prefix.COWORKIES_RESTRICTED,
        scopes=["read", "jobs:write"],
        space=space.pk,
        provider=provider.pk,
        expires_at_0=expiry.strftime("%Y-%m-%d"),
        expires_at_1=expiry.strftime("%H:%M:%S"),
        rate_limit_per_minute="120",
    )

    assert raw.startswith("cwk_rstr_")
    assert (key.prefix, key.space, key.provider) == ("cwk_rstr_", space, provider)
    assert key.expires_at == expiry
    assert key.rate_limit_per_minute == 120
    assert key.scopes == ["read", "jobs:write"]


def test_the_page_showing_the_key_is_never_cached(admin):
    _key, _raw, response = issue_through_admin(admin)
    assert "no-store" in response["Cache-Control"]


def test_the_add_form_offers_every_scope_of_the_catalogue_as_a_checkbox(admin):
    content = admin.get(ADD_URL).content.decode()
    for scope in SCOPES:
        assert f'type="checkbox" name="scopes" value="{scope}"' in content


def test_it_refuses_an_expiry_in_the_past_and_issues_nothing(admin):
    yesterday = timezone.now() - timedelta(days=1)
    response = admin.post(
        ADD_URL,
        add_form(new_user(), expires_at_0=yesterday.strftime("%Y-%m-%d"), expires_at_1="12:00:00"),
    )
    assert response.status_code == 200
    assert "The expiry must be in the future." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_it_refuses_a_zero_rate_limit(admin):
    response = admin.post(ADD_URL, add_form(new_user(), rate_limit_per_minute="0"))
    assert response.context["adminform"].form.errors["rate_limit_per_minute"]
    assert not ApiKey.objects.exists()


def test_it_refuses_a_scope_outside_the_catalogue(admin):
    response = admin.post(ADD_URL, add_form(new_user(), scopes=["users.read", "admin.everything"]))
    assert "scopes" in response.context["adminform"].form.errors
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    "prefix, scopes",
    [(ApiKey.Prefix.COWORKIES_LIVE, ["jobs:read", "users.read"]), (ApiKey.Prefix.LIVE, ["users.read", "write"])],
)
def test_it_refuses_scopes_outside_the_prefixs_family(admin, prefix, scopes):
    response = admin.post(ADD_URL, add_form(new_user(), prefix=prefix, scopes=scopes))
    assert "carries only" in str(response.context["adminform"].form.errors["scopes"])
    assert not ApiKey.objects.exists()


def test_the_change_form_refuses_a_scope_outside_the_keys_family(admin):
    key, _raw = new_key(scopes=["jobs:read"], prefix=ApiKey.Prefix.COWORKIES_RESTRICTED)
    response = admin.post(
        change_url(key),
        {
            "name": "K",
            "scopes": ["jobs:read", "users.write"],
            "is_active": "on",
            "space": "",
            "provider": "",
            "expires_at_0": "",
            "expires_at_1": "",
            "rate_limit_per_minute": "",
        },
    )
    assert "carries only coworkies scopes" in str(response.context["adminform"].form.errors["scopes"])
    key.refresh_from_db()
    assert key.scopes == ["jobs:read"]


# --- never shown again -----------------------------------------------------------------


def test_the_key_and_its_digest_never_appear_on_any_other_admin_page(admin):
    key, raw, _response = issue_through_admin(admin)
    pages_about_the_key = [
        CHANGELIST_URL,
        f"{CHANGELIST_URL}?q={key.key_id}",
        change_url(key),
        reverse("admin:apikeys_apikey_history", args=[key.pk]),
        reverse("admin:apikeys_apikey_delete", args=[key.pk]),
    ]
    other_pages = [reverse("admin:app_list", args=["apikeys"]), reverse("admin:index"), ADD_URL]
    for url in pages_about_the_key + other_pages:
        response = admin.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert url in other_pages or key.masked in content, url
        for secret in secret_parts(raw, key):
            assert secret not in content, url


def test_the_change_list_shows_the_masked_key_status_scopes_and_usage(admin):
    key, _raw = new_key(scopes=["users.read", "listings.write"], name="PMS sync")
    ApiKey.objects.filter(pk=key.pk).update(usage_count=42)

    content = admin.get(CHANGELIST_URL).content.decode()

    assert "PMS sync" in content
    assert key.owner.email in content
    assert f"sk_live_{key.key_id}…" in content
    assert "users.read, listings.write" in content
    assert "Active" in content
    assert ">42<" in content


def cookie_texts(response) -> list[str]:
    """Every cookie value the response sets, with the messages cookie decoded: its value is
    signed base64, so a key inside it would not show as a plain substring."""
    texts = []
    for name, morsel in response.cookies.items():
        texts.append(morsel.value)
        if name == "messages" and morsel.value:
            texts += [str(message) for message in CookieStorage(response.wsgi_request)._decode(morsel.value) or []]
    return texts


def test_the_key_never_reaches_a_cookie_or_the_session(admin):
    key, raw, created = issue_through_admin(admin)
    # An action leaves a message: the messages cookie now exists and must not hold the key either.
    action = admin.post(CHANGELIST_URL, {"action": "deactivate", "_selected_action": [key.pk]})
    assert action.status_code == 302
    assert "Deactivated 1 key." in cookie_texts(action)  # the decoding works

    for response in (created, action):
        for text in cookie_texts(response):
            for secret in secret_parts(raw, key):
                assert secret not in text
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    assert sessions and not any(raw in session for session in sessions)


# --- actions ---------------------------------------------------------------------------


def test_revoking_refuses_the_very_next_request_with_the_key(admin, superuser):
    key, raw = new_key()
    assert me(raw).status_code == 200

    response = run_action(admin, "revoke", key)

    assert response.status_code == 200
    assert "Revoked 1 key." in response.content.decode()
    revoked = me(raw)
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "api_key_revoked"
    key.refresh_from_db()
    assert key.revoked_by == superuser
    assert key.revoked_at is not None


def test_revoking_twice_keeps_the_first_revocation(admin):
    key, _raw = new_key()
    first_revoker = new_user()
    api_key_revoke(key=key, revoked_by=first_revoker)
    revoked_at = ApiKey.objects.get(pk=key.pk).revoked_at

    response = run_action(admin, "revoke", key)

    assert "Revoked 0 keys." in response.content.decode()
    key.refresh_from_db()
    assert (key.revoked_at, key.revoked_by) == (revoked_at, first_revoker)


def test_deactivating_refuses_the_key_and_activating_accepts_it_again(admin):
    key, raw = new_key()

    run_action(admin, "deactivate", key)
    assert me(raw).status_code == 401
    assert me(raw).json()["code"] == "api_key_inactive"

    run_action(admin, "activate", key)
    assert me(raw).status_code == 200


def test_activating_does_not_bring_back_a_revoked_key(admin):
    key, raw = new_key()
    api_key_set_active(key=key, active=False)
    api_key_revoke(key=key)

    run_action(admin, "activate", key)

    assert me(raw).status_code == 401
    assert me(raw).json()["code"] == "api_key_revoked"


def test_actions_only_touch_the_selected_keys(admin):
    chosen, _ = new_key()
    other, other_raw = new_key()

    run_action(admin, "revoke", chosen)

    assert ApiKey.objects.get(pk=chosen.pk).revoked_at is not None
    assert me(other_raw).status_code == 200


# --- filters and search ------------------------------------------------------------------


@pytest.fixture
def one_key_per_status():
    active, _ = new_key(name="active one")
    expired, _ = new_key(name="expired one", expires_at=timezone.now() - timedelta(minutes=1))
    future, _ = new_key(name="future expiry", expires_at=timezone.now() + timedelta(days=1))
    revoked, _ = new_key(name="revoked one")
    api_key_revoke(key=revoked)
    inactive, _ = new_key(name="inactive one")
    api_key_set_active(key=inactive, active=False)
    # Inactivity wins over expiry.
    inactive_expired, _ = new_key(name="inactive and expired", expires_at=timezone.now() - timedelta(days=1))
    api_key_set_active(key=inactive_expired, active=False)
    # Revocation wins over inactivity and expiry, as in ApiKey.status.
    revoked_inactive_expired, _ = new_key(name="revoked too", expires_at=timezone.now() - timedelta(days=1))
    api_key_set_active(key=revoked_inactive_expired, active=False)
    api_key_revoke(key=revoked_inactive_expired)
    return {
        "active": {active, future},
        "expired": {expired},
        "revoked": {revoked, revoked_inactive_expired},
        "inactive": {inactive, inactive_expired},
    }


@pytest.mark.parametrize("status", ["active", "expired", "revoked", "inactive"])
def test_the_status_filter_agrees_with_each_keys_status(admin, one_key_per_status, status):
    response = admin.get(CHANGELIST_URL, {"status": status})
    listed = set(response.context["cl"].result_list)
    assert listed == one_key_per_status[status]
    assert {key.status for key in listed} == {status}


def test_the_prefix_filter_lists_only_that_prefix(admin):
    live, _ = new_key(prefix=ApiKey.Prefix.LIVE)
    sandbox, _ = new_key(prefix=ApiKey.Prefix.TEST)
    response = admin.get(CHANGELIST_URL, {"prefix__exact": "sk_test_"})
    assert list(response.context["cl"].result_list) == [sandbox]
    assert live not in response.context["cl"].result_list


def test_the_owner_filter_lists_only_that_owners_keys(admin):
    mine, _ = new_key()
    new_key()
    response = admin.get(CHANGELIST_URL, {"owner__id__exact": mine.owner_id})
    assert list(response.context["cl"].result_list) == [mine]


@pytest.mark.parametrize(
    "term",
    [
        lambda key: "Booking engine",
        lambda key: key.owner.email,
        lambda key: key.key_id,
        lambda key: key.masked,  # pasted from the list
    ],
    ids=["name", "owner email", "key id", "masked key"],
)
def test_search_finds_a_key_by_name_owner_email_and_key_id(admin, term):
    wanted, _ = new_key(name="Booking engine", owner=new_user(email="host@hostel.example"))
    new_key(name="Other")
    response = admin.get(CHANGELIST_URL, {"q": term(wanted)})
    assert list(response.context["cl"].result_list) == [wanted]


def test_search_by_masked_key_keeps_the_status_filter(admin):
    revoked, _ = new_key()
    api_key_revoke(key=revoked)
    response = admin.get(CHANGELIST_URL, {"q": revoked.masked, "status": "active"})
    assert list(response.context["cl"].result_list) == []


def test_the_change_list_makes_the_same_queries_for_two_keys_as_for_ten(admin):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(CHANGELIST_URL).status_code == 200
        return len(queries)

    for _ in range(2):
        new_key()
    with_two = count_queries()
    for _ in range(8):
        new_key()
    assert count_queries() == with_two


# --- the change page -----------------------------------------------------------------------


def test_the_change_page_shows_daily_usage_per_ip_most_recent_first(admin):
    client_key, raw = new_key()
    Client().get("/v2/me", HTTP_X_API_KEY=raw, REMOTE_ADDR="203.0.113.7")
    usage_buffer.flush()
    today = timezone.now().date()
    ApiKeyDailyUsage.objects.create(api_key=client_key, date=today - timedelta(days=3), ip="198.51.100.2", count=9)

    content = admin.get(change_url(client_key)).content.decode()

    assert "203.0.113.7" in content and "198.51.100.2" in content
    assert content.index(today.isoformat()) < content.index((today - timedelta(days=3)).isoformat())
    assert client_key.digest not in content


def test_the_daily_usage_table_is_capped(admin):
    key, _ = new_key()
    today = timezone.now().date()
    ApiKeyDailyUsage.objects.bulk_create(
        ApiKeyDailyUsage(api_key=key, date=today - timedelta(days=n), ip="192.0.2.1", count=n + 1) for n in range(70)
    )
    content = admin.get(change_url(key)).content.decode()
    assert (today - timedelta(days=59)).isoformat() in content
    assert (today - timedelta(days=60)).isoformat() not in content


def test_the_change_page_shows_scopes_as_checkboxes_and_history_read_only(admin, superuser):
    key, raw, _ = issue_through_admin(admin, scopes=["bookings.read"])
    response = admin.get(change_url(key))
    content = response.content.decode()
    form = response.context["adminform"].form

    checked = re.findall(r'<input type="checkbox" name="scopes" value="([^"]+)"[^>]*checked', content)
    assert checked == ["bookings.read"]
    assert {"owner", "prefix", "digest", "key_id", "created_by", "usage_count"}.isdisjoint(form.fields)
    assert key.masked in content
    assert f">{superuser.email}</a>" in content  # created by, read-only


def test_the_change_form_updates_scopes_but_not_owner_or_prefix(admin):
    key, raw = new_key(scopes=["users.read"])
    original_owner = key.owner
    response = admin.post(
        change_url(key),
        {
            "name": "Renamed",
            "scopes": ["bookings.read", "bookings.write"],
            "owner": new_user().pk,
            "prefix": ApiKey.Prefix.TEST,
            "space": "",
            "provider": "",
            "is_active": "on",
            "expires_at_0": "",
            "expires_at_1": "",
            "rate_limit_per_minute": "",
        },
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.name == "Renamed"
    assert key.scopes == ["bookings.read", "bookings.write"]
    assert (key.owner, key.prefix) == (original_owner, ApiKey.Prefix.LIVE)
    assert me(raw).status_code == 200


def test_saving_the_change_form_of_a_key_revoked_meanwhile_saves_nothing_and_keeps_the_revocation(admin, monkeypatch):
    key, raw = new_key()
    load = ApiKeyAdmin.get_object

    def load_then_someone_else_writes(self, request, object_id, from_field=None):
        obj = load(self, request, object_id, from_field)
        if request.method == "POST":
            # Between the admin loading the key and saving it, another admin revokes it and
            # a usage flush lands.
            ApiKey.objects.filter(pk=obj.pk).update(revoked_at=timezone.now(), usage_count=500)
        return obj

    monkeypatch.setattr(ApiKeyAdmin, "get_object", load_then_someone_else_writes)
    response = admin.post(
        change_url(key),
        {
            "name": "Renamed",
            "scopes": ["users.read"],
            "space": "",
            "provider": "",
            "is_active": "on",
            "expires_at_0": "",
            "expires_at_1": "",
            "rate_limit_per_minute": "",
        },
    )

    assert response.status_code == 302
    assert "Nothing was saved" in admin.get(response.url).content.decode()
    key.refresh_from_db()
    assert key.name == "Test key"
    assert key.revoked_at is not None
    assert key.usage_count == 500
    assert me(raw).status_code == 401


def test_saving_the_change_form_does_not_write_back_usage_counted_meanwhile(admin, monkeypatch):
    key, raw = new_key()
    load = ApiKeyAdmin.get_object

    def load_then_usage_lands(self, request, object_id, from_field=None):
        obj = load(self, request, object_id, from_field)
        if request.method == "POST":
            ApiKey.objects.filter(pk=obj.pk).update(usage_count=500)
        return obj

    monkeypatch.setattr(ApiKeyAdmin, "get_object", load_then_usage_lands)
    response = admin.post(
        change_url(key),
        {
            "name": "Renamed",
            "scopes": ["users.read"],
            "space": "",
            "provider": "",
            "is_active": "on",
            "expires_at_0": "",
            "expires_at_1": "",
            "rate_limit_per_minute": "",
        },
    )

    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.name, key.usage_count) == ("Renamed", 500)
    assert me(raw).status_code == 200


# --- permissions -----------------------------------------------------------------------


def test_staff_without_the_apikey_permissions_get_403(db):
    staff = new_user(is_staff=True)
    key, _ = new_key()
    client = Client()
    client.force_login(staff)

    assert client.get(CHANGELIST_URL).status_code == 403
    assert client.get(change_url(key)).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, add_form(new_user())).status_code == 403
    assert ApiKey.objects.count() == 1


def test_staff_with_only_the_view_permission_see_keys_but_cannot_issue_or_revoke(db):
    staff = new_user(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_apikey", content_type__app_label="apikeys"))
    key, raw = new_key()
    client = Client()
    client.force_login(staff)

    assert client.get(CHANGELIST_URL).status_code == 200
    assert client.get(ADD_URL).status_code == 403
    client.post(CHANGELIST_URL, {"action": "revoke", "_selected_action": [key.pk]})
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert me(raw).status_code == 200


# --- providers and idempotency records -------------------------------------------------------


def test_providers_can_be_added_and_listed(admin):
    response = admin.post(
        reverse("admin:apikeys_provider_add"), {"slug": "channex", "name": "Channex", "is_active": "on"}
    )
    assert response.status_code == 302
    assert Provider.objects.get(slug="channex").name == "Channex"
    assert "Channex" in admin.get(reverse("admin:apikeys_provider_changelist")).content.decode()


def test_idempotency_records_are_listed_but_cannot_be_added_opened_or_changed(admin):
    key, _ = new_key(name="PMS")
    record = IdempotencyRecord.objects.create(
        api_key=key,
        key="retry-123",
        fingerprint="0" * 64,
        method="POST",
        path="/v2/users",
        state=IdempotencyRecord.State.COMPLETED,
        status_code=201,
        response_body=b'{"email": "guest@example.com"}',
    )

    listing = admin.get(reverse("admin:apikeys_idempotencyrecord_changelist"))
    content = listing.content.decode()
    assert listing.status_code == 200
    assert "retry-123" in content and "201" in content and key.masked in content
    assert "guest@example.com" not in content

    assert admin.get(reverse("admin:apikeys_idempotencyrecord_add")).status_code == 403
    assert admin.get(reverse("admin:apikeys_idempotencyrecord_change", args=[record.pk])).status_code == 403
    assert admin.get(reverse("admin:apikeys_idempotencyrecord_delete", args=[record.pk])).status_code == 403
