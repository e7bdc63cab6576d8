"""Background tasks of the directory (thin: they call a service)."""

from __future__ import annotations

from django_tasks import task


@task()
def jobs_expire() -> int:
    """Mark active jobs past their expiration date expired (daily; see ``manage.py expire_jobs``)."""
    from jobs.services import jobs_expire_due

    return jobs_expire_due()


@task()
def newsletter_confirmation_send(subscription_id: int, links_base: str) -> bool:
    """Email the double opt-in link; off the request, so the sign-up's answer and timing
    never depend on whether an address was known."""
    from jobs.models import NewsletterSubscription
    from jobs.services import newsletter_confirmation_email

    subscription = NewsletterSubscription.objects.filter(pk=subscription_id, is_confirmed=False).first()
    if subscription is None:
        return False
    newsletter_confirmation_email(subscription=subscription, links_base=links_base)
    return True
