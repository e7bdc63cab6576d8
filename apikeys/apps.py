from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from coliving.api import schema  # noqa: F401  (registers the OpenAPI authentication extension)
