"""The outbound fetch guard (coliving/http.py ``fetch``) against a real HTTP server on 127.0.0.1:
schemes, loopback, private and metadata addresses (also behind a redirect), the 10 MB cap,
the overall deadline, conditional GET."""

from __future__ import annotations

import gzip
import time

import pytest

from coliving.http import FetchError, fetch


def test_it_fetches_a_public_looking_url_and_follows_a_checked_redirect(http_server):
    http_server.serve("/feed.json", '{"ok": true}', headers={"Content-Type": "application/json"})
    http_server.serve("/old", status=301, headers={"Location": "/feed.json"})

    fetched = fetch(http_server.url("/old"))

    assert fetched.status == 200
    assert fetched.content == b'{"ok": true}'
    assert fetched.url.endswith("/feed.json")
    assert [r["path"] for r in http_server.requests] == ["/old", "/feed.json"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_it_refuses_loopback_unless_allowed(http_server, settings, host):
    settings.FETCH_ALLOWED_NETWORKS = []
    url = http_server.serve("/feed.json", "{}").replace("127.0.0.1", host)

    with pytest.raises(FetchError, match="non-public address"):
        fetch(url)
    assert http_server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/feed.json",
        "http://192.168.0.10/feed.json",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/feed.json",
        "http://[fd00::1]/feed.json",
        "http://0.0.0.0/",
    ],
)
def test_it_refuses_private_link_local_and_metadata_addresses(http_server, url):
    # 127.0.0.0/8 is allowed for the local server; these stay refused (no packet is sent).
    with pytest.raises(FetchError, match="non-public address"):
        fetch(url)


@pytest.mark.parametrize("location", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed.json"])
def test_it_refuses_a_redirect_to_a_private_address(http_server, location):
    url = http_server.serve("/feed.json", status=302, headers={"Location": location})

    with pytest.raises(FetchError, match="non-public address"):
        fetch(url)
    assert len(http_server.requests) == 1


@pytest.mark.parametrize("location", ["file:///etc/passwd", "gopher://example.com/"])
def test_it_refuses_a_redirect_to_another_scheme(http_server, location):
    url = http_server.serve("/feed.json", status=302, headers={"Location": location})

    with pytest.raises(FetchError, match="Redirect refused"):
        fetch(url)


@pytest.mark.parametrize("url", ["ftp://example.com/feed.json", "file:///etc/passwd", "feed.json"])
def test_it_refuses_schemes_other_than_http_and_https(url):
    with pytest.raises(FetchError):
        fetch(url)


def test_it_stops_after_five_redirects(http_server):
    url = http_server.serve("/loop", status=302, headers={"Location": "/loop"})

    with pytest.raises(FetchError, match="More than 5 redirects"):
        fetch(url)
    assert len(http_server.requests) == 6


def test_it_refuses_a_declared_oversized_body_before_reading_it(http_server, settings):
    settings.FETCH_MAX_BYTES = 1024
    url = http_server.serve("/big.json", b"x" * 2048)

    with pytest.raises(FetchError, match="larger than 1024 bytes"):
        fetch(url)


def test_it_cuts_off_an_undeclared_oversized_body(http_server, settings):
    settings.FETCH_MAX_BYTES = 1024
    url = http_server.serve("/big.json", b"x" * 4096, declared_length=False)

    with pytest.raises(FetchError, match="larger than 1024 bytes"):
        fetch(url)


def test_it_counts_the_cap_after_decompression(http_server, settings):
    settings.FETCH_MAX_BYTES = 10_000
    bomb = gzip.compress(b"0" * 1_000_000)  # about 1 KB on the wire
    url = http_server.serve("/bomb.json", bomb, headers={"Content-Encoding": "gzip"})

    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        fetch(url)


def test_the_default_cap_is_10_mb_and_the_default_deadline_30_s():
    from django.conf import settings as live

    assert live.FETCH_MAX_BYTES == 10 * 1024 * 1024
    assert live.FETCH_TIMEOUT == 30


def test_a_slow_body_hits_the_overall_deadline(http_server, settings):
    settings.FETCH_TIMEOUT = 1
    # 40 bytes at 0.1 s each: every read is quick, the whole takes 4 s.
    url = http_server.serve("/slow.json", b"[" + b" " * 38 + b"]", trickle_seconds=0.1)
    started = time.monotonic()

    with pytest.raises(FetchError, match="Timed out"):
        fetch(url)
    assert time.monotonic() - started < 2.5


def test_it_sends_the_validators_and_reports_not_modified(http_server):
    url = http_server.serve("/feed.json", "[]", etag='"v1"', headers={"Last-Modified": "Mon, 01 Apr 2024 00:00:00 GMT"})

    first = fetch(url)
    second = fetch(url, etag=first.etag, last_modified=first.last_modified)

    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "Mon, 01 Apr 2024 00:00:00 GMT")
    assert second.not_modified and second.content == b""
    assert http_server.requests[1]["headers"]["If-None-Match"] == '"v1"'
    assert http_server.requests[1]["headers"]["If-Modified-Since"] == "Mon, 01 Apr 2024 00:00:00 GMT"


def test_a_server_error_is_a_fetch_error(http_server):
    url = http_server.serve("/feed.json", "oops", status=500)

    with pytest.raises(FetchError, match="HTTP 500"):
        fetch(url)
