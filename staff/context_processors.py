"""The admin's branding and navigation on pages the admin site does not render itself
(two_factor's enrolment pages, the second-factor and lockout pages)."""

from __future__ import annotations


def admin_site(request) -> dict:
    if not request.path.startswith("/admin/"):
        return {}
    from django.contrib.admin import site

    return {"site_header": site.site_header, "site_title": site.site_title, "site_url": site.site_url}
