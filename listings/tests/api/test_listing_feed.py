"""``POST /v2/listings`` and ``GET /v2/listings/{id}`` (the host JSON feed's shape), and the
public ``/json`` endpoints: example payload, field guide, helpers."""

from __future__ import annotations

import pytest

from listings.feed import docs, enums, registry
from listings.models import Listing
from listings.tests.factories import ListingFactory
from listings.tests.feed_example import spec_example

pytestmark = pytest.mark.usefixtures("feed_catalogues")

URL = "/v2/listings"


def other_listing(n: int) -> dict:
    doc = spec_example()
    doc.update(original_id=f"property-{n:02d}", original_url=f"https://host.example.com/listings/property-{n:02d}")
    return doc


# --- POST /v2/listings ------------------------------------------------------------------------


def test_it_creates_the_spec_example_and_reports_it(key_client):
    client = key_client(["listings.write"])

    response = client.post(URL, spec_example(), format="json")

    assert response.status_code == 201, response.content
    listing = Listing.objects.get()
    assert (listing.host, listing.sync_source) == (client.owner, "api")
    assert response.json() == {
        "success": True,
        "data": {
            "listings": [
                {
                    "index": 0,
                    "original_id": "property-01",
                    "listing_id": listing.pk,
                    "action": "created",
                    "errors": {},
                    "warnings": {},
                }
            ],
            "counts": {"created": 1, "updated": 0, "unchanged": 0, "failed": 0},
        },
    }


def test_a_batch_applies_the_good_listings_and_reports_the_bad(key_client):
    client = key_client(["listings.write"])
    bad = other_listing(2)
    bad["room_types"][0]["prices"]["price_jan"] = -5
    bad["location"]["zip"] = "N/A"
    del bad["bookings"]["cancellation_policy"]

    response = client.post(URL, {"listings": [spec_example(), bad, other_listing(3)]}, format="json")

    assert response.status_code == 201
    items = response.json()["data"]["listings"]
    assert [(item["index"], item["original_id"], item["action"]) for item in items] == [
        (0, "property-01", "created"),
        (1, "property-02", "failed"),
        (2, "property-03", "created"),
    ]
    assert items[1]["listing_id"] is None
    assert items[1]["errors"] == {
        "location.zip": ["'N/A' is a placeholder; omit the field instead."],
        "room_types.0.prices.price_jan": ["Must not be negative."],
    }
    assert items[1]["warnings"] == {"bookings.cancellation_policy": ["Recommended field missing."]}
    assert set(Listing.objects.values_list("original_id", flat=True)) == {"property-01", "property-03"}


def test_resending_is_unchanged_and_an_edit_is_updated(key_client):
    client = key_client(["listings.write"])
    client.post(URL, spec_example(), format="json")
    changed = spec_example()
    changed["name"] = "301 Mountain Road"

    response = client.post(URL, {"listings": [spec_example(), changed | {"original_id": "property-01"}]}, format="json")

    # the same listing twice in one request: the second is refused
    assert [item["action"] for item in response.json()["data"]["listings"]] == ["unchanged", "failed"]
    response = client.post(URL, changed, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["listings"][0]["action"] == "updated"


def test_when_no_listing_applies_it_is_400_with_every_error(key_client):
    client = key_client(["listings.write"])
    doc = spec_example()
    doc["name"] = "TBD"
    doc["room_types"][0]["prices"]["discount_90"] = 120

    single = client.post(URL, doc, format="json")
    batch = client.post(URL, {"listings": [doc]}, format="json")

    assert single.status_code == 400
    assert single.json() == {
        "success": False,
        "error": "Validation Error",
        "code": "validation_error",
        "details": {
            "name": ["'TBD' is a placeholder; omit the field instead."],
            "room_types.0.prices.discount_90": ["Must be at most 100."],
        },
    }
    assert set(batch.json()["details"]) == {"listings.0.name", "listings.0.room_types.0.prices.discount_90"}
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    "body, path",
    [
        ([spec_example()], "non_field_errors"),
        ({"listings": []}, "listings"),
        ({"listings": "x"}, "listings"),
        ({"listings": [spec_example()] * 101}, "listings"),
    ],
    ids=["a bare list", "empty", "not a list", "over 100"],
)
def test_a_malformed_body_is_400(key_client, body, path):
    response = key_client(["listings.write"]).post(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == [path]


def test_a_second_host_reusing_an_original_id_gets_its_own_listing(key_client):
    first = key_client(["listings.write"])
    first.post(URL, spec_example(), format="json")
    theirs = Listing.objects.get()
    before = Listing.objects.filter(pk=theirs.pk).values().get()
    second = key_client(["listings.write"])
    hijack = spec_example()
    hijack["name"] = "Hijacked"

    response = second.post(URL, hijack, format="json")

    assert response.json()["data"]["listings"][0]["action"] == "created"
    assert Listing.objects.filter(pk=theirs.pk).values().get() == before
    assert Listing.objects.get(host=second.owner).name == "Hijacked"


def test_it_honours_idempotency_keys(key_client):
    client = key_client(["listings.write"])
    headers = {"HTTP_IDEMPOTENCY_KEY": "feed-0001"}

    first = client.post(URL, spec_example(), format="json", **headers)
    replay = client.post(URL, spec_example(), format="json", **headers)
    mismatch = client.post(URL, other_listing(2), format="json", **headers)

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert mismatch.status_code == 409
    assert Listing.objects.count() == 1


# --- GET /v2/listings/{id} --------------------------------------------------------------------


def test_get_returns_the_feed_shape_and_posting_it_back_is_a_no_op(key_client):
    client = key_client(["listings.read", "listings.write"])
    listing_id = client.post(URL, spec_example(), format="json").json()["data"]["listings"][0]["listing_id"]

    exported = client.get(f"{URL}/{listing_id}")

    assert exported.status_code == 200
    data = exported.json()["data"]
    room_type_id = Listing.objects.get().room_types.get().pk
    expected = spec_example()
    expected["id"] = listing_id
    expected["room_types"][0]["room_type_id"] = room_type_id
    assert data == expected
    before = Listing.objects.filter(pk=listing_id).values().get()
    again = client.post(URL, data, format="json")
    assert again.status_code == 200
    assert again.json()["data"]["listings"][0]["action"] == "unchanged"
    assert Listing.objects.filter(pk=listing_id).values().get() == before


def test_get_reads_a_listing_in_a_bounded_number_of_queries(key_client, django_assert_max_num_queries):
    client = key_client(["listings.read", "listings.write"])
    listing_id = client.post(URL, spec_example(), format="json").json()["data"]["listings"][0]["listing_id"]

    # the key, the listing, then its prefetched amenities, community types, events, fees, FAQ,
    # photos, room types and, for those, rooms, amenities and photos
    with django_assert_max_num_queries(13):
        assert client.get(f"{URL}/{listing_id}").status_code == 200


def test_get_of_another_hosts_listing_is_not_found(key_client):
    client = key_client(["listings.read"])
    theirs = ListingFactory()

    response = client.get(f"{URL}/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["error"] == "Listing not found or unauthorized"


# --- /json ------------------------------------------------------------------------------------


def test_the_served_example_is_the_specs(api_client):
    response = api_client.get("/json/import")

    assert response.status_code == 200
    assert response.json() == spec_example()  # bare: the payload itself, ready to POST
    assert docs.example() == spec_example()


def test_the_served_example_imports_cleanly(key_client, api_client):
    response = key_client(["listings.write"]).post(URL, api_client.get("/json/import").json(), format="json")

    item = response.json()["data"]["listings"][0]
    assert (item["action"], item["errors"], item["warnings"]) == ("created", {}, {})


def test_every_helper_is_served_and_listed_on_the_docs(api_client):
    guide = api_client.get("/json/docs?format=json").json()["data"]
    listed = {helper["name"] for helper in guide["helpers"]}
    expected = {
        *("parking", "amenities", "room_type", "bed_type", "gender", "bathroom_type", "cancellation_policy"),
        *("security_deposit_type", "fee_type", "fee_frequency", "currency", "size_unit", "community_types"),
        *("community_events", "video_tour_type"),
    }
    assert listed == expected

    for name in expected:
        response = api_client.get(f"/json/import/{name}")
        assert response.status_code == 200, name
        values = response.json()["data"]
        assert values, name
        if name in registry.CATALOGUES:
            assert {"id", "name"} <= set(values[0])
        else:
            assert {value["value"] for value in values} == enums.values(name)


def test_helpers_list_what_the_validation_accepts(api_client):
    bed_types = [value["value"] for value in api_client.get("/json/import/bed_type").json()["data"]]
    policies = [value["value"] for value in api_client.get("/json/import/cancellation_policy").json()["data"]]
    amenities = api_client.get("/json/import/amenities").json()["data"]

    assert bed_types == ["single", "double", "queen", "king", "bunk", "sofa_bed"]
    assert policies == ["flexible", "moderate", "strict", "non_refundable"]
    assert {"id": 12, "name": "Coworking space", "scope": "property"} in amenities
    assert "usd" in [value["value"] for value in api_client.get("/json/import/currency").json()["data"]]


def test_the_field_guide_covers_every_field_once(api_client):
    guide = api_client.get("/json/docs?format=json").json()["data"]

    paths = [field["path"] for section in guide["sections"] for field in section["fields"]]
    assert sorted(paths) == sorted(field.path for field in registry.FIELDS)
    assert set(guide["status_legend"]) == {"Required", "Recommended", "Optional", "Conditional"}
    name = next(field for section in guide["sections"] for field in section["fields"] if field["path"] == "name")
    assert name["status"] == "Required"


def test_the_field_guide_is_a_readable_page(api_client):
    response = api_client.get("/json/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Status legend" in page and "room_types.*.prices.discount_90" in page
    assert 'href="/json/import/bed_type"' in page


def test_an_unknown_helper_is_the_json_404(api_client):
    response = api_client.get("/json/import/colours")

    assert response.status_code == 404
    assert response.json()["success"] is False
