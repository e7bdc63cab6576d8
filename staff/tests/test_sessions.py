"""Admin session hygiene: sessions end after ADMIN_SESSION_IDLE_MINUTES without a request
(each request starts the count again), and a password change ends the user's other
sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a different horse, 2026"


def logged_in(user) -> Client:
    client = Client()
    assert client.post("/admin/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_a_session_expires_after_the_idle_time_and_each_request_extends_it():
    user = UserFactory(is_staff=True, is_superuser=True)
    client = logged_in(user)
    session = Session.objects.get(session_key=client.session.session_key)
    assert abs((session.expire_date - timezone.now()) - timedelta(seconds=settings.SESSION_COOKIE_AGE)) < timedelta(
        seconds=30
    )

    # A request pushes the end back (SESSION_SAVE_EVERY_REQUEST).
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/admin/").status_code == 200
    extended = Session.objects.get(pk=session.pk).expire_date
    assert extended - timezone.now() > timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)

    # Idle past it: the session is over.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_changing_ones_password_ends_ones_other_sessions_but_not_this_one():
    user = UserFactory(is_staff=True, is_superuser=True)
    here, elsewhere = logged_in(user), logged_in(user)

    response = here.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302


def test_a_password_set_by_a_superuser_ends_all_of_that_users_sessions():
    user = UserFactory(is_staff=True, is_superuser=True)
    their_session = logged_in(user)
    superuser = Client()
    superuser.force_login(UserFactory(password=None, is_staff=True, is_superuser=True))

    response = superuser.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:500]
    assert their_session.get("/admin/").status_code == 302
