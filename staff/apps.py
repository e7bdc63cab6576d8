from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Staff security around the admin: the security log, two-factor enforcement, roles."""

    name = "staff"
    verbose_name = "Staff security"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin

        from staff import checks, receivers  # noqa: F401  (registers checks and signal receivers)

        admin.site.site_header = settings.ADMIN_SITE_HEADER
        admin.site.site_title = settings.ADMIN_SITE_TITLE
        admin.site.index_title = "Administration"
        admin.site.index_template = "staff/admin_index.html"
