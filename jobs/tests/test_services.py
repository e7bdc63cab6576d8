"""The directory's services and normalisation, without HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from coliving.api.errors import InvalidInput
from jobs import normalise, services
from jobs.models import Job
from jobs.tests.factories import JobFactory

FINGERPRINT = {"title": "Community Manager", "company": "Coworking Studio", "city_id": 42}


@pytest.mark.parametrize(
    "title, company, url",
    [
        ("Community Manager", "Coworking Studio", "https://example.com/careers/cm"),
        ("  community   MANAGER ", "COWORKING studio", "HTTPS://Example.com/careers/cm"),
        ("Community\tManager", "Coworking  Studio", " https://example.com/careers/cm?ref=coworkiesjobs "),
        ("Community Manager", "Coworking Studio", "https://example.com/careers/cm?ref=twitter"),
    ],
)
def test_the_fingerprint_ignores_case_spacing_and_ref(title, company, url):
    expected = normalise.dedupe_hash(**FINGERPRINT, external_url="https://example.com/careers/cm")
    assert normalise.dedupe_hash(title=title, company=company, city_id=42, external_url=url) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Community Lead"},
        {"company": "Other"},
        {"city_id": 43},
        {"external_url": "https://example.com/careers/cm?id=2"},
        {"external_url": "https://example.com/careers/other"},
    ],
)
def test_the_fingerprint_changes_with_each_part(change):
    base = {**FINGERPRINT, "external_url": "https://example.com/careers/cm"}
    assert normalise.dedupe_hash(**{**base, **change}) != normalise.dedupe_hash(**base)


def test_the_fingerprint_is_sha256_hex():
    value = normalise.dedupe_hash(**FINGERPRINT, external_url="")
    assert len(value) == 64 and int(value, 16) >= 0


@given(st.lists(st.text(alphabet="abcAB ,-", max_size=8), max_size=8))
def test_tags_are_idempotent_lowercase_and_unique(parts):
    once = normalise.tags(",".join(parts))
    assert normalise.tags(once) == once
    tags = once.split(",") if once else []
    assert len(tags) == len(set(tags)) and all(tag == tag.lower().strip() and tag for tag in tags)


@given(st.text(max_size=200))
def test_sanitised_html_is_stable_and_never_scripted(value):
    cleaned = normalise.sanitise(value)
    assert normalise.sanitise(cleaned) == cleaned
    assert "<script" not in cleaned.lower() and "javascript:" not in cleaned.lower().replace(" ", "")


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("52.520000"), "52.5200"),
        (Decimal("-9.139300"), "-9.1393"),
        (Decimal("52.123456"), "52.123456"),
        (None, None),
    ],
)
def test_coordinates_keep_at_least_four_decimals(value, expected):
    assert normalise.coordinate(value) == expected


@pytest.mark.django_db
def test_city_resolve_names_the_candidates(cities):
    with pytest.raises(InvalidInput) as caught:
        services.city_resolve(name="San")
    [error] = caught.value.errors
    assert error.path == ("city_name",) and error.code == "ambiguous"
    assert "San Francisco" in error.message and "San Sebastián" in error.message
    assert services.city_resolve(name="SAN FRANCISCO") == cities["san-francisco"]


@pytest.mark.django_db
def test_the_expire_command_and_task(cities, capsys):
    JobFactory(city=cities["berlin"], expiration_date=timezone.now() - timedelta(hours=1))
    call_command("expire_jobs")
    assert "1 job(s) expired." in capsys.readouterr().out
    assert Job.objects.get().status == "expired"
    call_command("expire_jobs", "--enqueue")  # the dummy backend of the tests takes it


@pytest.mark.django_db
def test_posting_schedules_the_expiry_sweep_once_a_day(cities, django_capture_on_commit_callbacks, monkeypatch):
    from jobs import tasks

    queued = []

    class Task:
        def enqueue(self):
            queued.append(1)

    monkeypatch.setattr(tasks, "jobs_expire", Task())
    body = {"description": "d", "job_type": "fulltime", "tags": "t", "city_id": cities["berlin"].pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.job_post(owner=None, key_space_id=None, title="A", company="C", **body)
        services.job_post(owner=None, key_space_id=None, title="B", company="C", **body)
    assert queued == [1]
