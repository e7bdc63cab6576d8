"""Every API view declares its rules: a walk over the URLconf fails for any non-public view
that declares no scope or no tenancy, or whose rows are not read through a tenant queryset."""

import pytest
from django.urls import get_resolver

from coliving.api.discovery import _readable, _walk
from coliving.api.routing import registry
from coliving.api.tenancy import TENANCIES, TenantQuerySet
from coliving.tests.contracts import example_path


def api_views():
    seen = {}
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        path = _readable(route)
        if view is not None and registry.family_of_path(example_path(path)) is not None:
            seen.setdefault(view, path)
    return sorted(seen.items(), key=lambda item: item[1])


def test_the_walk_finds_the_api():
    paths = {path for _, path in api_views()}
    expected = {"/v2", "/v2/me", "/v2/listings", "/v2/bookings", "/v2/users/{user_id}"}
    assert expected | {"/v2/integrations/{provider}/bookings/{id}"} <= paths
    assert {"/spaces/{subdomain}/api/bookings", "/spaces/{subdomain}/api/resources/{id}/bookings"} <= paths


@pytest.mark.parametrize("view, path", api_views(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_api_view_declares_its_scope_and_tenancy(view, path):
    if view.public:
        return
    assert view.any_key or view.read_scope or view.write_scope, f"{path}: {view.__name__} declares no scope"
    assert view.tenancy in TENANCIES, f"{path}: {view.__name__} declares no tenancy"
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        assert isinstance(queryset, TenantQuerySet), f"{path}: {view.__name__} reads rows without a tenant queryset"
    parent = getattr(view, "parent_queryset", None)
    if parent is not None:
        assert isinstance(parent, TenantQuerySet), f"{path}: {view.__name__} reads its parent without a tenant queryset"
