"""coliving/http.py's outbound guard on its own, against real local servers.

Every way of naming a non-public address is refused, before a packet is sent, with a reason
staff can read in the admin (the feed's, calendar's or delivery's last error): loopback,
RFC 1918, link-local and the metadata address, IPv6 forms (``::1``, IPv4-mapped, ULA, and
the prefixes that embed an IPv4 address), decimal/octal/hex IPv4 spellings, a name that
resolves to a private address, a redirect to any of these, non-http schemes. A body too
large, a body that drips, and a TLS failure end the fetch with a reason too.

The local server is on 127.0.0.1; only ``127.0.0.1/32`` is let through (``allowed_networks``),
as ``FETCH_ALLOWED_NETWORKS`` does in development, so 127.0.0.2 and every other form of
loopback stays refused.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from coliving.http import FetchError, address_kind, fetch, guarded_client, is_public_address, networks
from listings.tests import httpserver

LOCAL = networks(["127.0.0.1/32"])


@pytest.fixture
def server():
    local, thread = httpserver.start()
    yield local
    httpserver.stop(local, thread)


def refused(url: str, **options) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, allowed_networks=LOCAL, timeout=options.pop("timeout", 3), **options)
    return str(caught.value)


@pytest.mark.parametrize(
    "host, kind",
    [
        ("127.0.0.2", "loopback"),
        ("10.1.2.3", "private (RFC 1918)"),
        ("172.16.0.1", "private (RFC 1918)"),
        ("192.168.1.1", "private (RFC 1918)"),
        ("169.254.10.20", "link-local"),
        ("169.254.169.254", "the cloud metadata service"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"),
        ("[::1]", "loopback"),
        ("[::]", "unspecified"),
        ("[::ffff:127.0.0.2]", "loopback"),
        ("[::ffff:a9fe:a9fe]", "the cloud metadata service"),
        ("[fd00::1]", "unique local (IPv6 ULA)"),
        ("[fe80::1]", "link-local"),
        # Prefixes that carry an IPv4 address a gateway routes to: NAT64, 6to4, IPv4-compatible.
        ("[64:ff9b::a00:1]", "private (RFC 1918)"),
        ("[2002:a9fe:a9fe::]", "the cloud metadata service"),
        ("[::127.0.0.2]", "loopback"),
    ],
)
def test_it_refuses_non_public_addresses_naming_what_they_are(server, host, kind):
    reason = refused(f"http://{host}:{server.server_address[1]}/feed.json")
    assert "non-public address" in reason
    assert f"({kind})" in reason
    assert server.requests == []


@pytest.mark.parametrize(
    "spelling",
    [
        "2130706434",  # decimal
        "0x7f000002",  # hex, whole
        "0x7f.0.0.2",  # hex, dotted
        "017700000002",  # octal, whole
        "127.2",  # short form
    ],
)
def test_it_refuses_other_spellings_of_a_loopback_address(server, spelling):
    reason = refused(f"http://{spelling}:{server.server_address[1]}/feed.json")
    assert "resolves to non-public address(es) 127.0.0.2 (loopback)" in reason
    assert server.requests == []


def test_it_refuses_a_dotted_octal_spelling_as_an_invalid_url(server):
    # httpx refuses it outright; the C resolver would read 0177 as 127.
    reason = refused(f"http://0177.0.0.2:{server.server_address[1]}/")
    assert reason.startswith("Invalid URL")


def test_it_refuses_a_name_that_resolves_to_a_private_address(server, monkeypatch):
    real = socket.getaddrinfo

    def dns(host, port, *args, **kwargs):  # the outside world's DNS: this name points inside
        if host == "feeds.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    reason = refused("http://feeds.example.com/feed.json")
    assert reason == (
        "Refused to connect to feeds.example.com: it resolves to non-public address(es) "
        "10.20.30.40 (private (RFC 1918))"
    )


def test_it_refuses_localhost_when_loopback_is_not_allowed(server):
    with pytest.raises(FetchError, match=r"localhost: it resolves to non-public address\(es\) .*\(loopback\)"):
        fetch(server.url("/").replace("127.0.0.1", "localhost"), allowed_networks=(), timeout=3)
    assert server.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:{port}/inside",
        "http://[::ffff:127.0.0.2]:{port}/inside",
        "http://2130706434:{port}/inside",
    ],
)
def test_it_refuses_a_redirect_to_a_private_address(server, location):
    port = server.server_address[1]
    url = server.serve("/feed.json", status=302, headers={"Location": location.format(port=port)})
    reason = refused(url)
    assert "non-public address" in reason
    assert [r["path"] for r in server.requests] == ["/feed.json"]


@pytest.mark.parametrize(
    "url, reason",
    [
        ("file:///etc/passwd", "Refused URL: scheme 'file' is not http or https"),
        ("ftp://example.com/feed.json", "Refused URL: scheme 'ftp' is not http or https"),
        ("gopher://127.0.0.1:70/", "Refused URL: scheme 'gopher' is not http or https"),
        ("data:text/plain,hello", "Refused URL: scheme 'data' is not http or https"),
        ("javascript:alert(1)", "Refused URL: scheme 'javascript' is not http or https"),
        ("//example.com/feed.json", "Refused URL: scheme '' is not http or https"),
        ("http:///feed.json", "Refused URL: no host"),
    ],
)
def test_it_refuses_non_http_schemes_and_hostless_urls(url, reason):
    assert refused(url) == reason


def test_it_refuses_a_redirect_to_another_scheme(server):
    url = server.serve("/feed.json", status=301, headers={"Location": "file:///etc/passwd"})
    assert refused(url) == "Redirect refused: Refused URL: scheme 'file' is not http or https"


def test_it_refuses_an_oversized_body(server):
    declared = server.serve("/declared", b"x" * 5000)
    undeclared = server.serve("/undeclared", b"x" * 5000, declared_length=False)
    assert refused(declared, max_bytes=1024) == "The body is larger than 1024 bytes (Content-Length 5000)"
    assert refused(undeclared, max_bytes=1024) == "The body is larger than 1024 bytes"


def test_it_gives_up_on_a_slow_drip_body(server):
    url = server.serve("/drip", b"x" * 40, trickle_seconds=0.1)  # 4 s in all, every read quick
    started = time.monotonic()
    assert refused(url, timeout=1) == "Timed out: no complete answer within 1 s"
    assert time.monotonic() - started < 2.5


@pytest.fixture
def tls_server(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    local = ThreadingHTTPServer(("127.0.0.1", 0), httpserver.Handler)
    local.routes, local.requests = {}, []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    local.socket = context.wrap_socket(local.socket, server_side=True)
    thread = threading.Thread(target=local.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{local.server_address[1]}"
    local.shutdown()
    local.server_close()
    thread.join()


def test_it_refuses_a_certificate_it_cannot_verify(tls_server):
    reason = refused(tls_server + "/feed.json")
    assert reason == "TLS failure talking to 127.0.0.1: self-signed certificate"


def test_it_refuses_plain_http_spoken_to_an_https_url(server):
    reason = refused(server.url("/feed.json").replace("http://", "https://"))
    assert reason.startswith("TLS failure talking to 127.0.0.1: ")


def test_the_guarded_client_refuses_at_connect_time_too(server):
    # Tracking and webhooks post through guarded_client without fetch's wrapping.
    with guarded_client(allow_private=False, timeout=3) as client:
        with pytest.raises(Exception, match=r"non-public address\(es\) 127.0.0.1 \(loopback\)"):
            client.get(server.url("/"))
    assert server.requests == []


@pytest.mark.parametrize(
    "address, public",
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("2002:5db8:d822::1", True),  # 6to4 of a public address
        ("64:ff9b::5db8:d822", True),  # NAT64 of a public address
        ("224.0.0.1", False),
        ("ff02::1", False),
    ],
)
def test_public_addresses_stay_public(address, public):
    assert is_public_address(address) is public
    if not public:
        assert address_kind(address) == "multicast"
