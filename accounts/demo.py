"""Demo data for ``manage.py seed_demo``: one guest created through the partner API pipeline,
so that the demo partner key can ``GET /v2/users/{id}`` straight away."""

from __future__ import annotations

import secrets
from datetime import date

from accounts.models import User
from accounts.services import user_create

DEMO_GUEST = "demo-guest@example.com"


def seed(context: dict[str, object]) -> None:
    owner = context["owner"]
    guest = User.objects.filter(email=DEMO_GUEST).first()
    if guest is None:
        guest = user_create(
            email=DEMO_GUEST,
            password=secrets.token_urlsafe(24),  # nobody logs in as the demo guest
            first_name="ada",
            last_name="de la cruz",
            phone="+34600000000",
            date_of_birth=date(1994, 5, 17),
            gender=User.Gender.FEMALE,
            country="ES",
            city="Barcelona",
            timezone="Europe/Madrid",
            language="es",
            meta={"source": "demo", "newsletter": False},
            created_by=owner,
            source="demo",
        )
    context["demo_guest"] = guest
