import pytest

from accounts import demo
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_one_demo_guest_owned_by_the_demo_partner():
    owner = UserFactory()
    context = {"owner": owner}

    demo.seed(context)
    demo.seed(context)

    guest = User.objects.get(email=demo.DEMO_GUEST)
    assert context["demo_guest"] == guest
    assert guest.created_by == owner
    assert (guest.first_name, guest.last_name) == ("Ada", "de la Cruz")
