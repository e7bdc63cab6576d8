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

``fetch`` is the GET that feeds and calendars use: redirects followed by hand (at most
``MAX_REDIRECTS``, each hop's URL checked and its connection guarded again), a body cap
(``FETCH_MAX_BYTES``, 10 MB: a ``Content-Length`` above it is refused before reading, a
body that grows past it is cut off, counted after decompression so a gzip bomb cannot
slip through), one deadline for the whole fetch (``FETCH_TIMEOUT``, 30 s: a server that
trickles its body a byte at a time never resets it) and conditional GET validators.
``allowed_networks`` (``FETCH_ALLOWED_NETWORKS``) lets named private networks through —
``127.0.0.0/8`` for tests against a local server — without opening the others.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx

TIMEOUT = 5.0
USER_AGENT = "coliving-platform/1.0"
ALLOWED_SCHEMES = frozenset({"http", "https"})
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


class DeliveryError(Exception):
    """The request did not reach its endpoint (refused URL or address, network error, non-2xx)."""


class UnsafeDestination(httpcore.ConnectError):
    """Raised at connect time for an address the guard refuses (httpx wraps it in ``ConnectError``)."""


# IPv6 prefixes that carry an IPv4 address a gateway may route to (RFC 6052 NAT64, its
# local-use prefix, and IPv4-compatible addresses): the embedded address is what is checked.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002:AABB:CCDD::/48 (6to4)
        return ip.sixtofour
    if ip.teredo is not None:  # 2001:0::/32: the client's address, obfuscated
        return ipaddress.IPv4Address(int(ip.teredo[1]))
    # :: and ::1 are IPv4-compatible in form only: unspecified and loopback themselves.
    if any(ip in network for network in _NAT64) or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        return _embedded_ipv4(ip) or ip
    return ip


def is_public_address(address: str) -> bool:
    ip = _ip(address)
    return ip.is_global and not ip.is_multicast


def address_kind(address: str) -> str:
    """What a refused address is, in words staff can act on (``"loopback"``, ``"private (RFC 1918)"`` …)."""
    ip = _ip(address)
    if str(ip) == "169.254.169.254" or str(ip) == "fd00:ec2::254":
        return "the cloud metadata service"
    kinds = [
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10"), "shared (carrier-grade NAT)"),
        (ip.version == 6 and ip in ipaddress.ip_network("fc00::/7"), "unique local (IPv6 ULA)"),
        (ip.version == 4 and ip.is_private, "private (RFC 1918)"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
    ]
    return next((kind for matches, kind in kinds if matches), "not public")


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

    def __init__(self, *, allow_private: bool = False, allowed_networks: Networks = ()):
        super().__init__()
        self.allow_private = allow_private
        self.allowed_networks = allowed_networks

    def allows(self, address: str) -> bool:
        if self.allow_private or is_public_address(address):
            return True
        ip = _ip(address)
        return any(ip.version == network.version and ip in network for network in self.allowed_networks)

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
        allowed = [a for a in addresses if self.allows(a)]
        if not allowed:
            described = ", ".join(f"{address} ({address_kind(address)})" for address in addresses)
            raise UnsafeDestination(f"Refused to connect to {host}: it resolves to non-public address(es) {described}")
        last_error: Exception | None = None
        for address in allowed:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, *, allow_private: bool = False, allowed_networks: Networks = ()):
        super().__init__(retries=0)
        # httpx has no public hook for the network backend: replace the pool it built
        # with the same one over the guarded backend (tests prove the guard applies).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=10,
            http1=True,
            http2=False,
            network_backend=GuardedNetworkBackend(allow_private=allow_private, allowed_networks=allowed_networks),
        )


def guarded_client(
    *,
    allow_private: bool,
    timeout: float = TIMEOUT,
    user_agent: str = USER_AGENT,
    allowed_networks: Networks = (),
) -> httpx.Client:
    return httpx.Client(
        transport=GuardedTransport(allow_private=allow_private, allowed_networks=allowed_networks),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": user_agent},
    )


# --- fetch ------------------------------------------------------------------------------------


class FetchError(DeliveryError):
    """A fetch that did not yield a body: refused URL or address, network error, timeout,
    too large, too many redirects, or a status other than 200 and 304."""


@dataclass(frozen=True)
class Fetched:
    """What a GET answered: ``status`` 200 with ``content``, or 304 (``not_modified``)."""

    url: str
    status: int
    content: bytes
    etag: str
    last_modified: str
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def networks(values: Iterable[str]) -> Networks:
    """Parse CIDR strings (``127.0.0.0/8``, ``::1/128``)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def fetch_settings() -> dict:
    """The fetch limits from settings (``FETCH_MAX_BYTES``, ``FETCH_TIMEOUT``, ``FETCH_ALLOWED_NETWORKS``)."""
    from django.conf import settings

    return {
        "max_bytes": int(getattr(settings, "FETCH_MAX_BYTES", 10 * 1024 * 1024)),
        "timeout": float(getattr(settings, "FETCH_TIMEOUT", 30.0)),
        "allowed_networks": networks(getattr(settings, "FETCH_ALLOWED_NETWORKS", ())),
    }


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
    user_agent: str = USER_AGENT,
    max_bytes: int | None = None,
    timeout: float | None = None,
    allowed_networks: Networks | None = None,
) -> Fetched:
    """GET ``url`` through the guard (see the module docstring); raise ``FetchError`` unless
    it answers 200 (with its body) or 304 to the validators sent. Limits default to settings."""
    limits = fetch_settings()
    max_bytes = limits["max_bytes"] if max_bytes is None else max_bytes
    timeout = limits["timeout"] if timeout is None else timeout
    allowed = limits["allowed_networks"] if allowed_networks is None else allowed_networks
    deadline = time.monotonic() + timeout
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        target = check_url(url)
    except DeliveryError as exc:
        raise FetchError(str(exc)) from None
    try:
        with guarded_client(
            allow_private=False, timeout=timeout, user_agent=user_agent, allowed_networks=allowed
        ) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                client.timeout = httpx.Timeout(max(0.001, deadline - time.monotonic()))
                with client.stream("GET", target, headers=headers) as response:
                    if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                        try:
                            target = check_url(str(target.join(response.headers["location"])))
                        except DeliveryError as exc:
                            raise FetchError(f"Redirect refused: {exc}") from None
                        continue
                    if response.status_code == 304:
                        return _fetched(target, response, b"")
                    if response.status_code != 200:
                        raise FetchError(f"HTTP {response.status_code} from {target.host}")
                    return _fetched(target, response, _read(response, max_bytes=max_bytes, deadline=deadline))
            raise FetchError(f"More than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        raise FetchError(f"Timed out: no complete answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(describe_error(exc)) from None


def describe_error(exc: httpx.HTTPError) -> str:
    """A failed request in words staff can read: the guard's refusal as it is, a TLS failure
    named as such, anything else with its kind (``ConnectError: …``)."""
    chain, link = [], exc.__cause__ or exc.__context__
    while link is not None and len(chain) < 5:
        chain.append(link)
        link = link.__cause__ or link.__context__
    refusal = next((e for e in chain if isinstance(e, UnsafeDestination)), None)
    if refusal is not None:
        return str(refusal)
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or str(tls)
        try:
            host = exc.request.url.host
        except RuntimeError:  # no request attached
            host = "the server"
        return f"TLS failure talking to {host}: {reason}"
    return f"{type(exc).__name__}: {exc}"


def _read(response: httpx.Response, *, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"The body is larger than {max_bytes} bytes (Content-Length {declared})")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"The body is larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("deadline passed while reading the body")
        chunks.append(chunk)
    return b"".join(chunks)


def _fetched(target: httpx.URL, response: httpx.Response, content: bytes) -> Fetched:
    return Fetched(
        url=str(target),
        status=response.status_code,
        content=content,
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
        content_type=response.headers.get("content-type", ""),
    )
