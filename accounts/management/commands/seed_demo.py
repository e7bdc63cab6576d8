"""``manage.py seed_demo``: demo data and one fresh demo key per API family.

Each app that has demo data keeps it in ``<app>/demo.py`` with a ``seed(context)``
function; they run in ``DEMO_APPS`` order and share ``context`` (the demo owner, the
demo space, whatever an earlier app put there). Safe to run again: data is upserted,
and the previous demo keys are revoked before new ones are issued (keys are stored as
digests, so the old strings cannot be printed again).
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from apikeys.models import ApiKey
from apikeys.services import api_key_create, api_key_revoke

DEMO_OWNER = "demo-host@example.com"
DEMO_APPS = ("jobs", "accounts", "listings", "bookings")
DEMO_KEYS = [
    (
        "Demo partner key",
        ApiKey.Prefix.LIVE,
        ["users.read", "users.write", "bookings.read", "bookings.write", "listings.read", "listings.write"],
        False,
    ),
    ("Demo coworkies key", ApiKey.Prefix.COWORKIES_LIVE, ["read", "write"], True),
    ("Demo coworkies restricted key", ApiKey.Prefix.COWORKIES_RESTRICTED, ["read"], True),
    ("Demo resource booking key", ApiKey.Prefix.LIVE, ["read_bookings", "write_bookings"], True),
]


class Command(BaseCommand):
    help = "Load demo data and print a fresh demo API key for each family."

    @transaction.atomic
    def handle(self, *args, **options):
        owner, created = User.objects.get_or_create(
            email=DEMO_OWNER, is_sandbox=False, defaults={"first_name": "Demo", "last_name": "Host"}
        )
        if created:
            owner.set_unusable_password()
            owner.save(update_fields=["password"])
        context: dict[str, object] = {"owner": owner}
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.seed(context)

        for key in ApiKey.objects.filter(owner=owner, name__in=[name for name, *_ in DEMO_KEYS], revoked_at=None):
            api_key_revoke(key=key)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo API keys (shown once):"))
        for name, prefix, scopes, bind_space in DEMO_KEYS:
            _key, raw = api_key_create(
                owner=owner, name=name, prefix=prefix, scopes=scopes, space=context["space"] if bind_space else None
            )
            self.stdout.write(f"  {name:<32} {raw}   scopes: {','.join(scopes)}")
