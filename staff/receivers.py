"""Failed and locked-out admin logins go to the security log, next to key events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from coliving.api.client_ip import client_ip
from staff.models import SecurityEvent
from staff.services import security_event_record


def _is_admin_request(request) -> bool:
    return request is not None and request.path.startswith("/admin/")


@receiver(user_login_failed, dispatch_uid="staff.login_failed")
def record_failed_login(sender, credentials, request=None, **kwargs):
    if not _is_admin_request(request):
        return
    # Django hands over the credentials with the password already masked.
    security_event_record(
        action=SecurityEvent.Action.LOGIN_FAILED,
        actor_label=str(credentials.get("username", "")),
        ip=client_ip(request),
    )


@receiver(user_locked_out, dispatch_uid="staff.locked_out")
def record_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    if not _is_admin_request(request):
        return
    username = username or request.POST.get("username", "")
    security_event_record(action=SecurityEvent.Action.LOCKED_OUT, actor_label=username, ip=ip_address)
