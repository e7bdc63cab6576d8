"""``manage.py createapikey --owner EMAIL --name NAME --scopes a,b [--prefix] [--space] [--provider] [--expires]``

Prints the new key once; only its digest is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import User
from apikeys import scopes as scope_catalogue
from apikeys.models import ApiKey, Provider
from apikeys.services import api_key_create
from jobs.models import Space


def _parse_expiry(value: str) -> datetime:
    # The date first: parse_datetime also accepts a bare date (as midnight), which would end
    # the key's life at the start of the day given instead of at its end.
    try:
        day = parse_date(value)
        moment = datetime.combine(day, time.max) if day else parse_datetime(value)
    except ValueError:  # well-formed but impossible, e.g. 2030-02-30
        moment = None
    if moment is None:
        raise CommandError(f"--expires: {value!r} is not an ISO date or datetime")
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
        # Everything is checked before anything is written: a refused command must not
        # leave a half-made owner behind.
        email = options["owner"].strip().lower()
        owner = User.objects.filter(email__iexact=email, is_sandbox=False).first()  # never a sandbox user
        if owner is None and not options["create_owner"]:
            raise CommandError(f"No user with email {email}; pass --create-owner to create one.")
        if owner is None:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"--owner: {email!r} is not an email address") from None
        name = options["name"].strip()
        max_name = ApiKey._meta.get_field("name").max_length
        if not name or len(name) > max_name:
            raise CommandError(f"--name must be 1 to {max_name} characters")
        try:
            scopes = scope_catalogue.normalise(options["scopes"].split(","))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if foreign := scope_catalogue.outside_family(options["prefix"], scopes):
            # api_key_create refuses it too; said here, before an owner is created.
            raise CommandError(scope_catalogue.family_error(options["prefix"], foreign))
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
        expires_at = _parse_expiry(options["expires"]) if options["expires"] else None
        rate_limit = options["rate_limit"]
        if rate_limit is not None and rate_limit < 1:
            # 0 would silently mean "the default" to the limiter; a negative one fails in the database.
            raise CommandError("--rate-limit must be at least 1 (leave it out for the default)")
        with transaction.atomic():
            if owner is None:
                owner = User.objects.create_user(email=email)
            _key, raw = api_key_create(
                owner=owner,
                name=name,
                scopes=scopes,
                prefix=options["prefix"],
                space=space,
                provider=provider,
                expires_at=expires_at,
                rate_limit_per_minute=rate_limit,
            )
        self.stdout.write(raw)
