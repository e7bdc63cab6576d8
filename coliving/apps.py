from django.apps import AppConfig


class ColivingConfig(AppConfig):
    """The project package as an app: its system checks and its templates (the landing page)."""

    name = "coliving"
    verbose_name = "Coliving platform"

    def ready(self) -> None:
        from coliving import checks  # noqa: F401  (registers the system checks)
