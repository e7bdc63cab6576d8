"""Failed admin logins are limited per client IP (django-axes): the lockout refuses even
the right password until the cool-off passes, tells when to retry, is lifted by staff
from the admin, and does not touch other IPs. Failures land in the security log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from staff.models import SecurityEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
ATTACKER_IP = "203.0.113.9"
OTHER_IP = "198.51.100.7"


@pytest.fixture
def staff_member():
    return UserFactory(is_staff=True, is_superuser=True)  # the factory sets PASSWORD


def log_in(ip: str, email: str, password: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/admin/login/?next=/admin/", {"username": email, "password": password, "next": "/admin/"})
    return client, response


def is_logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def fail_until_locked(email: str, ip: str = ATTACKER_IP):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _client, response = log_in(ip, email, "wrong password")
        assert response.status_code == 200  # the login form again, with its error
        assert "Please enter the correct email" in response.content.decode()
    _client, response = log_in(ip, email, "wrong password")
    return response


def test_the_limit_th_failure_locks_the_ip_out_and_says_when_to_retry(staff_member):
    response = fail_until_locked(staff_member.email)

    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many failed logins" in content
    retry_at = timezone.now() + settings.AXES_COOLOFF_TIME
    assert retry_at.strftime("%H:%M") in content or (retry_at - timedelta(minutes=1)).strftime("%H:%M") in content
    assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert "Content-Security-Policy" in response


def test_a_locked_out_ip_is_refused_even_with_the_right_password(staff_member):
    fail_until_locked(staff_member.email)

    client, response = log_in(ATTACKER_IP, staff_member.email, PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_another_ip_is_still_let_in_during_the_lockout(staff_member):
    fail_until_locked(staff_member.email)

    client, response = log_in(OTHER_IP, staff_member.email, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_right_password_works_again_once_the_cool_off_has_passed(staff_member):
    fail_until_locked(staff_member.email)
    # The window passing, without sleeping through it: the attempts are that old.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    client, response = log_in(ATTACKER_IP, staff_member.email, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_staff_lift_a_lockout_from_the_admin(staff_member):
    fail_until_locked(staff_member.email)
    operator = Client(REMOTE_ADDR=OTHER_IP)
    operator.force_login(UserFactory(password=None, is_staff=True, is_superuser=True))
    attempt = AccessAttempt.objects.get(ip_address=ATTACKER_IP)

    listing = operator.get("/admin/axes/accessattempt/")
    assert ATTACKER_IP in listing.content.decode()
    response = operator.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    client, response = log_in(ATTACKER_IP, staff_member.email, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_failed_logins_and_the_lockout_land_in_the_security_log(staff_member):
    fail_until_locked(staff_member.email)

    failures = SecurityEvent.objects.filter(action=SecurityEvent.Action.LOGIN_FAILED)
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert set(failures.values_list("actor", "ip")) == {(staff_member.email, ATTACKER_IP)}
    lockout = SecurityEvent.objects.get(action=SecurityEvent.Action.LOCKED_OUT)
    assert (lockout.actor, lockout.ip) == (staff_member.email, ATTACKER_IP)
    # axes' own record of every failure stays too (Axes › Access failures).
    assert AccessFailureLog.objects.filter(ip_address=ATTACKER_IP).count() == settings.AXES_FAILURE_LIMIT


def test_api_requests_are_not_throttled_by_admin_login_failures(staff_member, key_client):
    fail_until_locked(staff_member.email)
    client = key_client(["users.read"])
    assert client.get("/v2/me", REMOTE_ADDR=ATTACKER_IP).status_code == 200
