"""Request size limits (coliving.middleware.RequestLimitsMiddleware, gunicorn.conf.py).

An announced oversize body is refused from ``Content-Length`` alone, before any byte of it
is read; URLs and headers over their limits are refused too — in the family's error shape
on API paths. The slow-client cases run over a real socket against real gunicorn.
"""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from coliving.tests.server import gunicorn

COLIVING = "/v2/bookings"
COWORKIES = "/v2/jobs"


@pytest.mark.parametrize(
    "path, expected",
    [
        (
            COLIVING,
            {"success": False, "code": "payload_too_large"},
        ),
        (COWORKIES, {"success": False, "status": 413}),
        ("/spaces/acme/api/bookings", {}),
    ],
)
def test_it_refuses_an_announced_oversize_body_in_the_family_shape(client, settings, path, expected):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    # The test client's body is small; only the header announces more. Nothing reads it.
    response = client.generic("POST", path, b"{}", content_type="application/json", CONTENT_LENGTH="31457280")
    assert response.status_code == 413
    body = response.json()
    assert expected.items() <= body.items()
    assert "31457280" in str(body)


def test_it_refuses_a_content_length_that_is_not_a_number(client):
    response = client.generic("POST", COLIVING, b"{}", content_type="application/json", CONTENT_LENGTH="12abc")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_it_refuses_a_long_url_with_414(client, settings):
    settings.MAX_URL_BYTES = 300
    response = client.get(COLIVING, {"q": "x" * 400})
    assert response.status_code == 414
    assert response.json() == {
        "success": False,
        "error": "URL too long (at most 300 bytes)",
        "code": "uri_too_long",
    }


def test_it_refuses_large_headers_with_431(client, settings):
    settings.MAX_HEADER_BYTES = 2048
    response = client.get(COWORKIES, HTTP_X_PADDING="p" * 3000)
    assert response.status_code == 431
    assert response.json()["error"]["message"] == "Request headers too large (at most 2048 bytes in all)"


def test_non_api_paths_get_a_plain_text_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.generic("POST", "/admin/login/", b"x", CONTENT_LENGTH="5000")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_requests_within_the_limits_pass(client):
    response = client.get("/v2/health")
    assert response.status_code == 200


# --- over a real socket, against gunicorn ------------------------------------------------------


def _read_response(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_an_announced_30_mb_body_at_once_and_keeps_serving(tmp_path):
    # One worker with one thread: if the trickling client held it, the second request would wait.
    with gunicorn(workers=1, env={"GUNICORN_THREADS": "1", "RATELIMIT_ENABLE": "0"}) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
            slow.sendall(
                b"POST /v2/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 31457280\r\n\r\n{"
            )
            started = time.monotonic()
            head = _read_response(slow, timeout=5)
            assert time.monotonic() - started < 5
            assert head.startswith(b"HTTP/1.1 413"), head[:200]
            assert b"payload_too_large" in head or b"Content-Type: application/json" in head
            # The client keeps trickling; the server has answered and must not wait for it.
            for _ in range(3):
                try:
                    slow.sendall(b" ")
                except OSError:
                    break
                time.sleep(0.2)
            response = httpx.get(f"{base}/v2/health", timeout=5)
            assert response.status_code == 200


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_gunicorn_lets_the_app_answer_long_urls_and_headers_in_the_family_shape():
    with gunicorn(workers=1, env={"RATELIMIT_ENABLE": "0"}) as base:
        long_url = httpx.get(f"{base}/v2/bookings", params={"q": "x" * 5000}, timeout=5)
        assert long_url.status_code == 414
        assert long_url.json()["code"] == "uri_too_long"
        many_headers = {f"X-Pad-{i}": "p" * 1000 for i in range(20)}
        large_headers = httpx.get(f"{base}/v2/jobs", headers=many_headers, timeout=5)
        assert large_headers.status_code == 431
        assert large_headers.json()["error"]["code"] == "request_header_fields_too_large"
