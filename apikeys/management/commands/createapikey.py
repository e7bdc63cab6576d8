"""``manage.py createapikey --owner EMAIL --name NAME --scopes a,b [--prefix] [--space] [--provider] [--expires]``

Prints the new key once; only its digest is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import User
from apikeys import scopes as scope_catalogue
from apikeys.models import ApiKey, Provider
from apikeys.services import api_key_create
from jobs.models import Space


def _parse_expiry(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--expires: {value!r} is not an ISO date or datetime")
        moment = datetime.combine(day, time.max)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    if moment <= timezone.now():
        raise CommandError("--expires must be in the future")
    return moment


class Command(BaseCommand):
    help = "Issue an API key and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="Email of the owning user (host or partner).")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", default="", help=f"Comma-separated: {', '.join(scope_catalogue.SCOPES)}")
        parser.add_argument("--prefix", default=ApiKey.Prefix.LIVE, choices=ApiKey.Prefix.values)
        parser.add_argument("--space", help="Bind to a space (its slug or id).")
        parser.add_argument("--provider", help="Bind to an integration provider (its slug).")
        parser.add_argument("--expires", help="ISO date or datetime.")
        parser.add_argument("--rate-limit", type=int, help="Requests per minute for this key.")
        parser.add_argument("--create-owner", action="store_true", help="Create the owner if missing.")

    def handle(self, *args, **options):
        email = options["owner"].strip().lower()
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            if not options["create_owner"]:
                raise CommandError(f"No user with email {email}; pass --create-owner to create one.")
            owner = User.objects.create_user(email=email)
        try:
            scopes = scope_catalogue.normalise(options["scopes"].split(","))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        space = None
        if options["space"]:
            lookup = {"pk": options["space"]} if options["space"].isdigit() else {"slug": options["space"]}
            space = Space.objects.filter(**lookup).first()
            if space is None:
                raise CommandError(f"No space {options['space']!r}")
        provider = None
        if options["provider"]:
            provider = Provider.objects.filter(slug=options["provider"]).first()
            if provider is None:
                raise CommandError(f"No provider {options['provider']!r}")
        _key, raw = api_key_create(
            owner=owner,
            name=options["name"],
            scopes=scopes,
            prefix=options["prefix"],
            space=space,
            provider=provider,
            expires_at=_parse_expiry(options["expires"]) if options["expires"] else None,
            rate_limit_per_minute=options["rate_limit"],
        )
        self.stdout.write(raw)
