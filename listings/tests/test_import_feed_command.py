"""``manage.py import_feed PATH_OR_URL --host EMAIL [--dry-run]``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from listings.feed.source import FeedSourceError, feed_documents, feed_read
from listings.models import Listing
from listings.tests.feed_example import spec_example

pytestmark = pytest.mark.usefixtures("feed_catalogues")


def write_feed(tmp_path, document) -> str:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(document))
    return str(path)


def run(*args) -> str:
    out = StringIO()
    call_command("import_feed", *args, stdout=out)
    return out.getvalue()


def test_it_imports_a_feed_file_and_prints_the_report(tmp_path):
    host = UserFactory(email="host@example.com")
    second = spec_example() | {"original_id": "property-02", "original_url": "https://host.example.com/p/2"}
    path = write_feed(tmp_path, {"listings": [spec_example(), second]})

    output = run(path, "--host", "HOST@example.com")

    assert Listing.objects.filter(host=host, sync_source="feed").count() == 2
    assert "[0] property-01: created (listing" in output
    assert output.rstrip().endswith("2 created, 0 updated, 0 unchanged, 0 failed.")
    assert run(path, "--host", "host@example.com").rstrip().endswith("0 created, 0 updated, 2 unchanged, 0 failed.")


def test_a_dry_run_writes_nothing(tmp_path):
    UserFactory(email="host@example.com")

    output = run(write_feed(tmp_path, [spec_example()]), "--host", "host@example.com", "--dry-run")

    assert not Listing.objects.exists()
    assert "Dry run, nothing written: would be 1 created" in output


def test_failed_listings_are_reported_and_the_status_is_1(tmp_path):
    UserFactory(email="host@example.com")
    bad = spec_example() | {"name": "N/A"}
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_feed", write_feed(tmp_path, [bad]), "--host", "host@example.com", stdout=out)

    assert raised.value.returncode == 1
    assert "error: name: 'N/A' is a placeholder" in out.getvalue()


def test_an_unknown_host_or_an_unreadable_file_is_an_error(tmp_path):
    UserFactory(email="host@example.com")
    with pytest.raises(CommandError, match="No user has the email"):
        run(write_feed(tmp_path, spec_example()), "--host", "nobody@example.com")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.json"), "--host", "host@example.com")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        run(str(tmp_path / "broken.json"), "--host", "host@example.com")


def test_feed_shapes_and_locations():
    assert feed_documents({"name": "x"}) == [{"name": "x"}]
    assert feed_documents([1, 2]) == [1, 2]
    assert feed_documents({"listings": [1]}) == [1]
    with pytest.raises(FeedSourceError):
        feed_documents("listing")
    with pytest.raises(FeedSourceError, match="is not http or https"):
        feed_read("ftp://host.example.com/feed.json")


def test_it_imports_a_feed_url_through_the_guard(http_server):
    host = UserFactory(email="host@example.com")
    url = http_server.serve("/feed.json", json.dumps([spec_example()]), headers={"Content-Type": "application/json"})

    output = run(url, "--host", "host@example.com")

    assert Listing.objects.filter(host=host, original_id="property-01").exists()
    assert output.rstrip().endswith("1 created, 0 updated, 0 unchanged, 0 failed.")
    assert http_server.requests[0]["headers"]["Accept"] == "application/json"


def test_a_dry_run_of_a_url_writes_nothing(http_server):
    UserFactory(email="host@example.com")
    url = http_server.serve("/feed.json", json.dumps(spec_example()))

    output = run(url, "--host", "host@example.com", "--dry-run")

    assert not Listing.objects.exists()
    assert "Dry run, nothing written: would be 1 created" in output


def test_a_url_that_is_private_not_json_or_failing_is_an_error(http_server, settings):
    UserFactory(email="host@example.com")
    with pytest.raises(CommandError, match="is not JSON"):
        run(http_server.serve("/broken.json", "{not json"), "--host", "host@example.com")
    with pytest.raises(CommandError, match="HTTP 404"):
        run(http_server.url("/missing.json"), "--host", "host@example.com")
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(CommandError, match="non-public address"):
        run(http_server.serve("/feed.json", "[]"), "--host", "host@example.com")
    with pytest.raises(CommandError, match="non-public address"):
        run("http://169.254.169.254/latest/meta-data/", "--host", "host@example.com")
    assert not Listing.objects.exists()
