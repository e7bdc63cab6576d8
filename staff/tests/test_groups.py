"""The staff groups made by staff/migrations/0002_staff_groups.py, each tried against the
real admin: what it lists on the admin index and what it may open and do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey
from apikeys.tests.factories import make_key

pytestmark = pytest.mark.django_db

LISTINGS = {
    "listing",
    "roomtype",
    "listinggrant",
    "provideraccountlink",
    "amenity",
    "communitytype",
    "communityevent",
    "hostfeed",
    "feedrun",
    "roomcalendar",
    "bookingconflict",
    "scheduledrun",
}
VISIBLE = {
    "key issuers": {("apikeys", "apikey"), ("apikeys", "provider"), ("accounts", "user"), ("jobs", "space")}
    | {("staff", "securityevent")},
    "support": {("accounts", "user"), ("bookings", "booking")} | {("listings", model) for model in LISTINGS},
    "content editors": {
        ("jobs", model)
        for model in ("job", "event", "blogpost", "blogcategory", "blogtag", "blogauthor", "feedback")
        + ("city", "space", "plan")
    },
}


def member_of(group: str) -> Client:
    user = UserFactory(password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def models_on_the_index(client: Client) -> set[tuple[str, str]]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        (app["app_label"], model["object_name"].lower())
        for app in response.context["app_list"]
        for model in app["models"]
    }


@pytest.mark.parametrize("group", sorted(VISIBLE))
def test_each_group_sees_exactly_its_models(group):
    assert models_on_the_index(member_of(group)) == VISIBLE[group]


def test_the_four_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "key issuers",
        "support",
        "content editors",
        "operators",
    }


def test_support_cannot_add_open_or_revoke_keys():
    key, raw = make_key(scopes=["users.read"])
    support = member_of("support")

    assert support.get(reverse("admin:apikeys_apikey_add")).status_code == 403
    assert support.get(reverse("admin:apikeys_apikey_change", args=[key.pk])).status_code == 403
    assert support.get(reverse("admin:apikeys_apikey_revoke", args=[key.pk])).status_code == 403
    assert support.post(reverse("admin:apikeys_apikey_revoke", args=[key.pk])).status_code == 403
    response = support.post(
        reverse("admin:apikeys_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert response.status_code == 403
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_support_reads_users_and_bookings_but_changes_nothing():
    support = member_of("support")
    user = UserFactory(password=None)
    page = support.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert (
        support.post(reverse("admin:accounts_user_change", args=[user.pk]), {"email": "x@example.com"}).status_code
        == 403
    )
    assert support.get(reverse("admin:bookings_booking_changelist")).status_code == 200
    assert support.get(reverse("admin:bookings_booking_add")).status_code == 403


def test_key_issuers_issue_and_revoke_keys_and_have_the_revoke_action():
    issuer = member_of("key issuers")
    key, _raw = make_key(scopes=["users.read"])

    assert issuer.get(reverse("admin:apikeys_apikey_add")).status_code == 200
    listing = issuer.get(reverse("admin:apikeys_apikey_changelist"))
    actions = {name for name, _label in listing.context["action_form"].fields["action"].choices}
    assert {"revoke", "deactivate", "activate"} <= actions
    assert "delete_selected" not in actions
    assert issuer.post(reverse("admin:apikeys_apikey_revoke", args=[key.pk])).status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_by == issuer.user
    # The owner picker searches users: key issuers may look users up, not change them.
    assert (
        issuer.get(reverse("admin:accounts_user_change", args=[key.owner.pk])).context["has_change_permission"] is False
    )


def test_content_editors_edit_the_directory_and_nothing_of_keys_or_users():
    editor = member_of("content editors")
    assert editor.get(reverse("admin:jobs_job_add")).status_code == 200
    assert editor.get(reverse("admin:jobs_space_add")).status_code == 403
    assert editor.get(reverse("admin:apikeys_apikey_changelist")).status_code == 403
    assert editor.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_operators_do_everything_but_write_users_or_their_passwords():
    operator = member_of("operators")
    user = UserFactory(password=None)

    assert operator.get(reverse("admin:apikeys_apikey_add")).status_code == 200
    assert operator.get(reverse("admin:jobs_job_add")).status_code == 200
    assert operator.get(reverse("admin:listings_listing_changelist")).status_code == 200
    assert operator.get(reverse("admin:staff_securityevent_changelist")).status_code == 200
    assert operator.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    assert operator.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert operator.get(reverse("admin:auth_user_password_change", args=[user.pk])).status_code == 403
    assert operator.get(reverse("admin:accounts_user_add")).status_code == 403
    assert operator.get(reverse("admin:auth_group_changelist")).status_code == 403
