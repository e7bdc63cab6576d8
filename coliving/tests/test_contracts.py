"""The generated endpoint contracts (see ``contracts.py``) for every routed API endpoint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys.models import ApiKey, Provider
from apikeys.providers import active_providers
from apikeys.scopes import COWORKIES_SCOPES, PLATFORM_SCOPES, SCOPES, expand
from coliving.tests.contracts import Seat, contract_factories, endpoints, enter, new_space

pytestmark = pytest.mark.django_db

ENDPOINTS = endpoints()
ids = [endpoint.id for endpoint in ENDPOINTS]


@pytest.fixture(autouse=True)
def provider(db):
    provider = Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})[0]
    active_providers.clear()
    return provider


def error_message(body: dict) -> str:
    """The human message of any family's error body."""
    error = body["error"]
    return error["message"] if isinstance(error, dict) else error


def call(client, endpoint, url):
    if endpoint.is_read:
        return getattr(client, endpoint.method)(url)
    return getattr(client, endpoint.method)(url, {}, format="json")


def test_the_walk_finds_every_family_endpoint():
    assert {"GET /v2/me", "GET /v2/listings", "POST /v2/bookings", "GET /v2/bookings/{pk}"} <= set(ids)


def test_every_model_reached_has_a_contract_factory():
    factories = contract_factories()
    missing = {e.id: e.model for e in ENDPOINTS if e.model is not None and e.model not in factories}
    assert not missing


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if not e.view.public], ids=lambda e: e.id)
def test_it_is_401_without_a_key(api_client, endpoint):
    response = call(api_client, endpoint, endpoint.url())
    assert response.status_code == 401, response.content


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if not e.view.public and not e.view.any_key], ids=lambda e: e.id
)
def test_it_is_403_without_its_scope(key_client, endpoint):
    # Every scope of the operation's key family that does not grant what the operation needs.
    family = COWORKIES_SCOPES if set(endpoint.scopes) <= COWORKIES_SCOPES else PLATFORM_SCOPES
    held = [scope for scope in SCOPES if scope in family and not expand([scope]) & set(endpoint.scopes)]
    response = call(key_client(held), endpoint, endpoint.url())
    assert response.status_code == 403, response.content
    assert "Missing required scope" in error_message(response.json())


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.lookup and e.model], ids=lambda e: e.id)
def test_another_tenants_object_is_not_found_and_unchanged(key_client, endpoint):
    theirs = Seat(key_client(()).owner, sandbox=endpoint.sandbox).make(endpoint.model)
    before = endpoint.model.objects.filter(pk=theirs.pk).values().get()
    mine = key_client(endpoint.scopes)
    seat = enter(endpoint, mine)
    seat.make(endpoint.model)  # the caller has rows of its own: the 404 is not for an empty account
    response = call(mine, endpoint, endpoint.url(**seat.values, **{endpoint.lookup: theirs.pk}))
    expected = (403, endpoint.view.foreign_object_message) if endpoint.view.foreign_object_message else None
    status, message = expected or (404, endpoint.view.not_found_message)
    assert response.status_code == status, response.content
    assert error_message(response.json()) == message
    assert endpoint.model.objects.filter(pk=theirs.pk).values().get() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.is_list], ids=lambda e: e.id)
def test_a_list_makes_the_same_queries_at_two_sizes(key_client, endpoint):
    client = key_client(endpoint.scopes)
    seat = enter(endpoint, client)
    url = endpoint.url(**seat.values)
    call(client, endpoint, url)  # warm per-process caches (the active providers)
    counts, sizes = [], []
    for rows in (1, 4):
        for _ in range(rows):
            seat.make(endpoint.model)
        with CaptureQueriesContext(connection) as queries:
            response = call(client, endpoint, url)
        assert response.status_code == 200, response.content
        counts.append(len(queries))
        sizes.append(len(response.content))
    assert sizes[1] > sizes[0], "the second size must show more rows"
    assert counts[0] == counts[1], f"{counts[0]} queries with 1 row, {counts[1]} with 5"


SPACE_OWNED = [e for e in ENDPOINTS if e.space_owned and not e.view.public]


def test_the_walk_finds_space_owned_endpoints():
    assert {"GET /v2/jobs", "GET /v2/jobs/{pk}", "GET /v2/spaces", "GET /v2/events"} <= {e.id for e in SPACE_OWNED}


def space_client(key_client, endpoint):
    """A key bound to a space of its own (seated there: ``client.seat``), holding one row in it."""
    space = new_space()
    prefix = ApiKey.Prefix.LIVE if endpoint.space_routed else ApiKey.Prefix.COWORKIES_LIVE
    client = key_client(endpoint.scopes, prefix=prefix, space=space)
    client.seat = enter(endpoint, client, space)
    contract_factories()[endpoint.model](client.owner, space)
    return client


@pytest.mark.parametrize("endpoint", [e for e in SPACE_OWNED if e.lookup], ids=lambda e: e.id)
def test_a_space_bound_key_does_not_reach_another_spaces_object(key_client, endpoint):
    mine = space_client(key_client, endpoint)
    theirs = contract_factories()[endpoint.model](mine.owner, new_space())  # same owner, another space
    before = endpoint.model.objects.filter(pk=theirs.pk).values().get()
    response = call(mine, endpoint, endpoint.url(**mine.seat.values, **{endpoint.lookup: theirs.pk}))
    foreign = endpoint.view.foreign_object_message
    status, message = (403, foreign) if foreign else (404, endpoint.view.not_found_message)
    assert response.status_code == status, response.content
    assert error_message(response.json()) == message
    assert endpoint.model.objects.filter(pk=theirs.pk).values().get() == before


@pytest.mark.parametrize("endpoint", [e for e in SPACE_OWNED if e.is_list], ids=lambda e: e.id)
def test_a_space_bound_keys_list_ignores_other_spaces(key_client, endpoint):
    mine = space_client(key_client, endpoint)
    alone = call(mine, endpoint, endpoint.url(**mine.seat.values))
    assert alone.status_code == 200, alone.content
    for _ in range(3):
        contract_factories()[endpoint.model](mine.owner, new_space())
    crowded = call(mine, endpoint, endpoint.url(**mine.seat.values))
    assert crowded.status_code == 200, crowded.content
    assert crowded.json() == alone.json()


PARENTED = [e for e in ENDPOINTS if e.parent]


def test_the_walk_finds_cobot_endpoints_and_their_parents():
    ids = {e.id for e in ENDPOINTS}
    assert {"GET /spaces/{subdomain}/api/bookings", "PUT /spaces/{subdomain}/api/bookings/{pk}"} <= ids
    assert {
        "GET /spaces/{subdomain}/api/resources/{id}/bookings",
        "POST /spaces/{subdomain}/api/resources/{id}/bookings",
    } <= {e.id for e in PARENTED}


@pytest.mark.parametrize("endpoint", PARENTED, ids=lambda e: e.id)
def test_another_spaces_parent_is_not_found_and_nothing_is_written(key_client, endpoint):
    theirs = contract_factories()[endpoint.parent_model](key_client(()).owner)  # in a space of its own
    mine = key_client(endpoint.scopes)
    seat = enter(endpoint, mine)
    rows = endpoint.model.objects.count()
    response = call(mine, endpoint, endpoint.url(**{**seat.values, endpoint.parent: theirs.pk}))
    assert response.status_code == 404, response.content
    assert error_message(response.json()) == endpoint.view.parent_not_found_message
    assert endpoint.model.objects.count() == rows


ROUTES: dict[str, set[str]] = {}
for _endpoint in ENDPOINTS:
    ROUTES.setdefault(_endpoint.path, set()).add(_endpoint.method)
UNSUPPORTED = sorted(
    (path, method)
    for path, methods in ROUTES.items()
    for method in ("get", "post", "put", "patch", "delete")
    if method not in methods and not (method == "get" and "head" in methods)
)


@pytest.mark.parametrize("path, method", UNSUPPORTED, ids=[f"{m.upper()} {p}" for p, m in UNSUPPORTED])
def test_an_unsupported_method_is_405_with_allow_even_without_a_key(api_client, path, method):
    endpoint = next(e for e in ENDPOINTS if e.path == path)
    url = endpoint.url(subdomain=new_space().subdomain) if "{subdomain}" in path else endpoint.url()
    response = getattr(api_client, method)(url)
    assert response.status_code == 405, response.content
    allowed = {name.strip().lower() for name in response["Allow"].split(",")}
    assert ROUTES[path] <= allowed and method not in allowed


@pytest.mark.parametrize("path", sorted(ROUTES), ids=sorted(ROUTES))
def test_options_answers_allow_to_anyone(api_client, path):
    endpoint = next(e for e in ENDPOINTS if e.path == path)
    url = endpoint.url(subdomain=new_space().subdomain) if "{subdomain}" in path else endpoint.url()
    response = api_client.options(url)
    assert response.status_code == 204, response.content
    assert ROUTES[path] <= {name.strip().lower() for name in response["Allow"].split(",")}


OWNER_ONLY = [e for e in ENDPOINTS if e.view.tenancy == "owner" and not e.view.any_key and not e.space_owned]


@pytest.mark.parametrize("endpoint", OWNER_ONLY, ids=lambda e: e.id)
def test_a_space_bound_key_cannot_reach_rows_that_have_no_space(key_client, endpoint):
    client = key_client(endpoint.scopes, space=new_space())
    response = call(client, endpoint, endpoint.url())
    assert response.status_code == 403, response.content
    assert "bound to a space" in error_message(response.json())
