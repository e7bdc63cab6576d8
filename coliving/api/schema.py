"""OpenAPI generation: security schemes for API keys, the error shapes of each family as
shared components, and the ``Idempotency-Key`` header on every view that honours it.

Error responses are added to every operation from what the view declares (family,
public or not, scopes, idempotency), so the document cannot drift from the behaviour.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from coliving.api.families import Family


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = ["ApiKeyHeader", "BearerKey", "ApiKeyQuery"]
    priority = 1

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            {"type": "http", "scheme": "bearer", "description": "The API key as a bearer token."},
            {"type": "apiKey", "in": "query", "name": "api_key", "description": "Coworkies endpoints only."},
        ]

    def get_security_requirement(self, auto_schema):
        schemes = [{"ApiKeyHeader": []}, {"BearerKey": []}]
        if getattr(auto_schema.view, "accepts_query_key", False):
            schemes.append({"ApiKeyQuery": []})
        return schemes


class ColivingError(serializers.Serializer):
    success = serializers.BooleanField(default=False)
    error = serializers.CharField(help_text="A message for people.")
    code = serializers.CharField(help_text="A machine code, e.g. invalid_api_key, validation_error.")
    details = serializers.DictField(
        required=False, help_text='Validation messages keyed by dotted path, e.g. "data.0.base_price".'
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait (429 only).")


class CoworkiesErrorBody(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "bad_request",
            "unauthorized",
            "forbidden",
            "not_found",
            "method_not_allowed",
            "conflict",
            "payload_too_large",
            "unsupported_media_type",
            "validation_error",
            "rate_limit_exceeded",
            "server_error",
            "service_unavailable",
        ]
    )
    message = serializers.CharField()
    details = serializers.ListField(child=serializers.CharField(), required=False)


class CoworkiesError(serializers.Serializer):
    success = serializers.BooleanField(default=False)
    status = serializers.IntegerField()
    error = CoworkiesErrorBody()


class CobotError(serializers.Serializer):
    error = serializers.CharField()


class CobotValidationError(serializers.Serializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


ERROR_SERIALIZERS = {Family.COLIVING: ColivingError, Family.COWORKIES: CoworkiesError, Family.COBOT: CobotError}


class AutoSchema(BaseAutoSchema):
    def _family(self) -> Family:
        return getattr(self.view, "family", Family.COLIVING)

    def _handler(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def get_auth(self):
        if getattr(self.view, "public", False):
            return []
        return super().get_auth()

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if getattr(self._handler(), "idempotent", False):
            params.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="At most 255 characters. A retry with the same key and body replays the first "
                    "2xx response for 24 h; the same key with another body is 409 idempotency_key_mismatch.",
                )
            )
        return params

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        family = self._family()
        error = ERROR_SERIALIZERS[family]
        validation = CobotValidationError if family is Family.COBOT else error
        validation_status = "400" if family is Family.COLIVING else "422"

        def add(status: str, serializer, description: str) -> None:
            if status not in responses:
                responses[status] = {
                    "content": {"application/json": {"schema": self.resolve_serializer(serializer, direction).ref}},
                    "description": description,
                }

        add(validation_status, validation, "Validation error (body or query parameters)")
        add("400", error, "Malformed request")
        if self.method in ("POST", "PUT", "PATCH"):
            add("413", error, "Request body too large")
            add("415", error, "Unsupported media type")
        if "{" in self.path:
            add("404", error, "Not found, or not this key's to see")
        if not getattr(self.view, "public", False):
            add("401", error, "Missing, invalid, expired, inactive or revoked API key")
            add("403", error, "The key lacks the scope this operation needs")
        if getattr(self._handler(), "idempotent", False):
            add("409", error, "Idempotency-Key reused with another body, or its first request is in flight")
        add("429", error, "Rate limit exceeded; see Retry-After")
        return responses
