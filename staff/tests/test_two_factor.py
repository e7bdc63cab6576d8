"""TOTP two-factor for the staff who can issue or revoke keys (ADMIN_2FA_REQUIRED): they
enrol at their first admin login, get backup codes, give a code at every later login;
staff without key permissions are not asked; a superuser can reset a lost device; and
``check --deploy`` warns when it is off in production."""

from __future__ import annotations

import re
from base64 import b32decode
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import UserFactory
from staff.models import SecurityEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
SETUP_URL = "/admin/2fa/setup/"
VERIFY_URL = "/admin/2fa/verify/"


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.ADMIN_2FA_REQUIRED = True


def password_login(user) -> Client:
    client = Client()
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def enrol(client: Client) -> bytes:
    """Walk two_factor's setup wizard as a person with an authenticator app would; return the secret."""
    assert client.get(SETUP_URL).status_code == 200
    response = client.post(SETUP_URL, {"setup_view-current_step": "welcome"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'src="/admin/2fa/setup/qrcode/"' in content
    secret = b32decode(client.session["django_two_factor-qr_secret_key"])
    assert client.get("/admin/2fa/setup/qrcode/")["Content-Type"].startswith("image/svg+xml")
    response = client.post(
        SETUP_URL, {"setup_view-current_step": "generator", "generator-token": f"{totp(secret):06d}"}
    )
    assert response.status_code == 302 and response.url == "/admin/2fa/setup/complete/", response.content[:500]
    return secret


def test_a_superuser_must_enrol_at_first_login_then_reaches_the_admin():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = password_login(superuser)

    response = client.get("/admin/apikeys/apikey/")
    assert response.status_code == 302
    assert response.url.startswith(SETUP_URL)
    assert client.get("/admin/apikeys/apikey/add/").url.startswith(SETUP_URL)

    enrol(client)

    assert TOTPDevice.objects.get(user=superuser).confirmed
    assert client.get("/admin/apikeys/apikey/add/").status_code == 200
    complete = client.get("/admin/2fa/setup/complete/").content.decode()
    assert "/admin/2fa/backup-codes/" in complete


def test_backup_codes_are_issued_and_each_signs_in_once():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = password_login(superuser)
    enrol(client)
    response = client.post("/admin/2fa/backup-codes/", follow=True)
    codes = list(StaticToken.objects.filter(device__user=superuser).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)

    # A later login, phone lost: the backup code instead of the app's.
    later = password_login(superuser)
    assert later.get("/admin/").url.startswith(VERIFY_URL)
    backup_device = superuser.staticdevice_set.get().persistent_id
    response = later.post(VERIFY_URL, {"otp_device": backup_device, "otp_token": codes[0], "next": "/admin/"})
    assert response.status_code == 302
    assert later.get("/admin/").status_code == 200

    again = password_login(superuser)
    response = again.post(VERIFY_URL, {"otp_device": backup_device, "otp_token": codes[0], "next": "/admin/"})
    assert response.status_code == 200  # refused: a backup code works once
    assert again.get("/admin/").status_code == 302


def test_an_enrolled_user_gives_a_code_at_each_login_and_a_wrong_one_is_refused():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    secret = enrol(password_login(superuser))
    device = TOTPDevice.objects.get(user=superuser)

    client = password_login(superuser)
    assert client.get("/admin/apikeys/apikey/").url.startswith(VERIFY_URL)
    wrong = (totp(secret) + 1) % 10**6
    response = client.post(VERIFY_URL, {"otp_device": device.persistent_id, "otp_token": f"{wrong:06d}"})
    assert response.status_code == 200
    assert client.get("/admin/apikeys/apikey/").status_code == 302

    # TOTP devices throttle after a failure (1 s, then doubling): let that back-off pass.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttling_failure_timestamp -= timedelta(seconds=2)
    device.last_t = -1  # the code enrolment used may be this same time step
    device.save()
    response = client.post(
        VERIFY_URL, {"otp_device": device.persistent_id, "otp_token": f"{totp(secret):06d}", "next": "/admin/"}
    )
    assert response.status_code == 302, response.content.decode()[:800]
    assert client.get("/admin/apikeys/apikey/").status_code == 200


def test_each_refused_code_lands_in_the_security_log_without_the_code():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    secret = enrol(password_login(superuser))
    device = TOTPDevice.objects.get(user=superuser)
    client = password_login(superuser)
    client.defaults["REMOTE_ADDR"] = "203.0.113.9"
    wrong = f"{(totp(secret) + 1) % 10**6:06d}"

    response = client.post(VERIFY_URL, {"otp_device": device.persistent_id, "otp_token": wrong})
    assert response.status_code == 200  # refused
    # At once again: refused by the device's throttle before the code is checked, logged all the same.
    client.post(VERIFY_URL, {"otp_device": device.persistent_id, "otp_token": wrong})

    events = list(SecurityEvent.objects.filter(action=SecurityEvent.Action.TWO_FACTOR_FAILED).order_by("id"))
    assert len(events) == 2
    for event in events:
        assert (event.actor_id, event.actor, event.ip) == (superuser.pk, superuser.email, "203.0.113.9")
        assert event.details == {"device": device.persistent_id}
        assert wrong not in str([event.actor, event.api_key, event.details])


def test_a_code_that_is_accepted_is_not_logged_as_a_failure():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    secret = enrol(password_login(superuser))
    device = TOTPDevice.objects.get(user=superuser)
    device.last_t = -1  # the code enrolment used may be this same time step
    device.save()
    client = password_login(superuser)
    response = client.post(
        VERIFY_URL, {"otp_device": device.persistent_id, "otp_token": f"{totp(secret):06d}", "next": "/admin/"}
    )
    assert response.status_code == 302
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.TWO_FACTOR_FAILED).exists()


def test_staff_who_cannot_issue_or_revoke_keys_are_not_asked_for_a_second_factor():
    support = UserFactory(is_staff=True)
    support.groups.add(Group.objects.get(name="support"))
    client = password_login(support)
    assert client.get("/admin/").status_code == 200


def test_key_issuers_are_asked_for_a_second_factor():
    issuer = UserFactory(is_staff=True)
    issuer.groups.add(Group.objects.get(name="key issuers"))
    client = password_login(issuer)
    assert client.get("/admin/").url.startswith(SETUP_URL)


def test_with_the_setting_off_the_password_is_enough(settings):
    settings.ADMIN_2FA_REQUIRED = False
    client = password_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/apikeys/apikey/add/").status_code == 200


def test_the_recovery_command_removes_the_devices_ends_the_sessions_and_is_logged():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = password_login(superuser)
    enrol(client)
    client.post("/admin/2fa/backup-codes/")
    assert client.get("/admin/").status_code == 200
    out = StringIO()

    call_command("staff_2fa_reset", superuser.email, stdout=out)

    assert "Removed 2 two-factor device(s)" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=superuser).exists()
    assert not StaticToken.objects.filter(device__user=superuser).exists()
    assert client.get("/admin/").status_code == 302  # that session is over
    assert not any(s.get_decoded().get("_auth_user_id") == str(superuser.pk) for s in Session.objects.all())
    event = SecurityEvent.objects.get(action=SecurityEvent.Action.TWO_FACTOR_RESET)
    assert event.actor == superuser.email
    # At the next login: enrol again.
    assert password_login(superuser).get("/admin/").url.startswith(SETUP_URL)


def test_the_recovery_command_refuses_an_unknown_email():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("staff_2fa_reset", "nobody@example.com")


def test_check_deploy_warns_when_two_factor_is_off_in_production(settings):
    settings.DEBUG = False
    settings.ADMIN_2FA_REQUIRED = False
    warnings = [m for m in run_checks(include_deployment_checks=True) if m.id == "staff.W001"]
    assert len(warnings) == 1 and "ADMIN_2FA_REQUIRED" in warnings[0].msg

    settings.ADMIN_2FA_REQUIRED = True
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "staff.W001"]


def test_the_enrolment_pages_use_the_admins_look_and_no_cdn():
    client = password_login(UserFactory(is_staff=True, is_superuser=True))
    content = client.get(SETUP_URL).content.decode()
    assert "cdnjs" not in content and "bootstrap" not in content
    assert re.search(r'<link rel="stylesheet" href="/static/admin/css/base\.css', content)
