"""Sandbox users (``User.is_sandbox``): an address is unique among live users and within each
partner's sandbox, and the two never block each other."""

from __future__ import annotations

import pytest

from accounts.admin import UserCreationForm
from accounts.models import User
from accounts.services import user_create
from accounts.tests.factories import UserFactory
from coliving.api.errors import Conflict

pytestmark = pytest.mark.django_db

PASSWORD = "securepassword123"


def create(email: str, *, partner, sandbox: bool) -> User:
    return user_create(
        email=email, password=PASSWORD, first_name="Ada", last_name="Lovelace", created_by=partner, sandbox=sandbox
    )


def test_a_sandbox_address_is_unique_within_its_partners_sandbox_only():
    partner, other = UserFactory(), UserFactory()
    create("ada@example.com", partner=partner, sandbox=True)
    with pytest.raises(Conflict):
        create("ADA@example.com", partner=partner, sandbox=True)
    create("ada@example.com", partner=other, sandbox=True)  # another partner's sandbox
    live = create("ada@example.com", partner=partner, sandbox=False)  # and live
    assert not live.is_sandbox
    with pytest.raises(Conflict):
        create("ada@example.com", partner=other, sandbox=False)
    assert User.objects.filter(email="ada@example.com").count() == 3


def test_a_sandbox_user_records_no_event():
    from accounts.models import OutboxEvent

    create("ada@example.com", partner=UserFactory(), sandbox=True)
    assert not OutboxEvent.objects.exists()


def test_the_admin_still_refuses_a_live_address_in_use_in_any_case():
    UserFactory(email="ada@example.com")
    form = UserCreationForm(data={"email": "ADA@example.com", "usable_password": "false"})
    assert not form.is_valid()
    assert "A user with this email address already exists." in str(form.errors)


def test_the_admin_accepts_an_address_only_a_sandbox_user_has():
    create("ada@example.com", partner=UserFactory(), sandbox=True)
    form = UserCreationForm(data={"email": "ada@example.com", "usable_password": "false"})
    assert form.is_valid(), form.errors
