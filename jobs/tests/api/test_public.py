"""The public endpoints: ``POST /v2/feedback`` and ``POST /v2/newsletters/subscribe`` (no key,
limited per IP), and the pages the newsletter emails link to."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from jobs.models import Feedback, NewsletterSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks_inline(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


# --- feedback ----------------------------------------------------------------------------------


def test_feedback_is_accepted_as_json(api_client):
    response = api_client.post(
        "/v2/feedback",
        {"message": "Love the board!", "email": "ana@example.com", "url": "https://x.test/jobs", "category": "ux"},
        format="json",
        HTTP_USER_AGENT="Mozilla/5.0",
    )
    assert response.status_code == 201
    assert response.json() == {
        "success": True,
        "status": 201,
        "data": {"received": True},
        "message": "Thank you for your feedback.",
    }
    feedback = Feedback.objects.get()
    assert (feedback.message, feedback.email, feedback.url, feedback.category) == (
        "Love the board!",
        "ana@example.com",
        "https://x.test/jobs",
        "ux",
    )
    assert feedback.ip == "127.0.0.1" and feedback.user_agent == "Mozilla/5.0" and not feedback.is_read


def test_feedback_is_accepted_form_encoded(api_client):
    response = api_client.post("/v2/feedback", {"message": "Hello"}, format="multipart")
    assert response.status_code == 201
    response = api_client.post(
        "/v2/feedback", "message=Hi+there&category=bug", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 201
    assert Feedback.objects.filter(message="Hi there", category="bug").exists()


def test_a_stale_key_sent_by_habit_does_not_matter(api_client):
    response = api_client.post("/v2/feedback", {"message": "x"}, format="json", HTTP_X_API_KEY="cwk_live_revoked")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Feedback message is required"),
        ({"message": "   "}, "Feedback message is required"),
        ({"message": "x", "email": "nope"}, "Enter a valid email address."),
        ({"message": "x" * 5001}, "message: Ensure this field has no more than 5000 characters."),
        ({"message": "x", "url": "u" * 501}, "url: Ensure this field has no more than 500 characters."),
        ({"message": "x", "category": "c" * 51}, "category: Ensure this field has no more than 50 characters."),
        ({"message": "x", "email": "a" * 250 + "@b.cd"}, "email: Ensure this field has no more than 254 characters."),
    ],
)
def test_feedback_is_validated_with_a_cap_on_every_field(api_client, body, message):
    response = api_client.post("/v2/feedback", body, format="json")
    assert response.status_code == 422
    assert message in response.json()["error"]["details"]
    assert not Feedback.objects.exists()


def test_a_nul_character_in_a_form_is_refused(api_client):
    response = api_client.post("/v2/feedback", "message=a%00b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert not Feedback.objects.exists()


def test_feedback_is_limited_per_ip(api_client):
    statuses = [api_client.post("/v2/feedback", {"message": f"m{n}"}, format="json").status_code for n in range(6)]
    assert statuses == [201] * 5 + [429]
    response = api_client.post("/v2/feedback", {"message": "again"}, format="json")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    other_ip = api_client.post("/v2/feedback", {"message": "x"}, format="json", REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 201


def test_feedback_only_accepts_post(api_client):
    response = api_client.get("/v2/feedback")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- newsletter --------------------------------------------------------------------------------

SUBSCRIBED = {
    "success": True,
    "status": 200,
    "data": {"email": "ana@example.com"},
    "message": "Thanks! If this address is not subscribed yet, a confirmation email is on its way.",
}


def subscribe(client, email="ana@example.com", **extra):
    return client.post("/v2/newsletters/subscribe", {"email": email, **extra}, format="json")


def test_subscribing_sends_a_double_opt_in_email(api_client, tasks_inline, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(api_client, "Ana@Example.com ", source="footer")
    assert response.status_code == 200
    assert response.json() == SUBSCRIBED
    subscription = NewsletterSubscription.objects.get()
    assert subscription.email == "ana@example.com" and subscription.source == "footer"
    assert not subscription.is_confirmed
    [email] = mail.outbox
    assert email.to == ["ana@example.com"]
    confirm = f"http://testserver/newsletters/confirm/{subscription.token}"
    unsubscribe = f"http://testserver/newsletters/unsubscribe/{subscription.token}"
    assert confirm in email.body and unsubscribe in email.body
    assert email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"


def test_the_answer_never_tells_whether_an_address_was_known(
    api_client, tasks_inline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = subscribe(api_client)
        pending_again = subscribe(api_client)
    NewsletterSubscription.objects.update(is_confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_again = subscribe(api_client)
    assert new.status_code == pending_again.status_code == confirmed_again.status_code == 200
    assert new.json() == pending_again.json() == confirmed_again.json() == SUBSCRIBED
    assert NewsletterSubscription.objects.count() == 1
    # One email: a second request within ten minutes is not re-sent, a confirmed address gets none.
    assert len(mail.outbox) == 1


def test_the_confirmation_link_shows_a_button_and_the_post_confirms(api_client):
    subscribe(api_client)
    subscription = NewsletterSubscription.objects.get()
    url = f"/newsletters/confirm/{subscription.token}"
    page = api_client.get(url)
    assert page.status_code == 200 and b"<form" in page.content
    subscription.refresh_from_db()
    assert not subscription.is_confirmed  # a link scanner's GET changes nothing
    done = api_client.post(url)
    assert done.status_code == 200 and b"subscription is confirmed" in done.content
    subscription.refresh_from_db()
    assert subscription.is_confirmed and subscription.confirmed_at is not None


def test_unsubscribing_and_coming_back(api_client, tasks_inline, django_capture_on_commit_callbacks):
    subscribe(api_client)
    subscription = NewsletterSubscription.objects.get()
    api_client.post(f"/newsletters/confirm/{subscription.token}")
    one_click = api_client.post(
        f"/newsletters/unsubscribe/{subscription.token}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None and not subscription.is_subscribed
    NewsletterSubscription.objects.update(confirmation_sent_at=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert subscribe(api_client).json() == SUBSCRIBED
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None and not subscription.is_confirmed  # confirms again
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("path", ["/newsletters/confirm/unknown", "/newsletters/unsubscribe/" + "x" * 80])
def test_an_unknown_token_changes_nothing(api_client, path):
    response = api_client.post(path)
    assert response.status_code in (200, 404)
    assert b"not valid" in response.content


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Email is required"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "a@b.cd", "source": "s" * 101}, "source: Ensure this field has no more than 100 characters."),
    ],
)
def test_subscribing_is_validated(api_client, body, message):
    response = api_client.post("/v2/newsletters/subscribe", body, format="json")
    assert response.status_code == 422
    assert message in response.json()["error"]["details"]


def test_subscribing_accepts_a_form(api_client):
    response = api_client.post(
        "/v2/newsletters/subscribe", "email=ana%40example.com", content_type="application/x-www-form-urlencoded"
    )
    assert response.json() == SUBSCRIBED


def test_subscribing_is_limited_per_ip(api_client):
    statuses = [subscribe(api_client, f"a{n}@example.com").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]


def test_the_email_template_renders_both_links(api_client, tasks_inline, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(api_client)
    links = re.findall(r"http://testserver/newsletters/\w+/[\w-]+", mail.outbox[0].body)
    assert [link.split("/")[4] for link in links] == ["confirm", "unsubscribe"]
