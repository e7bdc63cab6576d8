"""System checks for what the accounts app needs from its environment."""

from __future__ import annotations

from django.core import checks

from accounts.validators import timezones


@checks.register()
def check_time_zone_database(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    # zoneinfo reads the system's tz database or the tzdata package; with neither, every
    # time zone in POST /v2/users would be refused.
    if "America/New_York" in timezones().values():
        return []
    return [
        checks.Error(
            "No IANA time zone database found: every user time zone would be refused.",
            hint="Install the system tzdata package or the tzdata Python package.",
            id="accounts.E001",
        )
    ]
