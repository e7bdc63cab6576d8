"""Two-factor for the staff who can issue or revoke API keys (``ADMIN_2FA_REQUIRED``).

The admin's own login checks the password (throttled by django-axes). Then, on every
admin page, a staff user who needs a second factor and has not given one this session is
sent to enter a code from their authenticator (or a backup code) — or, with no device
yet, to enrol one (two_factor's setup wizard, then their backup codes). Only the login,
logout and these pages stay open to them until then.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

# Whoever holds one of these permissions can issue or revoke keys.
KEY_PERMISSIONS = ("apikeys.add_apikey", "apikeys.change_apikey")


def needs_second_factor(user) -> bool:
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or any(user.has_perm(p) for p in KEY_PERMISSIONS))
    )


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.ADMIN_2FA_REQUIRED and request.path.startswith("/admin/") and not self._open(request.path):
            user = request.user
            if user.is_authenticated and not user.is_verified() and needs_second_factor(user):
                if not user_has_device(user):
                    # No "next": enrolment ends on the page that hands out the backup codes.
                    return HttpResponseRedirect(reverse("two_factor:setup"))
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('staff_2fa_verify')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(("/admin/2fa/", reverse("admin:login"), reverse("admin:logout"), "/admin/jsi18n/"))
