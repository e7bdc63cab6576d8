"""Writes of the directory: posting, changing, unpublishing and expiring jobs; city
resolution; feedback; newsletter double opt-in; staff moderation (used by the admin).

The rules are the Coworkies spec's "Create Job" (``shared/spec/coworkies-api.txt``) and
``shared/spec/reference-notes.md``: the plan decides a job's status, a fingerprint of the
normalised title, company, city and source URL dedupes postings (one job per fingerprint,
a unique constraint; a second identical post updates the first), descriptions are
sanitised, tags normalised, ``?ref=coworkiesjobs`` appended to the source URL.

Services take domain values and raise domain errors (``coliving.api.errors``) with domain
paths (``city_id``, ``space_id``, ``plan_id``); the views' input serializers name them on
the wire.
"""

from __future__ import annotations

import difflib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from coliving.api.errors import Conflict, FieldError, Forbidden, InvalidInput
from jobs import normalise
from jobs.models import FREE_PLAN_ID, City, Feedback, Job, NewsletterSubscription, Plan, Space

MAX_CITY_CANDIDATES = 10
# Fields whose change moves a job's fingerprint.
FINGERPRINT_FIELDS = ("title", "company", "city", "external_url")
# What PATCH /v2/jobs/{id} may change (domain names).
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "company",
        "description",
        "job_type",
        "tags",
        "city_id",
        "city_name",
        "external_url",
        "apply_url",
        "is_remote",
        "inv_email",
        "currency",
        "sal_min",
        "sal_max",
    }
)
NEWSLETTER_RESEND_AFTER = timedelta(minutes=10)


# --- cities ----------------------------------------------------------------------------------


def _candidates(cities: list[City]) -> str:
    return ", ".join(f"{city.name} (id {city.pk})" for city in cities[:MAX_CITY_CANDIDATES])


def city_resolve(*, name: str) -> City:
    """The confirmed city ``name`` means: an exact case- and accent-insensitive match first,
    then a unique prefix. Several matches, or none, is an error naming the candidates."""
    folded = normalise.fold(name)
    if not folded:
        raise InvalidInput.single("city_name", "City name is required")
    confirmed = City.objects.confirmed().order_by("name", "pk")
    exact = list(confirmed.filter(search_name=folded)[: MAX_CITY_CANDIDATES + 1])
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise InvalidInput.single(
            "city_name", f"City name '{name}' is ambiguous; use id_city: {_candidates(exact)}", "ambiguous"
        )
    prefixed = list(confirmed.filter(search_name__startswith=folded)[: MAX_CITY_CANDIDATES + 1])
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        more = " …" if len(prefixed) > MAX_CITY_CANDIDATES else ""
        raise InvalidInput.single(
            "city_name",
            f"City name '{name}' is ambiguous; use id_city or a longer name: {_candidates(prefixed)}{more}",
            "ambiguous",
        )
    names = dict(confirmed.values_list("search_name", "name"))
    close = difflib.get_close_matches(folded, list(names), n=5, cutoff=0.6)
    hint = f"; did you mean: {', '.join(names[match] for match in close)}?" if close else ""
    raise InvalidInput.single("city_name", f"City '{name}' not found{hint}", "unknown_city")


def _city(*, city_id: int | None, city_name: str | None) -> City:
    if city_id is not None:
        city = City.objects.confirmed().filter(pk=city_id).first()
        if city is None:
            raise InvalidInput.single("city_id", f"City {city_id} not found", "unknown_city")
        return city
    if city_name:
        return city_resolve(name=city_name)
    raise InvalidInput.single("city_id", "City ID is required", "required")


# --- jobs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobPosted:
    job: Job
    action: str  # "created" | "updated"

    @property
    def message(self) -> str:
        verb = "created" if self.action == "created" else "updated"
        if self.job.status == Job.Status.ACTIVE:
            return f"Job {verb} and published successfully."
        return f"Job {verb} as a draft; it is published once the plan is paid."


def _contact_email(value: str | None) -> str:
    """``value`` if it is a valid address, else the default contact address (the spec:
    "Invalid inv_email falls back to a default")."""
    value = (value or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        return settings.JOBS_DEFAULT_CONTACT_EMAIL
    return value


def _clean_content(values: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Normalise the free-text fields present in ``values``; collect what is left invalid."""
    errors: list[FieldError] = []
    out = dict(values)
    for name, label in (("title", "Job title"), ("company", "Company name")):
        if name in out:
            out[name] = normalise.collapse(out[name])
            if not out[name]:
                errors.append(FieldError((name,), f"{label} is required", "required"))
    if "description" in out:
        out["description"] = normalise.sanitise(out["description"])
        if not normalise.text_of(out["description"]).strip():
            errors.append(FieldError(("description",), "Job description is required", "required"))
    if "tags" in out:
        out["tags"] = normalise.tags(out["tags"])
        if not out["tags"]:
            errors.append(FieldError(("tags",), "At least one tag is required", "required"))
        elif len(out["tags"]) > Job._meta.get_field("tags").max_length:
            errors.append(FieldError(("tags",), "Tags are too long (500 characters at most)", "max_length"))
    if "external_url" in out:
        out["external_url"] = normalise.with_ref(out["external_url"]) if out["external_url"] else ""
        if len(out["external_url"]) > Job._meta.get_field("external_url").max_length:
            errors.append(FieldError(("external_url",), "external_url is too long", "max_length"))
    if "apply_url" in out:
        out["apply_url"] = (out["apply_url"] or "").strip()
    if "inv_email" in out:
        out["inv_email"] = _contact_email(out["inv_email"])
    if "currency" in out:
        out["currency"] = (out["currency"] or "EUR").upper()
    return out, errors


def _salary_errors(sal_min: int | None, sal_max: int | None) -> list[FieldError]:
    if sal_min is not None and sal_max is not None and sal_min > sal_max:
        return [FieldError(("sal_min",), "sal_min cannot exceed sal_max", "salary_range")]
    return []


def _fingerprint(job: Job) -> str:
    return normalise.dedupe_hash(
        title=job.title, company=job.company, city_id=job.city_id, external_url=job.external_url
    )


def _publish(job: Job, now) -> None:
    job.status = Job.Status.ACTIVE
    job.published_at = now
    job.expiration_date = now + timedelta(days=job.plan.expiration_days)


def _settle_status(job: Job, now) -> None:
    """The plan decides: a listed job stays listed; otherwise a free (or paid-for) plan
    publishes it for the plan's days, and a plan still to be paid leaves it a draft."""
    if job.status == Job.Status.ACTIVE and job.expiration_date and job.expiration_date > now:
        return
    if job.plan.is_free:
        job.is_paid = True
    if job.is_paid:
        _publish(job, now)
    else:
        job.status = Job.Status.DRAFT
        job.published_at = None
        job.expiration_date = None


def _space_for(*, key_space_id: int | None, space_id: int | None) -> Space | None:
    if key_space_id is not None:
        if space_id is not None and space_id != key_space_id:
            raise Forbidden("This API key is bound to a space and can only post jobs for it.")
        space_id = key_space_id
    if space_id is None:
        return None
    space = Space.objects.filter(pk=space_id, is_confirmed=True).first()
    if space is None:
        raise InvalidInput.single("space_id", f"Space {space_id} does not exist or is not confirmed", "unknown_space")
    return space


def _plan(plan_id: int) -> Plan:
    plan = Plan.objects.filter(pk=plan_id, is_active=True).first()
    if plan is None:
        raise InvalidInput.single("plan_id", f"Plan {plan_id} does not exist or is not active", "inactive_plan")
    return plan


@transaction.atomic
def job_post(
    *,
    owner,
    key_space_id: int | None,
    title: str,
    company: str,
    description: str,
    job_type: str,
    tags: str,
    city_id: int | None = None,
    city_name: str | None = None,
    external_url: str = "",
    apply_url: str = "",
    is_remote: bool = False,
    inv_email: str | None = None,
    currency: str = "EUR",
    sal_min: int | None = None,
    sal_max: int | None = None,
    space_id: int | None = None,
    plan_id: int = FREE_PLAN_ID,
) -> JobPosted:
    """Create a job, or update the one with the same fingerprint (``action="updated"``).

    ``owner`` and ``key_space_id`` are the posting key's owner and bound space: a key bound
    to a space posts for that space only. A fingerprint match in a space the key may not
    manage is a 403 (another space's data); one another account posted, outside any space,
    is a 409. An update never moves a job out of its space. Concurrent identical posts make
    one job: the unique fingerprint lets one insert win and the others update it.
    """
    content, errors = _clean_content(
        {
            "title": title,
            "company": company,
            "description": description,
            "tags": tags,
            "external_url": external_url,
            "apply_url": apply_url,
            "inv_email": inv_email,
            "currency": currency,
        }
    )
    errors += _salary_errors(sal_min, sal_max)
    city = plan = None
    try:
        city = _city(city_id=city_id, city_name=city_name)
    except InvalidInput as exc:
        errors += exc.errors
    try:
        plan = _plan(plan_id)
    except InvalidInput as exc:
        errors += exc.errors
    space = _space_for(key_space_id=key_space_id, space_id=space_id)
    if errors:
        raise InvalidInput(errors)

    now = timezone.now()
    values = {
        **content,
        "job_type": job_type,
        "is_remote": is_remote,
        "sal_min": sal_min,
        "sal_max": sal_max,
        "city": city,
        "space": space,
        "plan": plan,
    }
    fingerprint = normalise.dedupe_hash(
        title=content["title"], company=content["company"], city_id=city.pk, external_url=content["external_url"]
    )
    existing = Job.objects.select_for_update().filter(dedupe_hash=fingerprint).first()
    if existing is None:
        job = Job(
            **values,
            slug=slugify(content["title"])[:100].strip("-") or "job",
            owner=owner,
            dedupe_hash=fingerprint,
            hash_identifier=secrets.token_hex(16),
            date_added=now,
        )
        _settle_status(job, now)
        try:
            with transaction.atomic():
                job.save(force_insert=True)
        except IntegrityError:
            # A concurrent identical post committed first: update its job instead.
            existing = Job.objects.select_for_update().filter(dedupe_hash=fingerprint).first()
            if existing is None:
                raise
        else:
            _schedule_expiry()
            return JobPosted(job, "created")
    managed = Job.objects.managed_by(owner=owner, space_id=key_space_id)
    if not managed.filter(pk=existing.pk).exists():
        if existing.space_id is not None:
            # The spec: another space's data is 403, whoever asks.
            raise Forbidden("An identical job (same title, company, city and source URL) belongs to another space")
        raise Conflict("An identical job (same title, company, city and source URL) was posted by another account")
    if space is None:
        del values["space"]  # a post that names no space never takes a job out of its space
    for name, value in values.items():
        setattr(existing, name, value)
    _settle_status(existing, now)
    existing.save()
    return JobPosted(existing, "updated")


@transaction.atomic
def job_update(*, job: Job, changes: dict[str, Any]) -> Job:
    """Change an existing job's content (``EDITABLE_FIELDS``); its status, plan and space stay.
    A change that gives it another job's fingerprint is a 409."""
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(FieldError((name,), f"{name} cannot be changed", "read_only") for name in unknown)
    job = Job.objects.select_for_update().select_related("plan").get(pk=job.pk)
    content, errors = _clean_content(
        {name: value for name, value in changes.items() if name not in ("city_id", "city_name")}
    )
    if "city_id" in changes or "city_name" in changes:
        try:
            content["city"] = _city(city_id=changes.get("city_id"), city_name=changes.get("city_name"))
        except InvalidInput as exc:
            errors += exc.errors
    errors += _salary_errors(content.get("sal_min", job.sal_min), content.get("sal_max", job.sal_max))
    if errors:
        raise InvalidInput(errors)
    for name, value in content.items():
        setattr(job, name, value)
    if "title" in content:
        job.slug = slugify(job.title)[:100].strip("-") or "job"
    job.dedupe_hash = _fingerprint(job)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        raise Conflict("Another job has the same title, company, city and source URL") from None
    return job


def job_prepare_for_save(*, job: Job) -> None:
    """Staff edits (the admin): the same normalisation as the API — sanitised description,
    normalised tags, ``?ref=coworkiesjobs``, a fresh fingerprint — and, for a new job, its
    secret, its date and the status its plan decides. A fingerprint another job has is a
    ``ValidationError`` on the form."""
    content, errors = _clean_content(
        {
            "title": job.title,
            "company": job.company,
            "description": job.description,
            "tags": job.tags,
            "external_url": job.external_url,
            "apply_url": job.apply_url,
            "inv_email": job.inv_email,
            "currency": job.currency,
        }
    )
    errors += _salary_errors(job.sal_min, job.sal_max)
    if errors:
        raise ValidationError({error.path[0]: error.message for error in errors})
    for name, value in content.items():
        setattr(job, name, value)
    job.slug = slugify(job.title)[:100].strip("-") or "job"
    job.dedupe_hash = _fingerprint(job)
    if Job.objects.filter(dedupe_hash=job.dedupe_hash).exclude(pk=job.pk).exists():
        raise ValidationError("Another job has the same title, company, city and source URL.")
    if job.pk is None:
        now = timezone.now()
        job.hash_identifier = secrets.token_hex(16)
        job.date_added = now
        _settle_status(job, now)


@transaction.atomic
def job_unpublish(*, job: Job) -> Job:
    """Take a listed job off the board (a draft again); a draft or expired job stays as it is."""
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.ACTIVE).update(
        status=Job.Status.DRAFT, date_updated=timezone.now()
    )
    if updated:
        job.refresh_from_db()
    return job


@transaction.atomic
def job_publish(*, job: Job) -> Job:
    """Staff moderation: list the job now for its plan's days (marks it paid)."""
    job = Job.objects.select_for_update().select_related("plan").get(pk=job.pk)
    job.is_paid = True
    _publish(job, timezone.now())
    job.save()
    return job


@transaction.atomic
def job_expire(*, job: Job) -> Job:
    """Staff moderation: take a job off the board as expired (history kept, can be relisted)."""
    Job.objects.filter(pk=job.pk).update(status=Job.Status.EXPIRED, date_updated=timezone.now())
    job.refresh_from_db()
    return job


@transaction.atomic
def jobs_expire_due(*, now=None) -> int:
    """Mark every active job past its ``expiration_date`` expired; return how many."""
    now = now or timezone.now()
    return Job.objects.due_to_expire(now).update(status=Job.Status.EXPIRED, date_updated=now)


def _schedule_expiry() -> None:
    """Enqueue the expiry sweep at most once a day while jobs are being posted; the list
    hides jobs past their date either way, the sweep keeps ``status`` truthful."""
    from django.core.cache import cache

    if cache.add("jobs:expire-scheduled", 1, timeout=24 * 3600):
        from jobs.tasks import jobs_expire

        transaction.on_commit(jobs_expire.enqueue)


# --- spaces and cities (staff) ---------------------------------------------------------------


def spaces_confirm(*, spaces) -> int:
    return Space.objects.filter(pk__in=[space.pk for space in spaces]).update(is_confirmed=True)


def cities_confirm(*, cities) -> int:
    return City.objects.filter(pk__in=[city.pk for city in cities]).update(is_confirmed=True)


# --- feedback and newsletter -----------------------------------------------------------------


def feedback_submit(
    *, message: str, email: str = "", url: str = "", category: str = "", ip: str | None, user_agent: str = ""
) -> Feedback:
    message = message.strip()
    if not message:
        raise InvalidInput.single("message", "Feedback message is required", "required")
    return Feedback.objects.create(
        message=message,
        email=email.strip(),
        url=url.strip(),
        category=normalise.collapse(category),
        ip=ip,
        user_agent=user_agent[:300],
    )


@transaction.atomic
def newsletter_subscribe(*, email: str, source: str = "", links_base: str) -> NewsletterSubscription:
    """Start (or restart) the double opt-in for ``email``: the confirmation email goes out
    after the commit, through a task. The caller's answer must not depend on what happened
    here: a known address, confirmed or not, looks the same as a new one.

    A confirmed subscriber gets no email; an unconfirmed one gets the confirmation again,
    at most once per ``NEWSLETTER_RESEND_AFTER`` (no one can flood an inbox through us).
    """
    email = email.strip().lower()
    now = timezone.now()
    subscription, created = NewsletterSubscription.objects.select_for_update().get_or_create(
        email=email, defaults={"token": secrets.token_urlsafe(32), "source": source[:100]}
    )
    if not created and subscription.is_subscribed:
        return subscription
    if subscription.unsubscribed_at is not None:  # coming back: confirm again
        subscription.unsubscribed_at = None
        subscription.is_confirmed = False
        subscription.confirmed_at = None
    sent = subscription.confirmation_sent_at
    if sent is not None and sent > now - NEWSLETTER_RESEND_AFTER:
        subscription.save()
        return subscription
    subscription.confirmation_sent_at = now
    subscription.save()
    from jobs.tasks import newsletter_confirmation_send

    pk = subscription.pk
    transaction.on_commit(lambda: newsletter_confirmation_send.enqueue(pk, links_base))
    return subscription


def newsletter_confirmation_email(*, subscription: NewsletterSubscription, links_base: str) -> None:
    """Send the confirmation email with its confirm and unsubscribe links (the latter also
    as RFC 8058 one-click ``List-Unsubscribe`` headers)."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    confirm_url = f"{links_base}/newsletters/confirm/{subscription.token}"
    unsubscribe_url = f"{links_base}/newsletters/unsubscribe/{subscription.token}"
    EmailMessage(
        subject="Confirm your newsletter subscription",
        body=render_to_string(
            "jobs/newsletter_confirm_email.txt", {"confirm_url": confirm_url, "unsubscribe_url": unsubscribe_url}
        ),
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    ).send()


def newsletter_confirm(*, token: str) -> NewsletterSubscription | None:
    subscription = NewsletterSubscription.objects.filter(token=token).first()
    if subscription is None:
        return None
    if not subscription.is_confirmed or subscription.unsubscribed_at is not None:
        now = timezone.now()
        NewsletterSubscription.objects.filter(pk=subscription.pk).update(
            is_confirmed=True, confirmed_at=now, unsubscribed_at=None
        )
        subscription.refresh_from_db()
    return subscription


def newsletter_unsubscribe(*, token: str) -> NewsletterSubscription | None:
    subscription = NewsletterSubscription.objects.filter(token=token).first()
    if subscription is None:
        return None
    if subscription.unsubscribed_at is None:
        NewsletterSubscription.objects.filter(pk=subscription.pk).update(unsubscribed_at=timezone.now())
        subscription.refresh_from_db()
    return subscription
