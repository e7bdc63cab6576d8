"""A Python client generated from ``/schema`` works for every operation (issue 12).

Partners generate clients from the OpenAPI document. Here, once per module, the live
server's ``/schema?format=json`` is turned into a client by ``openapi-python-client`` in a
temporary directory; every module of it is imported, and every operation the document
lists is run through it against a real gunicorn — its happy path and one documented error
— asserting the models the client parsed, not only status codes. The clients raise on a
status the document does not list for the operation, so each error is a documented one.

The operations come from the document: one without an entry in ``CASES`` (or a pattern of
``PATTERN_CASES``) fails ``test_every_operation_has_a_case``, so each later endpoint must add
its case here.
"""

from __future__ import annotations

import datetime
import importlib
import json
import pkgutil
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from django.db import connection

from accounts.models import User
from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey, Provider
from apikeys.scopes import COWORKIES_SCOPES, PLATFORM_SCOPES
from apikeys.tests.factories import make_key
from bookings.models import Booking, BookingMessage
from bookings.sandbox import sandbox_ensure
from bookings.tests.factories import guest_of, make_booking
from bookings.tests.resources.factories import ResourceBookingFactory, ResourceFactory, cobot, next_hour
from coliving.tests.server import gunicorn
from jobs.models import Membership
from jobs.tests.factories import BlogPostFactory, CityFactory, EventFactory, JobFactory, SpaceFactory, free_plan
from listings.models import Listing
from listings.tests.factories import ListingFactory, RoomTypeFactory
from listings.tests.feed_example import spec_example

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the server needs a database it can share"),
]

PACKAGE = "coliving_generated_client"
# No post hooks: the generated code is imported, not committed, so it needs no formatting.
GENERATOR_CONFIG = {"project_name_override": "coliving-generated-client", "package_name_override": PACKAGE}
GENERATOR_CONFIG["post_hooks"] = []
PROVIDER = "mangobeds"
# Many requests by few keys in a few seconds: the limits are not what this test is about.
SERVER_ENV = {
    "RATELIMIT_PER_MINUTE": "1000000",
    "RATELIMIT_PUBLIC_PER_MINUTE": "1000000",
    "RATELIMIT_COWORKIES_PER_HOUR": "1000000",
}


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    # One worker: the requests come one at a time, and a second one only slows the boot.
    with gunicorn(workers=1, env=SERVER_ENV) as base:
        yield base


@pytest.fixture(scope="module")
def document(server) -> dict:
    response = httpx.get(f"{server}/schema?format=json", timeout=30)
    assert response.status_code == 200, response.text[:2000]
    return response.json()


@pytest.fixture(scope="module")
def package(document, tmp_path_factory) -> ModuleType:
    """The generated client package, importable as ``coliving_generated_client``."""
    root = tmp_path_factory.mktemp("client")
    (root / "schema.json").write_text(json.dumps(document))
    (root / "config.json").write_text(json.dumps(GENERATOR_CONFIG))
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(root / "schema.json"),
            "--config",
            str(root / "config.json"),
            "--meta",
            "none",
            "--output-path",
            str(root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The generator reports what it could not express as warnings and still succeeds.
    assert result.returncode == 0 and "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def operation_ids(document: dict) -> list[str]:
    return [
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


# --- the cases ---------------------------------------------------------------------------------


class World:
    """The data and the generated clients the cases share: a host with an ``sk_live_`` key
    holding every platform scope (an admin of a coworking space too), a ``cwk_live_`` key
    holding every coworkies scope, a client without a key, and a second tenant's rows."""

    def __init__(self, base: str, package: ModuleType):
        self.package = package
        self.m = importlib.import_module(f"{PACKAGE}.models")
        # The generator names each operation's module after its operationId.
        api = importlib.import_module(f"{PACKAGE}.api")
        self.modules = {
            info.name.rsplit(".", 1)[-1]: importlib.import_module(info.name)
            for info in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api.")
            if not info.ispkg
        }
        Provider.objects.get_or_create(slug=PROVIDER, defaults={"name": "Mango Beds"})  # a flush removes it
        free_plan()
        from listings.feed import catalogues

        catalogues.seed()
        key, raw = make_key(scopes=sorted(PLATFORM_SCOPES))
        self.host = key.owner
        _, coworkies_raw = make_key(scopes=sorted(COWORKIES_SCOPES), prefix=ApiKey.Prefix.COWORKIES_LIVE)
        options = {"base_url": base, "raise_on_unexpected_status": True, "timeout": httpx.Timeout(30)}
        self.platform = package.AuthenticatedClient(token=raw, **options)
        self.coworkies = package.AuthenticatedClient(token=coworkies_raw, **options)
        self.anonymous = package.Client(**options)
        # A NUL in the query string is the 400 "Malformed request" every operation documents.
        self.malformed = package.Client(httpx_args={"params": {"q": "\x00"}}, **options)
        self.today = datetime.date.today()
        # The host's listing and room type, a guest it created, and a second tenant's booking.
        self.room_type = RoomTypeFactory(listing=ListingFactory(host=self.host), amount=5, max_occupancy=2)
        self.listing = self.room_type.listing
        self.guest = guest_of(self.host)
        self.foreign_booking = make_booking(room_type=RoomTypeFactory(amount=5))
        # The host administers a coworking space with a resource and a booking of its own.
        self.space = SpaceFactory()
        self.membership = Membership.objects.create(
            space=self.space, user=self.host, name="Ada Admin", role=Membership.Role.ADMIN
        )
        self.resource = ResourceFactory(space=self.space, units=3)
        CityFactory(name="Berlin", slug="berlin")  # where the jobs are posted
        self.jobs_posted = 0
        # Before any case adds live listings: the sandbox copies the host's live listings.
        self.sandbox = SandboxWorld(self)

    def call(self, operation_id: str, client, **kwargs):
        return self.modules[operation_id].sync_detailed(client=client, **kwargs)

    def resource_booking(self, days: int = 2):
        return ResourceBookingFactory(resource=self.resource, membership=self.membership, start=next_hour(days=days))

    def period(self) -> dict:
        return {"from_": "2000-01-01", "to": "2100-01-01"}


class SandboxWorld(World):
    """The same world through the sandbox twins (``/v2/sandbox/…``): the host's live key
    against its sandbox data set — seeded as its first sandbox request would, a copy of
    ``world.listing`` and a sandbox guest — so each live case runs unchanged on the twin."""

    def __init__(self, world: World):
        self.__dict__.update(world.__dict__)
        sandbox_ensure(owner=self.host)
        self.listing = Listing.objects.get(host=self.host, is_sandbox=True)
        self.room_type = self.listing.room_types.get()
        self.guest = User.objects.get(is_sandbox=True, created_by=self.host)
        # The cases count the bookings they make: the seed's own stay is test_sandbox's subject.
        seeded = Booking.objects.filter(is_sandbox=True, listing=self.listing)
        BookingMessage.objects.filter(booking__in=seeded).delete()
        seeded.delete()

    def call(self, operation_id: str, client, **kwargs):
        return super().call(f"{operation_id}_sandbox", client, **kwargs)


def _sandbox_twin(world: World, operation_id: str):
    live = operation_id.removesuffix("_sandbox")
    run = case_for(live)
    assert run is not None, f"{operation_id}: its live operation {live} has no case"
    run(world.sandbox)


def parsed(response, status: int, model: type):
    """The model the client parsed from a response of ``status``."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert isinstance(response.parsed, model), (type(response.parsed), response.content[:2000])
    return response.parsed


def coliving_error(world: World, response, status: int, code: str | None = None):
    error = parsed(response, status, world.m.ColivingError)
    assert error.success is False and error.error
    if code is not None:
        assert error.code == code, error.to_dict()
    return error


def coworkies_error(world: World, response, status: int):
    error = parsed(response, status, world.m.CoworkiesError)
    assert error.success is False and error.status == status and error.error.message
    return error


def cobot_error(world: World, response, status: int):
    model = world.m.CobotValidationError if status == 422 else world.m.CobotError
    error = parsed(response, status, model)
    assert error.errors.additional_properties if status == 422 else error.error, error.to_dict()
    return error


CASES: dict[str, Callable[[World], None]] = {}


def case(*operation_ids: str):
    def register(function):
        for operation_id in operation_ids:
            CASES[operation_id] = function
        return function

    return register


# Coliving: partner API


@case("me")
def _me(w: World):
    me = parsed(w.call("me", w.platform), 200, w.m.MeResponse)
    assert me.success is True and me.data.to_dict()
    coliving_error(w, w.call("me", w.anonymous), 401)


@case("users_create")
def _users_create(w: World):
    names = {"first_name": "ada", "last_name": "lovelace"}
    body = w.m.UserRequest(email="ada@example.com", password="securepassword123", **names)
    user = parsed(w.call("users_create", w.platform, body=body), 201, w.m.UserResponse).data
    assert user.email == "ada@example.com" and user.first_name == "Ada"
    body = w.m.UserRequest(email="not-an-email", password="securepassword123", first_name="A", last_name="B")
    error = coliving_error(w, w.call("users_create", w.platform, body=body), 400, "validation_error")
    assert "email" in error.details.additional_properties


@case("users_retrieve")
def _users_retrieve(w: World):
    user = parsed(w.call("users_retrieve", w.platform, user_id=w.guest.pk), 200, w.m.UserResponse).data
    assert user.id == w.guest.pk and user.email == w.guest.email
    other = guest_of(UserFactory())
    coliving_error(w, w.call("users_retrieve", w.platform, user_id=other.pk), 404)


@case("listings_list")
def _listings_list(w: World):
    listings = parsed(w.call("listings_list", w.platform), 200, list)
    assert [listing.id for listing in listings] == [w.listing.pk]
    assert all(isinstance(listing, w.m.Listing) for listing in listings)
    coliving_error(w, w.call("listings_list", w.anonymous), 401)


@case("listings_create")
def _listings_create(w: World):
    body = w.m.ListingFeedRequest.from_dict(spec_example())
    report = parsed(w.call("listings_create", w.platform, body=body), 201, w.m.ListingImportReportResponse).data
    assert report.to_dict()["listings"][0]["action"] == "created"
    coliving_error(w, w.call("listings_create", w.anonymous, body=body), 401)


@case("listings_retrieve")
def _listings_retrieve(w: World):
    listing = parsed(w.call("listings_retrieve", w.platform, id=w.listing.pk), 200, w.m.ListingFeedResponse).data
    assert isinstance(listing, w.m.ListingFeed) and listing.name == w.listing.name
    coliving_error(w, w.call("listings_retrieve", w.platform, id=w.foreign_booking.listing_id), 404)


@case("listings_room_type_calendar")
def _listings_room_type_calendar(w: World):
    ids = {"listing_id": w.listing.pk, "room_type_id": w.room_type.pk}
    ics = parsed(w.call("listings_room_type_calendar", w.anonymous, token=w.listing.calendar_token, **ids), 200, str)
    assert ics.startswith("BEGIN:VCALENDAR")
    coliving_error(w, w.call("listings_room_type_calendar", w.anonymous, token="x" * 43, **ids), 404)


@case("bookings_list")
def _bookings_list(w: World):
    booking = make_booking(room_type=w.room_type, guest=w.guest)
    page = parsed(w.call("bookings_list", w.platform), 200, w.m.PaginatedBookingList)
    assert [item.id for item in page.data] == [booking.pk]
    assert page.data[0].status is w.m.BookingStatusEnum.PENDING
    coliving_error(w, w.call("bookings_list", w.anonymous), 401)


@case("bookings_create")
def _bookings_create(w: World):
    checkin = w.today + datetime.timedelta(days=30)
    body = w.m.BookingCreateRequest(
        user_id=w.guest.pk,
        listing_id=w.listing.pk,
        room_type_id=w.room_type.pk,
        checkin_at=checkin,
        checkout_at=checkin + datetime.timedelta(days=60),
        guests=1,
    )
    booking = parsed(w.call("bookings_create", w.platform, body=body), 201, w.m.BookingResponse).data
    assert booking.status is w.m.BookingStatusEnum.PENDING and booking.checkin_at == checkin
    assert isinstance(booking.pricing, w.m.BookingPricing)
    body.listing_id = w.foreign_booking.listing_id
    coliving_error(w, w.call("bookings_create", w.platform, body=body), 404)


@case("bookings_retrieve")
def _bookings_retrieve(w: World):
    booking = make_booking(room_type=w.room_type, guest=w.guest)
    data = parsed(w.call("bookings_retrieve", w.platform, id=booking.pk), 200, w.m.BookingResponse).data
    assert data.id == booking.pk and data.status is w.m.BookingStatusEnum.PENDING
    coliving_error(w, w.call("bookings_retrieve", w.platform, id=w.foreign_booking.pk), 404)


@case("bookings_cancel")
def _bookings_cancel(w: World):
    booking = make_booking(room_type=w.room_type, guest=w.guest)
    data = parsed(w.call("bookings_cancel", w.platform, id=booking.pk), 200, w.m.BookingResponse).data
    assert data.status is w.m.BookingStatusEnum.CANCELLED
    coliving_error(w, w.call("bookings_cancel", w.platform, id=booking.pk), 409, "invalid_status")


@case("bookings_messages_create")
def _bookings_messages_create(w: World):
    booking = make_booking(room_type=w.room_type, guest=w.guest)
    body = w.m.BookingMessageCreateRequest(message="Early check-in?")
    response = w.call("bookings_messages_create", w.platform, id=booking.pk, body=body)
    message = parsed(response, 201, w.m.BookingMessageOutResponse).data
    assert message.message == "Early check-in?" and message.duplicate is False
    coliving_error(w, w.call("bookings_messages_create", w.platform, id=w.foreign_booking.pk, body=body), 404)


# Coliving: integrations API


@case("integrations_room_types_list")
def _integrations_room_types_list(w: World):
    response = w.call("integrations_room_types_list", w.platform, provider=PROVIDER, listing_id=w.listing.pk)
    data = parsed(response, 200, w.m.RoomTypeListResponse).data
    assert [room_type.room_type_id for room_type in data.room_types] == [w.room_type.pk]
    response = w.call("integrations_room_types_list", w.platform, provider="nobeds", listing_id=w.listing.pk)
    coliving_error(w, response, 404, "unsupported_provider")


@case("integrations_availability_update")
def _integrations_availability_update(w: World):
    def body(available: int):
        start = w.today + datetime.timedelta(days=3)
        item = w.m.AvailabilityItemRequest(
            listing_id=w.listing.pk,
            room_type_id=w.room_type.pk,
            available=available,
            start_date=start,
            end_date=start + datetime.timedelta(days=2),
        )
        return w.m.AvailabilityUpdateRequest(data=[item])

    response = w.call("integrations_availability_update", w.platform, provider=PROVIDER, body=body(2))
    assert parsed(response, 200, w.m.AvailabilityUpdated).success is True
    response = w.call("integrations_availability_update", w.platform, provider=PROVIDER, body=body(-1))
    assert "data.0.available" in coliving_error(w, response, 400).details.additional_properties


@case("integrations_rates_update")
def _integrations_rates_update(w: World):
    def body(price: float):
        return w.m.RatesUpdateRequest(
            data=[w.m.RateItemRequest(listing_id=w.listing.pk, room_type_id=w.room_type.pk, base_price=price)]
        )

    response = w.call("integrations_rates_update", w.platform, provider=PROVIDER, body=body(820))
    assert parsed(response, 200, w.m.Message).message == "Rates updated successfully"
    response = w.call("integrations_rates_update", w.platform, provider=PROVIDER, body=body(-5))
    assert "data.0.base_price" in coliving_error(w, response, 400).details.additional_properties


@case("integrations_provider_key_set")
def _integrations_provider_key_set(w: World):
    body = w.m.ProviderKeyRequest(provider_api_key="mb_live_0123456789abcdef")
    response = w.call("integrations_provider_key_set", w.platform, provider=PROVIDER, body=body)
    assert parsed(response, 200, w.m.ProviderKeyLinkResponse).data.status is w.m.ProviderKeyLinkStatusEnum.CREATED
    body = w.m.ProviderKeyRequest(provider_api_key="")
    coliving_error(w, w.call("integrations_provider_key_set", w.platform, provider=PROVIDER, body=body), 422)


@case("integrations_bookings_feed")
def _integrations_bookings_feed(w: World):
    booking = make_booking(room_type=w.room_type, guest=w.guest)
    feed = parsed(w.call("integrations_bookings_feed", w.platform, provider=PROVIDER), 200, w.m.FeedResponse).data
    assert booking.pk in [item.booking_id for item in feed.bookings]
    assert feed.bookings[0].status is w.m.BookingStatusEnum.PENDING
    response = w.call("integrations_bookings_feed", w.platform, provider=PROVIDER, since="not a time")
    coliving_error(w, response, 400)


@case("integrations_bookings_retrieve")
def _integrations_bookings_retrieve(w: World):
    booking = make_booking(room_type=w.room_type, guest=w.guest)
    response = w.call("integrations_bookings_retrieve", w.platform, provider=PROVIDER, id=booking.pk)
    data = parsed(response, 200, w.m.IntegrationBookingDetailResponse).data.booking
    assert data.booking_id == booking.pk and data.status is w.m.BookingStatusEnum.PENDING
    response = w.call("integrations_bookings_retrieve", w.platform, provider=PROVIDER, id=w.foreign_booking.pk)
    coliving_error(w, response, 404)


# Coliving: the JSON feed's public helpers


@case("json_docs")
def _json_docs(w: World):
    # Without ?format=json (or Accept: application/json) the guide is its HTML page.
    guide = parsed(w.call("json_docs", w.anonymous, format_="json"), 200, w.m.FieldGuideResponse).data
    assert guide.sections and all(isinstance(section, w.m.FieldGuideSection) for section in guide.sections)
    coliving_error(w, w.call("json_docs", w.malformed, format_="json"), 400)


@case("json_import_example")
def _json_import_example(w: World):
    example = parsed(w.call("json_import_example", w.anonymous), 200, w.m.ListingFeed)
    assert example.original_id == spec_example()["original_id"]
    coliving_error(w, w.call("json_import_example", w.malformed), 400)


def _json_import_helper(w: World, operation_id: str):
    values = parsed(w.call(operation_id, w.anonymous), 200, w.m.HelperValueListResponse).data
    assert values and all(isinstance(value, w.m.HelperValue) for value in values)
    coliving_error(w, w.call(operation_id, w.malformed), 400)


# Coworkies directory


@case("api_info")
def _api_info(w: World):
    info = parsed(w.call("api_info", w.anonymous), 200, w.m.ApiInfo)
    assert info.success is True and info.data.endpoints
    coworkies_error(w, w.call("api_info", w.malformed), 400)


@case("health")
def _health(w: World):
    health = parsed(w.call("health", w.anonymous), 200, w.m.Health)
    assert health.data.status is w.m.HealthStatusEnum.OK
    coworkies_error(w, w.call("health", w.malformed), 400)


@case("blog_list")
def _blog_list(w: World):
    post = BlogPostFactory()
    blog = parsed(w.call("blog_list", w.coworkies), 200, w.m.BlogResponse)
    assert [item.title for item in blog.data.posts] == [post.title]
    coworkies_error(w, w.call("blog_list", w.anonymous), 401)


@case("cities_list")
def _cities_list(w: World):
    cities = parsed(w.call("cities_list", w.coworkies), 200, w.m.CityListResponse).data
    assert str(w.space.city.pk) in [city.id_city for city in cities]
    coworkies_error(w, w.call("cities_list", w.anonymous), 401)


@case("city_spaces_list")
def _city_spaces_list(w: World):
    data = parsed(w.call("city_spaces_list", w.coworkies), 200, w.m.CitySpacesListResponse).data
    assert data and all(isinstance(item, w.m.CitySpaces) for item in data)
    coworkies_error(w, w.call("city_spaces_list", w.anonymous), 401)


@case("spaces_list")
def _spaces_list(w: World):
    spaces = parsed(w.call("spaces_list", w.coworkies), 200, w.m.SpaceListResponse).data
    assert w.space.name in [space.space_name for space in spaces]
    coworkies_error(w, w.call("spaces_list", w.anonymous), 401)


@case("events_list")
def _events_list(w: World):
    event = EventFactory(space=w.space)
    page = parsed(w.call("events_list", w.coworkies), 200, w.m.PaginatedEventList)
    assert [item.id_event for item in page.data.events] == [event.pk]
    coworkies_error(w, w.call("events_list", w.anonymous), 401)


@case("jobs_list")
def _jobs_list(w: World):
    job = JobFactory(space=w.space)
    page = parsed(w.call("jobs_list", w.coworkies), 200, w.m.PaginatedJobListItemList)
    assert [item.id_job for item in page.data.jobs] == [job.pk]
    coworkies_error(w, w.call("jobs_list", w.anonymous), 401)


def _job_body(w: World, **fields):
    values = {
        "title": "Community Manager",
        "company": "Coworking Studio",
        "description": "Lead member experience at our Berlin location.",
        "job_type": w.m.JobTypeEnum.FULLTIME,
        "city_name": "Berlin",
        "tags": "community,events",
        "sal_min": 35000,
        "sal_max": 45000,
    }
    return w.m.JobCreateRequest(**{**values, **fields})


def _posted_job(w: World) -> int:
    w.jobs_posted += 1  # a job with the same fingerprint would be the same job
    response = w.call("jobs_create", w.coworkies, body=_job_body(w, title=f"Community Manager {w.jobs_posted}"))
    return parsed(response, 201, w.m.JobPostedResponse).data.job_id


@case("jobs_create")
def _jobs_create(w: World):
    posted = parsed(w.call("jobs_create", w.coworkies, body=_job_body(w)), 201, w.m.JobPostedResponse).data
    assert posted.job_id > 0 and isinstance(posted.action, w.m.JobPostedActionEnum)
    response = w.call("jobs_create", w.coworkies, body=_job_body(w, title="Other", sal_min=50000, sal_max=1))
    coworkies_error(w, response, 422)


@case("jobs_retrieve")
def _jobs_retrieve(w: World):
    job_id = _posted_job(w)
    job = parsed(w.call("jobs_retrieve", w.coworkies, id=job_id), 200, w.m.JobResponse).data
    assert job.id_job == job_id and isinstance(job.status, w.m.JobStatusEnum)
    coworkies_error(w, w.call("jobs_retrieve", w.coworkies, id=2**40), 404)


@case("jobs_update")
def _jobs_update(w: World):
    job_id = _posted_job(w)
    body = w.m.PatchedJobUpdateRequest(title="Head of Community")
    job = parsed(w.call("jobs_update", w.coworkies, id=job_id, body=body), 200, w.m.JobResponse).data
    assert job.title == "Head of Community"
    coworkies_error(w, w.call("jobs_update", w.coworkies, id=2**40, body=body), 404)


@case("jobs_unpublish")
def _jobs_unpublish(w: World):
    job_id = _posted_job(w)
    job = parsed(w.call("jobs_unpublish", w.coworkies, id=job_id), 200, w.m.JobResponse).data
    assert job.id_job == job_id and job.status is not w.m.JobStatusEnum.ACTIVE
    coworkies_error(w, w.call("jobs_unpublish", w.coworkies, id=2**40), 404)


@case("feedback_create")
def _feedback_create(w: World):
    body = w.m.FeedbackRequest(message="The map does not load on mobile.")
    assert parsed(w.call("feedback_create", w.anonymous, body=body), 201, w.m.FeedbackReceivedResponse).success
    coworkies_error(w, w.call("feedback_create", w.anonymous, body=w.m.FeedbackRequest(message="")), 422)


@case("newsletter_subscribe")
def _newsletter_subscribe(w: World):
    body = w.m.NewsletterSubscribeRequest(email="reader@example.com")
    response = w.call("newsletter_subscribe", w.anonymous, body=body)
    assert parsed(response, 200, w.m.NewsletterSubscribedResponse).success is True
    body = w.m.NewsletterSubscribeRequest(email="not-an-email")
    coworkies_error(w, w.call("newsletter_subscribe", w.anonymous, body=body), 422)


# Cobot-compatible resource bookings (/spaces/{subdomain}/api/…)


@case("cobot_resources_list")
def _cobot_resources_list(w: World):
    resources = parsed(w.call("cobot_resources_list", w.platform, subdomain=w.space.subdomain), 200, list)
    assert [resource.id for resource in resources] == [str(w.resource.pk)]
    assert all(isinstance(resource, w.m.Resource) for resource in resources)
    cobot_error(w, w.call("cobot_resources_list", w.platform, subdomain="nowhere"), 404)


def _cobot_list(operation_id: str, **path):
    def run(w: World):
        booking = w.resource_booking()
        kwargs = {"subdomain": w.space.subdomain, **{name: value(w) for name, value in path.items()}}
        period = w.period() if "from_" in w.modules[operation_id].sync_detailed.__annotations__ else {}
        bookings = parsed(w.call(operation_id, w.platform, **kwargs, **period), 200, list)
        assert str(booking.pk) in [item.id for item in bookings]  # Cobot ids are strings
        assert all(isinstance(item, w.m.ResourceBooking) for item in bookings)
        if period:
            bad = {"from_": "2100-01-01", "to": "2000-01-01"}
            cobot_error(w, w.call(operation_id, w.platform, **kwargs, **bad), 422)
        else:
            cobot_error(w, w.call(operation_id, w.platform, **{**kwargs, "subdomain": "nowhere"}), 404)

    return run


CASES["cobot_bookings_list"] = _cobot_list("cobot_bookings_list")
CASES["cobot_membership_bookings_list"] = _cobot_list("cobot_membership_bookings_list")
CASES["cobot_memberships_bookings_list"] = _cobot_list("cobot_memberships_bookings_list")
CASES["cobot_membership_bookings_upcoming"] = _cobot_list("cobot_membership_bookings_upcoming")
CASES["cobot_member_bookings_list"] = _cobot_list("cobot_member_bookings_list", membership_id=lambda w: w.membership.pk)
CASES["cobot_resource_bookings_list"] = _cobot_list("cobot_resource_bookings_list", id=lambda w: w.resource.pk)


@case("cobot_membership_bookings_recent")
def _cobot_membership_bookings_recent(w: World):
    booking = w.resource_booking(days=-2)
    bookings = parsed(w.call("cobot_membership_bookings_recent", w.platform, subdomain=w.space.subdomain), 200, list)
    assert str(booking.pk) in [item.id for item in bookings]
    assert all(isinstance(item, w.m.ResourceBooking) for item in bookings)
    cobot_error(w, w.call("cobot_membership_bookings_recent", w.platform, subdomain="nowhere"), 404)


@case("cobot_bookings_retrieve")
def _cobot_bookings_retrieve(w: World):
    booking = w.resource_booking()
    response = w.call("cobot_bookings_retrieve", w.platform, subdomain=w.space.subdomain, id=booking.pk)
    assert parsed(response, 200, w.m.ResourceBooking).id == str(booking.pk)
    cobot_error(w, w.call("cobot_bookings_retrieve", w.platform, subdomain=w.space.subdomain, id=2**40), 404)


@case("cobot_resource_bookings_create")
def _cobot_resource_bookings_create(w: World):
    start = next_hour(days=5)
    body = w.m.ResourceBookingWriteRequest(
        from_=cobot(start), to=cobot(start + datetime.timedelta(hours=2)), title="Team meeting"
    )
    ids = {"subdomain": w.space.subdomain, "id": w.resource.pk}
    booking = parsed(w.call("cobot_resource_bookings_create", w.platform, body=body, **ids), 201, w.m.ResourceBooking)
    assert booking.title == "Team meeting" and booking.from_.startswith(start.strftime("%Y/%m/%d %H:00"))
    body = w.m.ResourceBookingWriteRequest(from_=cobot(start), to=cobot(start - datetime.timedelta(hours=2)))
    cobot_error(w, w.call("cobot_resource_bookings_create", w.platform, body=body, **ids), 422)


@case("cobot_bookings_update")
def _cobot_bookings_update(w: World):
    booking = w.resource_booking(days=6)
    ids = {"subdomain": w.space.subdomain, "id": booking.pk}
    body = w.m.ResourceBookingUpdateRequest(title="Board meeting")
    updated = parsed(w.call("cobot_bookings_update", w.platform, body=body, **ids), 200, w.m.ResourceBooking)
    assert updated.title == "Board meeting"
    body = w.m.ResourceBookingUpdateRequest(from_="tomorrow-ish")
    cobot_error(w, w.call("cobot_bookings_update", w.platform, body=body, **ids), 422)


@case("cobot_bookings_destroy")
def _cobot_bookings_destroy(w: World):
    booking = w.resource_booking(days=7)
    ids = {"subdomain": w.space.subdomain, "id": booking.pk}
    assert w.call("cobot_bookings_destroy", w.platform, **ids).status_code == 204
    cobot_error(w, w.call("cobot_bookings_destroy", w.platform, **ids), 404)


# Operations that come in families: one case per pattern.
PATTERN_CASES: list[tuple[re.Pattern, Callable[[World, str], None]]] = [
    (re.compile(r"json_import_(?!example$)\w+"), _json_import_helper),
    (re.compile(r"\w+_sandbox"), _sandbox_twin),
]


def case_for(operation_id: str) -> Callable[[World], None] | None:
    if operation_id in CASES:
        return CASES[operation_id]
    for pattern, run in PATTERN_CASES:
        if pattern.fullmatch(operation_id):
            return lambda world: run(world, operation_id)
    return None


# --- the tests ---------------------------------------------------------------------------------


def test_every_module_of_the_client_imports(package):
    modules = [info.name for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")]
    for name in modules:
        importlib.import_module(name)
    assert f"{PACKAGE}.api.bookings.bookings_create" in modules


def test_every_operation_has_a_case(document):
    ids = operation_ids(document)
    missing = [operation_id for operation_id in ids if case_for(operation_id) is None]
    assert not missing, f"Operations without a case in {__name__}.CASES: {missing}"
    stale = sorted(set(CASES) - set(ids))
    assert not stale, f"Cases of operations the schema no longer has: {stale}"


@dataclass
class Failure:
    operation_id: str
    error: BaseException

    def __str__(self) -> str:
        return f"{self.operation_id}: {type(self.error).__name__}: {str(self.error)[:1500]}"


@pytest.mark.django_db(transaction=True)
def test_every_operation_works_through_the_generated_client(document, package, server):
    world = World(server, package)
    ids = operation_ids(document)
    assert set(ids) <= set(world.modules), sorted(set(ids) - set(world.modules))
    failures = []
    for operation_id in ids:
        run = case_for(operation_id)
        if run is None:
            continue  # test_every_operation_has_a_case names it
        try:
            run(world)
        except Exception as error:  # every operation is tried; all failures are reported together
            failures.append(Failure(operation_id, error))
    assert not failures, "\n".join(str(failure) for failure in failures)
