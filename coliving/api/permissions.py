"""The one permission class: a view declares the scope it needs for reads and for writes.

``read_scope`` applies to GET/HEAD/OPTIONS, ``write_scope`` to everything else; either
may be a single scope or a tuple of alternatives (``("jobs:write", "write")``). A view
with ``public = True`` needs no key; one with ``any_key = True`` needs a valid key but no
scope. A view that declares neither is closed to everyone — forgetting a scope must not
open an endpoint.

Sandbox (``sk_test_``) keys reach sandbox twins only (``/v2/sandbox/…``, see
``routing.is_sandbox_request``); live keys reach both.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from coliving.api.routing import SANDBOX_PREFIX, is_sandbox_request

SANDBOX_KEY_ON_LIVE_API = f"Sandbox (sk_test_) keys can only use the sandbox API, under /{SANDBOX_PREFIX}/."


def required_scopes(view, method: str) -> tuple[str, ...]:
    scope = getattr(view, "read_scope" if method in SAFE_METHODS else "write_scope", None)
    if scope is None:
        return ()
    return (scope,) if isinstance(scope, str) else tuple(scope)


class ScopePermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        if view.public:  # every view it guards is an ApiView (FamilyMixin declares the flags)
            return True
        key = request.auth
        if key is None:
            raise exceptions.NotAuthenticated()
        if key.is_sandbox and not is_sandbox_request(request):
            # A test key must never read or touch live bookings, users or inventory.
            raise exceptions.PermissionDenied(SANDBOX_KEY_ON_LIVE_API, code="sandbox_key_on_live_api")
        if view.any_key:
            return True
        scopes = required_scopes(view, request.method)
        if not scopes:
            raise exceptions.PermissionDenied("This endpoint is not available to API keys.")
        if request.method not in SAFE_METHODS and key.is_restricted:
            raise exceptions.PermissionDenied("Restricted (cwk_rstr_) keys are read-only.")
        if not any(key.has_scope(scope) for scope in scopes):
            raise exceptions.PermissionDenied(f"Missing required scope: {' or '.join(scopes)}")
        return True
