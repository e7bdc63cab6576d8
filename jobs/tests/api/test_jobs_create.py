"""``POST /v2/jobs`` (``shared/spec/coworkies-api.txt``, "Create Job"): the spec's examples,
every validation rule, city resolution, sanitising, plans and dedupe."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apikeys.models import IdempotencyRecord
from apikeys.tests.factories import make_key
from conftest import requires_postgres
from jobs.models import Job
from jobs.tests.conftest import LIVE, RESTRICTED
from jobs.tests.factories import CityFactory, JobFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db
URL = "/v2/jobs"

# The spec's "Create Job" request.
SPEC_BODY = {
    "title": "Community Manager",
    "company": "Coworking Studio",
    "description": "Lead member experience at our Berlin location.",
    "job_type": "fulltime",
    "city_name": "Berlin",
    "tags": "community,events,hospitality",
    "external_url": "https://example.com/careers/cm",
    "apply_url": "https://example.com/careers/cm/apply",
    "is_remote": 0,
    "currency": "EUR",
    "sal_min": 35000,
    "sal_max": 45000,
}
# The spec's "Quick Start, step 3" request.
QUICK_START_BODY = {
    "title": "Frontend Developer",
    "company": "Remote Co",
    "description": "Build beautiful interfaces.",
    "job_type": "fulltime",
    "city_name": "Lisbon",
    "tags": "react,typescript,remote",
    "is_remote": 1,
}
SPEC_201_KEYS = [
    "job_id",
    "page_url",
    "hash_identifier",
    "status",
    "action",
    "dedupe_hash",
    "is_paid",
    "city",
    "apply_url",
    "plan_price",
    "expiration_days",
    "message",
    "view_url",
    "payment_url",
    "edit_url",
    "unpublish_url",
]


def post(client, body, **extra):
    return client.post(URL, body, format="json", **extra)


def details(response) -> list[str]:
    body = response.json()
    assert body["success"] is False and body["status"] == response.status_code
    return body["error"].get("details", [])


def test_the_spec_example_creates_and_publishes_a_job(cwk, cities, space):
    client = cwk(space=space)
    response = post(client, SPEC_BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == ["success", "status", "data"]
    assert body["success"] is True and body["status"] == 201
    data = body["data"]
    assert list(data) == SPEC_201_KEYS
    job = Job.objects.get()
    assert data["job_id"] == job.pk
    assert data["page_url"] == f"community-manager-{job.pk}"
    assert data["status"] == "active"
    assert data["action"] == "created"
    assert data["is_paid"] is True
    assert data["city"] == {"id": cities["berlin"].pk, "name": "Berlin"}
    assert data["apply_url"] == "https://example.com/careers/cm/apply"
    assert data["plan_price"] == 0
    assert data["expiration_days"] == 30
    assert data["message"] == "Job created and published successfully."
    assert data["view_url"] == f"https://www.coworkies.com/jobs/community-manager-{job.pk}/details"
    assert data["payment_url"] is None
    hash_ = job.hash_identifier
    assert len(data["hash_identifier"]) == 32 and data["hash_identifier"] == hash_
    assert data["edit_url"] == f"https://www.coworkies.com/jobs/community-manager-{job.pk}/edit?job_hash={hash_}"
    assert data["unpublish_url"] == (
        f"https://www.coworkies.com/jobs/community-manager-{job.pk}/unpublish?job_hash={hash_}"
    )
    assert len(data["dedupe_hash"]) == 64 and data["dedupe_hash"] == job.dedupe_hash
    assert response["Location"] == f"/v2/jobs/{job.pk}"
    # Stored as the rules say: the key's space and owner, ref appended, tags normalised.
    assert job.space == space and job.owner == client.owner
    assert job.external_url == "https://example.com/careers/cm?ref=coworkiesjobs"
    assert job.tags == "community,events,hospitality"
    assert job.plan_id == 5 and job.status == "active" and job.expiration_date is not None


def test_the_quick_start_example_posts_with_a_city_name(cwk, cities):
    response = post(cwk(), QUICK_START_BODY)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["city"] == {"id": cities["lisbon"].pk, "name": "Lisbon"}
    assert data["apply_url"] is None
    job = Job.objects.get()
    assert job.is_remote is True and job.space is None and job.external_url == ""


def test_it_takes_id_city_as_an_integer_or_the_string_cities_returns(cwk, cities):
    body = {**QUICK_START_BODY, "id_city": str(cities["berlin"].pk)}
    body.pop("city_name")
    response = post(cwk(), body)
    assert response.status_code == 201, response.content
    assert response.json()["data"]["city"]["name"] == "Berlin"


def test_id_city_wins_over_city_name(cwk, cities):
    response = post(cwk(), {**QUICK_START_BODY, "id_city": cities["berlin"].pk, "city_name": "Lisbon"})
    assert response.json()["data"]["city"]["name"] == "Berlin"


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, message",
    [
        ("title", "Job title is required"),
        ("company", "Company name is required"),
        ("description", "Job description is required"),
        ("job_type", "Job type is required"),
        ("tags", "Tags is required"),
    ],
)
def test_each_required_field_is_a_422(cwk, cities, field, message):
    body = {key: value for key, value in QUICK_START_BODY.items() if key != field}
    response = post(cwk(), body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["message"] == "Validation failed"
    assert message in details(response)
    assert not Job.objects.exists()


def test_a_city_is_required(cwk, cities):
    body = {key: value for key, value in QUICK_START_BODY.items() if key != "city_name"}
    response = post(cwk(), body)
    assert response.status_code == 422
    assert details(response) == ["City ID is required"]


def test_every_missing_field_is_reported_at_once(cwk, cities):
    response = post(cwk(), {})
    assert response.status_code == 422
    assert len(details(response)) == 6


def test_the_spec_error_example(cwk, cities):
    body = {key: value for key, value in QUICK_START_BODY.items() if key not in ("title", "city_name")}
    response = post(cwk(), body)
    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "status": 422,
        "error": {
            "code": "validation_error",
            "message": "Validation failed",
            "details": ["Job title is required", "City ID is required"],
        },
    }


@pytest.mark.parametrize(
    "change, message",
    [
        ({"job_type": "volunteer"}, "Job type must be fulltime, parttime, freelance or internship"),
        ({"currency": "CHF"}, "Currency must be EUR, USD or GBP"),
        ({"sal_min": 50000, "sal_max": 40000}, "sal_min cannot exceed sal_max"),
        ({"sal_min": -1}, "sal_min: Ensure this value is greater than or equal to 0."),
        ({"external_url": "javascript:alert(1)"}, "external_url: Enter an absolute http(s) URL."),
        ({"apply_url": "ftp://example.com/x"}, "apply_url: Enter an absolute http(s) URL."),
        ({"tags": " , ,"}, "tags: At least one tag is required"),
        ({"description": "<script>alert(1)</script>"}, "Job description is required"),
        ({"title": "   "}, "Job title is required"),
        ({"title": "x" * 201}, "title: Ensure this field has no more than 200 characters."),
        ({"id_plan": 999}, "Plan 999 does not exist or is not active"),
        ({"id_space": 999}, "Space 999 does not exist or is not confirmed"),
        ({"id_city": 999, "city_name": None}, "City 999 not found"),
        ({"is_remote": "maybe"}, "is_remote: Must be a valid boolean."),
    ],
)
def test_each_rule_is_a_422_naming_the_field(cwk, cities, change, message):
    response = post(cwk(), {**QUICK_START_BODY, **change})
    assert response.status_code == 422, response.content
    assert message in details(response)
    assert not Job.objects.exists()


def test_sal_min_may_equal_sal_max(cwk, cities):
    assert post(cwk(), {**QUICK_START_BODY, "sal_min": 40000, "sal_max": 40000}).status_code == 201


def test_currency_defaults_to_eur_and_is_case_insensitive(cwk, cities):
    post(cwk(), QUICK_START_BODY)
    post(cwk(), {**QUICK_START_BODY, "title": "Another", "currency": "usd"})
    assert sorted(Job.objects.values_list("currency", flat=True)) == ["EUR", "USD"]


@pytest.mark.parametrize(
    "value, stored",
    [("hiring@example.com", "hiring@example.com"), ("not-an-email", "jobs@coworkies.com"), ("", "jobs@coworkies.com")],
)
def test_an_invalid_inv_email_falls_back_to_the_default(cwk, cities, value, stored):
    assert post(cwk(), {**QUICK_START_BODY, "inv_email": value}).status_code == 201
    assert Job.objects.get().inv_email == stored


def test_an_inactive_plan_is_refused(cwk, cities):
    plan = PlanFactory(is_active=False)
    response = post(cwk(), {**QUICK_START_BODY, "id_plan": plan.pk})
    assert response.status_code == 422
    assert details(response) == [f"Plan {plan.pk} does not exist or is not active"]


def test_an_unconfirmed_space_is_refused(cwk, cities):
    unconfirmed = SpaceFactory(is_confirmed=False, city=cities["berlin"])
    response = post(cwk(), {**QUICK_START_BODY, "id_space": unconfirmed.pk})
    assert response.status_code == 422
    assert details(response) == [f"Space {unconfirmed.pk} does not exist or is not confirmed"]


def test_a_confirmed_space_is_taken_from_an_unbound_key(cwk, cities, space):
    assert post(cwk(), {**QUICK_START_BODY, "id_space": space.pk}).status_code == 201
    assert Job.objects.get().space == space


def test_a_space_bound_key_posts_for_its_own_space_only(cwk, cities, space, other_space):
    client = cwk(space=space)
    assert post(client, {**QUICK_START_BODY, "id_space": space.pk}).status_code == 201
    response = post(client, {**QUICK_START_BODY, "title": "Other", "id_space": other_space.pk})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Job.objects.get().space == space


def test_the_client_never_sets_the_status(cwk, cities):
    response = post(cwk(), {**QUICK_START_BODY, "status": "expired"})
    assert response.json()["data"]["status"] == "active"


def test_a_paid_plan_leaves_a_draft_with_a_payment_url(cwk, cities):
    plan = PlanFactory(price=49, expiration_days=60)
    response = post(cwk(), {**QUICK_START_BODY, "id_plan": plan.pk})
    assert response.status_code == 201
    data = response.json()["data"]
    job = Job.objects.get()
    assert data["status"] == "draft" and job.status == "draft"
    assert data["is_paid"] is False
    assert data["plan_price"] == 49 and data["expiration_days"] == 60
    assert data["view_url"] is None
    assert data["payment_url"] == (
        f"https://www.coworkies.com/jobs/frontend-developer-{job.pk}/payment?job_hash={job.hash_identifier}"
    )
    assert data["message"] == "Job created as a draft; it is published once the plan is paid."


# --- normalisation -----------------------------------------------------------------------------


def test_tags_are_trimmed_lowercased_and_deduplicated(cwk, cities):
    post(cwk(), {**QUICK_START_BODY, "tags": " React, TypeScript ,react,,  remote work "})
    assert Job.objects.get().tags == "react,typescript,remote work"


@pytest.mark.parametrize(
    "url, stored",
    [
        ("https://example.com/careers/cm", "https://example.com/careers/cm?ref=coworkiesjobs"),
        ("https://example.com/apply?id=7&lang=en", "https://example.com/apply?id=7&lang=en&ref=coworkiesjobs"),
        ("https://example.com/apply?ref=linkedin&id=7", "https://example.com/apply?id=7&ref=coworkiesjobs"),
        ("https://example.com/apply?ref=coworkiesjobs", "https://example.com/apply?ref=coworkiesjobs"),
        ("https://example.com/a#apply", "https://example.com/a?ref=coworkiesjobs#apply"),
    ],
)
def test_ref_is_appended_keeping_the_existing_query(cwk, cities, url, stored):
    post(cwk(), {**QUICK_START_BODY, "external_url": url})
    assert Job.objects.get().external_url == stored


@pytest.mark.parametrize(
    "description, stored",
    [
        ("<p>Hi</p><script>alert(1)</script>", "<p>Hi</p>"),
        ('<p onclick="steal()">Hi</p>', "<p>Hi</p>"),
        (
            '<a href="javascript:alert(1)">x</a> <a href="JaVaScRiPt:alert(1)">y</a>',
            '<a rel="nofollow noopener noreferrer">x</a> <a rel="nofollow noopener noreferrer">y</a>',
        ),
        (
            '<a href="https://example.com/x" title="t" target="_blank" style="color:red">ok</a>',
            '<a href="https://example.com/x" rel="nofollow noopener noreferrer">ok</a>',
        ),
        ('<a href="/relative">r</a>', '<a rel="nofollow noopener noreferrer">r</a>'),
        ('<img src="x" onerror="alert(1)"><iframe src="https://evil"></iframe>text', "text"),
        ("<h1>Big</h1><h2>Ok</h2><div><span>kept text</span></div>", "Big<h2>Ok</h2>kept text"),
        (
            "<ul><li><strong>a</strong></li></ul><ol><li><em>b</em><br></li></ol><h3>c</h3>",
            "<ul><li><strong>a</strong></li></ul><ol><li><em>b</em><br></li></ol><h3>c</h3>",
        ),
        ("<style>p{}</style>Plain & simple", "Plain &amp; simple"),
    ],
)
def test_descriptions_are_sanitised_to_the_allowed_tags(cwk, cities, description, stored):
    assert post(cwk(), {**QUICK_START_BODY, "description": description}).status_code == 201
    assert Job.objects.get().description == stored


# --- city resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, city",
    [
        ("Berlin", "berlin"),
        ("berlin", "berlin"),
        ("  BERLIN ", "berlin"),
        ("Ber", "berlin"),
        ("zurich", "zurich"),  # accents ignored
        ("ZÜRICH", "zurich"),
        ("San Sebastian", "san-sebastian"),
        ("san f", "san-francisco"),
    ],
)
def test_city_name_resolves_exact_then_prefix_ignoring_case_and_accents(cwk, cities, name, city):
    response = post(cwk(), {**QUICK_START_BODY, "city_name": name})
    assert response.status_code == 201, response.content
    assert response.json()["data"]["city"] == {"id": cities[city].pk, "name": cities[city].name}


def test_an_exact_match_wins_over_longer_prefixes(cwk, cities):
    CityFactory(name="Berlin Mitte", slug="berlin-mitte")
    response = post(cwk(), {**QUICK_START_BODY, "city_name": "berlin"})
    assert response.json()["data"]["city"]["name"] == "Berlin"


def test_an_ambiguous_prefix_is_a_422_naming_the_candidates(cwk, cities):
    response = post(cwk(), {**QUICK_START_BODY, "city_name": "San"})
    assert response.status_code == 422
    sf, ss = cities["san-francisco"], cities["san-sebastian"]
    assert details(response) == [
        f"City name 'San' is ambiguous; use id_city or a longer name: "
        f"San Francisco (id {sf.pk}), San Sebastián (id {ss.pk})"
    ]


def test_two_cities_of_the_same_name_are_ambiguous(cwk, cities):
    other = CityFactory(name="Berlin", slug="berlin-new-hampshire")
    response = post(cwk(), {**QUICK_START_BODY, "city_name": "Berlin"})
    assert response.status_code == 422
    assert f"(id {other.pk})" in details(response)[0] and f"(id {cities['berlin'].pk})" in details(response)[0]


def test_an_unknown_city_is_a_422_suggesting_close_names(cwk, cities):
    response = post(cwk(), {**QUICK_START_BODY, "city_name": "Lisbonne"})
    assert response.status_code == 422
    assert details(response) == ["city_name: City 'Lisbonne' not found; did you mean: Lisbon?"]
    response = post(cwk(), {**QUICK_START_BODY, "city_name": "Atlantis"})
    assert details(response) == ["city_name: City 'Atlantis' not found"]


def test_an_unconfirmed_city_is_not_resolved(cwk, cities):
    CityFactory(name="Gotham", slug="gotham", is_confirmed=False)
    assert post(cwk(), {**QUICK_START_BODY, "city_name": "Gotham"}).status_code == 422


# --- dedupe ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"title": "  COMMUNITY   manager "},
        {"company": "coworking  studio"},
        {"external_url": "HTTPS://EXAMPLE.COM/careers/cm"},
        {"external_url": " https://example.com/careers/cm?ref=coworkiesjobs "},
        {"external_url": "https://example.com/careers/cm?ref=newsletter"},
        {"city_name": "berlin"},
    ],
)
def test_the_same_job_normalised_is_updated_not_duplicated(cwk, cities, space, variant):
    client = cwk(space=space)
    first = post(client, SPEC_BODY).json()["data"]
    response = post(client, {**SPEC_BODY, **variant, "description": "Updated description.", "sal_max": 50000})
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["action"] == "updated"
    assert data["job_id"] == first["job_id"]
    assert data["dedupe_hash"] == first["dedupe_hash"]
    assert data["hash_identifier"] == first["hash_identifier"]
    assert data["message"] == "Job updated and published successfully."
    job = Job.objects.get()
    assert job.description == "Updated description." and job.sal_max == 50000


@pytest.mark.parametrize(
    "variant",
    [{"title": "Community Lead"}, {"company": "Other Studio"}, {"city_name": "Lisbon"}, {"external_url": ""}],
)
def test_a_different_fingerprint_is_a_new_job(cwk, cities, variant):
    client = cwk()
    post(client, SPEC_BODY)
    assert post(client, {**SPEC_BODY, **variant}).json()["data"]["action"] == "created"
    assert Job.objects.count() == 2


def test_a_repost_relists_an_expired_job(cwk, cities):
    client = cwk()
    job_id = post(client, SPEC_BODY).json()["data"]["job_id"]
    Job.objects.filter(pk=job_id).update(status="expired")
    data = post(client, SPEC_BODY).json()["data"]
    assert data["action"] == "updated" and data["status"] == "active"


def test_another_spaces_identical_job_is_forbidden(cwk, cities, space, other_space):
    post(cwk(space=space), SPEC_BODY)
    response = post(cwk(space=other_space), SPEC_BODY)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Job.objects.get().space == space


def test_an_unbound_key_never_takes_a_spaces_job_out_of_its_space(cwk, cities, space):
    bound = cwk(space=space)
    job_id = post(bound, SPEC_BODY).json()["data"]["job_id"]
    unbound = cwk()
    unbound.credentials(HTTP_X_API_KEY=make_key(owner=bound.owner, scopes=["write"], prefix=LIVE)[1])
    response = post(unbound, SPEC_BODY)  # the same account, no space named: its own job, updated
    assert response.json()["data"]["action"] == "updated"
    assert Job.objects.get(pk=job_id).space == space
    assert bound.get(f"{URL}/{job_id}").status_code == 200


def test_another_accounts_identical_job_outside_any_space_is_a_conflict(cwk, cities):
    post(cwk(), SPEC_BODY)
    response = post(cwk(), SPEC_BODY)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_another_key_of_the_same_space_updates_the_spaces_job(cwk, cities, space):
    post(cwk(space=space), SPEC_BODY)
    assert post(cwk(space=space), SPEC_BODY).json()["data"]["action"] == "updated"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_posts_make_one_job(cwk, cities, space):
    client = cwk(space=space)
    results, barrier = [], threading.Barrier(6)

    def send():
        try:
            barrier.wait()
            results.append(post(client, SPEC_BODY))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [response.status_code for response in results] == [201] * 6
    actions = sorted(response.json()["data"]["action"] for response in results)
    assert actions == ["created"] + ["updated"] * 5
    assert Job.objects.count() == 1
    assert {response.json()["data"]["job_id"] for response in results} == {Job.objects.get().pk}


# --- keys, idempotency, errors -----------------------------------------------------------------


def test_a_restricted_key_cannot_post(cwk, cities):
    response = post(cwk(("read", "write", "jobs:write"), prefix=RESTRICTED), QUICK_START_BODY)
    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "status": 403,
        "error": {"code": "forbidden", "message": "Restricted (cwk_rstr_) keys are read-only."},
    }
    assert not Job.objects.exists()


@pytest.mark.parametrize("scopes", [("jobs:write",), ("write",)])
def test_jobs_write_or_write_may_post(cwk, cities, scopes):
    assert post(cwk(scopes), QUICK_START_BODY).status_code == 201


@pytest.mark.parametrize("scopes", [("read",), ("jobs:read",), ("spaces:read", "events:read")])
def test_read_scopes_may_not_post(cwk, cities, scopes):
    response = post(cwk(scopes), QUICK_START_BODY)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Missing required scope: jobs:write or write"


def test_an_idempotency_key_replays_the_first_answer(cwk, cities):
    client = cwk()
    first = post(client, QUICK_START_BODY, HTTP_IDEMPOTENCY_KEY="job-1")
    again = post(client, QUICK_START_BODY, HTTP_IDEMPOTENCY_KEY="job-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert again.json()["data"]["action"] == "created"
    other = post(client, {**QUICK_START_BODY, "title": "Else"}, HTTP_IDEMPOTENCY_KEY="job-1")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "conflict"
    assert Job.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


def test_malformed_json_is_a_400(cwk, cities):
    response = cwk().post(URL, b'{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("body", [[], ["title"], "text", 42])
def test_a_body_that_is_not_an_object_is_a_422(cwk, body):
    response = cwk().post(URL, body, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_a_nul_character_is_a_400_not_a_500(cwk, cities):
    response = post(cwk(), {**QUICK_START_BODY, "title": "bad\u0000title"})
    assert response.status_code == 400


def test_an_unsupported_method_is_a_405(cwk):
    response = cwk().delete(URL)
    assert response.status_code == 405
    assert response.json() == {
        "success": False,
        "status": 405,
        "error": {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.'},
    }


def test_the_key_may_be_sent_as_a_bearer_token_or_in_the_query(cwk, cities, api_client):
    client = cwk()
    bearer = api_client.post(URL, QUICK_START_BODY, format="json", HTTP_AUTHORIZATION=f"Bearer {client.raw_key}")
    assert bearer.status_code == 201
    query = api_client.post(f"{URL}?api_key={client.raw_key}", {**QUICK_START_BODY, "title": "B"}, format="json")
    assert query.status_code == 201


def test_a_missing_key_is_a_401(api_client):
    response = api_client.post(URL, QUICK_START_BODY, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_jobs_factory_rows_are_not_deduped_against_posted_ones(cwk, cities):
    JobFactory(city=cities["berlin"])
    assert post(cwk(), SPEC_BODY).json()["data"]["action"] == "created"
