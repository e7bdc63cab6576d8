"""jobs/demo.py: the seed_demo directory, idempotent, and usable with the demo key."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey
from jobs import demo
from jobs.models import BlogPost, City, Event, Job, Space

pytestmark = pytest.mark.django_db


def _counts():
    return [model.objects.count() for model in (City, Space, Job, Event, BlogPost)]


def test_seeding_twice_gives_the_same_directory(key_client):
    owner = UserFactory()
    first: dict[str, object] = {"owner": owner}
    demo.seed(first)
    counts = _counts()
    again: dict[str, object] = {"owner": owner}
    demo.seed(again)
    assert _counts() == counts == [7, 3, 5, 4, 2]
    assert first["space"] == again["space"] and again["space"].slug == "example-coworking"
    assert set(Job.objects.values_list("status", flat=True)) == {"active"}

    client = key_client(["read", "write"], prefix=ApiKey.Prefix.COWORKIES_LIVE, space=again["space"], owner=owner)
    assert client.get("/v2/jobs").json()["data"]["pagination"]["total"] == 5
    assert client.get("/v2/blog", {"slug": "launching-the-coworking-salary-survey-6"}).status_code == 200
    assert len(client.get("/v2/events").json()["data"]["events"]) == 2  # the space's own
