"""Outbound HTTP through a guard against server-side request forgery (DESIGN.md, "Known pitfalls").

Every fetch the platform makes of a URL someone else chose — the tracking sink today,
host feeds, iCal calendars and webhooks next — goes through ``guarded_client``:

- only absolute ``http`` and ``https`` URLs (``check_url``);
- the address is checked when the connection is made, on the very address the socket
  connects to (the transport resolves the name itself and connects to the checked IP),
  so DNS rebinding between a check and the connect cannot slip a private address in;
- private, loopback, link-local, shared, reserved and multicast addresses are refused
  unless the caller allows them (local development, tests);
- redirects are not followed by default (a caller that follows them re-enters the guard
  for every hop), proxies from the environment are ignored, and timeouts are set.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

TIMEOUT = 5.0
USER_AGENT = "coliving-platform/1.0"
ALLOWED_SCHEMES = frozenset({"http", "https"})


class DeliveryError(Exception):
    """The request did not reach its endpoint (refused URL or address, network error, non-2xx)."""


class UnsafeDestination(httpcore.ConnectError):
    """Raised at connect time for an address the guard refuses (httpx wraps it in ``ConnectError``)."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> httpx.URL:
    """Parse ``url`` and refuse anything but an absolute http(s) URL."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DeliveryError(f"Invalid URL: {exc}") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise DeliveryError(f"Refused URL: scheme {parsed.scheme!r} is not http or https")
    if not parsed.host:
        raise DeliveryError("Refused URL: no host")
    return parsed


class GuardedNetworkBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses the guard allows.

    The name is resolved here and the socket is opened to the checked IP; TLS still
    verifies the certificate against the URL's host name (httpcore takes SNI from the
    request's origin, not from the connected address).
    """

    def __init__(self, *, allow_private: bool = False):
        super().__init__()
        self.allow_private = allow_private

    def _addresses(self, host: str, port: int) -> Iterable[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"Cannot resolve {host}: {exc}") from exc
        seen: list[str] = []
        for _family, _type, _proto, _canonname, sockaddr in infos:
            if sockaddr[0] not in seen:
                seen.append(sockaddr[0])
        return seen

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = list(self._addresses(host, port))
        allowed = [a for a in addresses if self.allow_private or is_public_address(a)]
        if not allowed:
            raise UnsafeDestination(
                f"Refused to connect to {host}: it resolves to non-public address(es) {', '.join(addresses)}"
            )
        last_error: Exception | None = None
        for address in allowed:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, *, allow_private: bool = False):
        super().__init__(retries=0)
        # httpx has no public hook for the network backend: replace the pool it built
        # with the same one over the guarded backend (tests prove the guard applies).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=10,
            http1=True,
            http2=False,
            network_backend=GuardedNetworkBackend(allow_private=allow_private),
        )


def guarded_client(*, allow_private: bool, timeout: float = TIMEOUT, user_agent: str = USER_AGENT) -> httpx.Client:
    return httpx.Client(
        transport=GuardedTransport(allow_private=allow_private),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": user_agent},
    )
