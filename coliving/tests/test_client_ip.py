"""Which address counts as the client's: the socket's, or the proxy's header when configured."""

import pytest
from django.test import RequestFactory

from coliving.api.client_ip import client_ip


@pytest.mark.parametrize(
    "header, expected",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left part is the client's own claim
        ("203.0.113.7, garbage", "203.0.113.7"),
        ("garbage", "10.0.0.9"),
        (None, "10.0.0.9"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_rightmost_valid_address_of_the_proxy_header_is_the_client(settings, header, expected):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    extra = {"HTTP_X_FORWARDED_FOR": header} if header is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", **extra)
    assert client_ip(request) == expected


def test_without_a_configured_header_the_socket_address_is_used_whatever_is_sent(settings):
    settings.CLIENT_IP_META_KEY = None
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.9"


@pytest.mark.django_db
def test_per_ip_limits_follow_the_proxy_header(api_client, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    settings.RATELIMIT_PUBLIC_PER_MINUTE = 1
    assert api_client.get("/v2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.1").status_code == 200
    assert api_client.get("/v2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.1").status_code == 429
    assert api_client.get("/v2", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200
