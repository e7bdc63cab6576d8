"""The pages around the admin login: the second-factor step and the lockout answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import site
from django.shortcuts import render
from django.utils import timezone
from django_otp.views import LoginView

from coliving.api.client_ip import client_ip
from staff.models import SecurityEvent
from staff.services import security_event_record


class VerifyView(LoginView):
    """After the password: a code from the authenticator app, or one of the backup codes.

    django-otp's view asks an authenticated, unverified user for a token only (its
    ``OTPTokenForm`` lists their devices: the app and "backup codes"); TOTP devices
    throttle repeated wrong codes themselves; each refused code is written to the security log."""

    template_name = "staff/verify.html"

    def form_invalid(self, form):
        # Every refused code (wrong, or refused by the device's throttle) goes to the security
        # log, with the device it was tried on, never the code itself. ``get_user()`` is None
        # only where no password was accepted either: a failed login, logged by its own signal.
        user = form.get_user()
        if user is not None:
            device = form.cleaned_data.get("otp_device")
            security_event_record(
                action=SecurityEvent.Action.TWO_FACTOR_FAILED,
                actor=user,
                ip=client_ip(self.request),
                details={"device": device} if device else None,
            )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return {
            **site.each_context(self.request),
            "title": "Two-factor verification",
            **super().get_context_data(**kwargs),
        }


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429, when to retry, and Retry-After.

    Every refused attempt starts the cool-off again, so the wait is counted from now."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        **site.each_context(request),
        "title": "Too many failed logins",
        "retry_at": timezone.now() + cooloff,
        "cooloff_minutes": int(cooloff.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    response = render(request, "staff/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
