"""Recovery for a staff member who lost both their authenticator and their backup codes.

    manage.py staff_2fa_reset alice@example.com

Deletes their TOTP device and backup codes, ends their sessions, and logs it in the
security log. At their next admin login they enrol a new device (ADMIN_2FA_REQUIRED).
Run it only after confirming who is asking, out of band.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user

from staff.models import SecurityEvent
from staff.services import security_event_record


class Command(BaseCommand):
    help = "Remove a staff user's two-factor devices and backup codes so they enrol again at their next login."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the staff user's email (their login)")

    @transaction.atomic
    def handle(self, *args, email: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(email)
        except User.DoesNotExist:
            raise CommandError(f"No user with the email {email!r}.") from None
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        ended = self._end_sessions(user)
        security_event_record(
            action=SecurityEvent.Action.TWO_FACTOR_RESET,
            actor_label=email,
            details={"devices_removed": len(devices), "sessions_ended": ended, "by": "manage.py staff_2fa_reset"},
        )
        self.stdout.write(
            f"Removed {len(devices)} two-factor device(s) of {email} and ended {ended} session(s); "
            "they enrol a new device at their next admin login."
        )

    @staticmethod
    def _end_sessions(user) -> int:
        ended = 0
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
                session.delete()
                ended += 1
        return ended
