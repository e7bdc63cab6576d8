"""The client's IP address, for per-IP rate limits and key usage statistics.

By default the socket's peer (``REMOTE_ADDR``). Behind a reverse proxy, set
``CLIENT_IP_HEADER`` (e.g. ``X-Forwarded-For``): the *rightmost* valid address in that
header is used — the one our own proxy appended — because everything to its left was
sent by the client and can be forged. A missing or unparsable header falls back to
``REMOTE_ADDR``; it never fails the request.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    header = getattr(settings, "CLIENT_IP_META_KEY", None)
    if header:
        for candidate in reversed(request.META.get(header, "").split(",")):
            candidate = candidate.strip()
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                continue
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"
