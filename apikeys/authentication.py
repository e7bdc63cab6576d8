"""DRF authentication by API key: ``X-API-Key``, ``Authorization: Bearer``, and — for the
Coworkies family only — ``?api_key=``.

A request that presents two *different* keys is refused rather than resolved by
precedence. Every check (format, digest, revocation, activity, expiry) happens in
``ApiKey.objects.authenticate``, the single lookup path.
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

from apikeys.models import ApiKey
from apikeys.querysets import InvalidKey
from apikeys.usage import usage_buffer
from coliving.api.client_ip import client_ip

MESSAGES = {
    "invalid_api_key": "Invalid API Key",
    "api_key_revoked": "Invalid API Key: the key has been revoked",
    "api_key_inactive": "Invalid API Key: the key is inactive",
    "api_key_expired": "Invalid API Key: the key has expired",
    "conflicting_api_keys": "Invalid API Key: the request carries two different keys",
}


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"
    # Count the request in the key's usage statistics (``apikeys/usage.py``); ``make bench``
    # switches it off to measure authentication alone.
    track_usage = True

    def authenticate(self, request):
        raw = self._presented_key(request)
        if raw is None:
            return None
        try:
            key = ApiKey.objects.authenticate(raw)
        except InvalidKey as exc:
            raise exceptions.AuthenticationFailed(MESSAGES[exc.reason], code=exc.reason) from None
        if self.track_usage:
            usage_buffer.record(key.pk, client_ip(request))
        return key.owner, key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'

    def _presented_key(self, request) -> str | None:
        presented = set()
        header = request.META.get("HTTP_X_API_KEY")
        if header is not None:
            presented.add(header.strip())
        authorization = request.META.get("HTTP_AUTHORIZATION")
        if authorization:
            scheme, _sep, value = authorization.partition(" ")
            if scheme.lower() == "bearer":
                presented.add(value.strip())
        # Every view it authenticates for is an ApiView (the schema views authenticate nothing).
        view = request.parser_context["view"]
        if view.accepts_query_key and "api_key" in request.query_params:
            presented.add(request.query_params["api_key"].strip())
        if len(presented) > 1:
            raise exceptions.AuthenticationFailed(MESSAGES["conflicting_api_keys"], code="conflicting_api_keys")
        if not presented:
            return None
        raw = presented.pop()
        if not raw:
            raise exceptions.AuthenticationFailed(MESSAGES["invalid_api_key"], code="invalid_api_key")
        return raw
