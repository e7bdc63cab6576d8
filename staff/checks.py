"""``check --deploy`` warns when the admin runs in production without two-factor."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required_check(app_configs, **kwargs):
    if settings.ADMIN_2FA_REQUIRED or settings.DEBUG:
        return []
    return [
        Warning(
            "ADMIN_2FA_REQUIRED is off: staff who can issue or revoke API keys sign in to the admin with a "
            "password alone.",
            hint="Unset ADMIN_2FA_REQUIRED (it defaults to on with DEBUG=0) or set ADMIN_2FA_REQUIRED=1.",
            id="staff.W001",
        )
    ]
