"""Sending events to the tracking sink: the server-side tag-manager endpoint at ``TRACKING_URL``.

Tracking is off while ``TRACKING_URL`` is unset. Events are POSTed as JSON through the
platform's outbound guard (``coliving/http.py``):

- only ``http`` and ``https`` URLs;
- the address is checked when the connection is made, on the very address the socket
  connects to (the transport resolves the name itself and connects to the checked IP),
  so DNS rebinding between a check and the connect cannot slip a private address in;
- private, loopback, link-local, shared, reserved and multicast addresses are refused
  unless ``TRACKING_ALLOW_PRIVATE`` is true (local development, tests);
- redirects are not followed (a tag-manager endpoint answers, it does not redirect),
  proxies from the environment are ignored, a try lasts at most ``TIMEOUT`` seconds per
  phase, and the response body is never read.
"""

from __future__ import annotations

import httpx
import orjson
from django.conf import settings

from coliving.http import TIMEOUT, DeliveryError, check_url, guarded_client, is_public_address

USER_AGENT = "coliving-tracking/1.0"
__all__ = ["DeliveryError", "is_public_address", "post_json", "tracking_url"]


def tracking_url() -> str | None:
    return getattr(settings, "TRACKING_URL", None) or None


def private_addresses_allowed() -> bool:
    return bool(getattr(settings, "TRACKING_ALLOW_PRIVATE", False))


def post_json(url: str, body: dict, *, headers: dict[str, str] | None = None, timeout: float = TIMEOUT) -> int:
    """POST ``body`` as JSON to ``url`` through the guard; return the 2xx status or raise ``DeliveryError``."""
    target = check_url(url)
    content = orjson.dumps(body)
    request_headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        with guarded_client(
            allow_private=private_addresses_allowed(), timeout=timeout, user_agent=USER_AGENT
        ) as client:
            with client.stream("POST", target, content=content, headers=request_headers) as response:
                status = response.status_code
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} from the tracking endpoint")
    return status
