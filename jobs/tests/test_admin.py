"""The directory's admin screens: lists and forms load, moderation actions go through the
services, the blog preview renders sanitised HTML, subscriptions export as CSV."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import City, Feedback, Job, NewsletterSubscription, Space
from jobs.tests.factories import BlogPostFactory, CityFactory, EventFactory, JobFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db

MODELS = ["city", "space", "plan", "job", "event", "blogpost", "blogcategory", "blogtag", "blogauthor"]
MODELS += ["feedback", "newslettersubscription"]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_add_page_loads(admin_client, model):
    assert admin_client.get(reverse(f"admin:jobs_{model}_changelist")).status_code == 200
    if model != "feedback":
        assert admin_client.get(reverse(f"admin:jobs_{model}_add")).status_code == 200


def test_the_change_pages_load(admin_client, cities, space):
    job = JobFactory(city=cities["berlin"], space=space)
    for model, pk in [("job", job.pk), ("space", space.pk), ("event", EventFactory(space=space).pk)]:
        assert admin_client.get(reverse(f"admin:jobs_{model}_change", args=[pk])).status_code == 200


def _action(admin_client, model, action, objects):
    return admin_client.post(
        reverse(f"admin:jobs_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )


def test_confirm_cities_and_spaces(admin_client):
    city = CityFactory(is_confirmed=False)
    space = SpaceFactory(city=city, is_confirmed=False)
    _action(admin_client, "city", "confirm", [city])
    _action(admin_client, "space", "confirm", [space])
    assert City.objects.get(pk=city.pk).is_confirmed and Space.objects.get(pk=space.pk).is_confirmed


def test_moderation_actions(admin_client, cities):
    draft = JobFactory(city=cities["berlin"], status="draft", is_paid=False, plan=PlanFactory(expiration_days=60))
    active = JobFactory(city=cities["berlin"])
    _action(admin_client, "job", "publish", [draft])
    draft.refresh_from_db()
    assert draft.status == "active" and draft.is_paid
    assert (draft.expiration_date - draft.published_at).days == 60
    _action(admin_client, "job", "unpublish", [draft])
    _action(admin_client, "job", "expire", [active])
    assert list(Job.objects.order_by("pk").values_list("status", flat=True)) == ["draft", "expired"]


def test_adding_a_job_applies_the_api_rules(admin_client, cities):
    response = admin_client.post(
        reverse("admin:jobs_job_add"),
        {
            "title": "Barista",
            "company": "Cafe",
            "description": "<p>Coffee</p><script>x</script>",
            "job_type": "parttime",
            "tags": "Coffee, coffee ,Service",
            "city": cities["lisbon"].pk,
            "external_url": "https://example.com/barista",
            "currency": "EUR",
            "plan": 5,
        },
    )
    assert response.status_code == 302, response.content
    job = Job.objects.get()
    assert job.description == "<p>Coffee</p>" and job.tags == "coffee,service"
    assert job.external_url == "https://example.com/barista?ref=coworkiesjobs"
    assert job.status == "active" and len(job.dedupe_hash) == 64 and len(job.hash_identifier) == 32
    assert job.slug == "barista"


def test_the_blog_preview_renders_the_sanitised_body(admin_client):
    post = BlogPostFactory(body='<h2>Hi</h2><script>alert(1)</script><a href="javascript:x">l</a>')
    response = admin_client.get(reverse("admin:jobs_blogpost_preview", args=[post.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Hi</h2>" in html and "alert(1)" not in html and "javascript:" not in html
    assert admin_client.get(reverse("admin:jobs_blogpost_preview", args=[post.pk + 1])).status_code == 404


def test_feedback_can_be_marked_read(admin_client):
    feedback = Feedback.objects.create(message="Hello")
    _action(admin_client, "feedback", "mark_read", [feedback])
    assert Feedback.objects.get().is_read


def test_subscriptions_export_as_csv_without_formulas(admin_client):
    rows = [
        NewsletterSubscription.objects.create(email="ana@example.com", token="t1", is_confirmed=True, source="footer"),
        NewsletterSubscription.objects.create(email="bob@example.com", token="t2", source="=HYPERLINK(1)"),
    ]
    response = _action(admin_client, "newslettersubscription", "export_csv", rows)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "email,is_confirmed,confirmed_at,unsubscribed_at,source,created_at"
    assert lines[1].startswith("ana@example.com,True,,,footer,")
    assert lines[2].startswith("bob@example.com,False,,,'=HYPERLINK(1),")
