"""OpenAPI generation: security schemes for API keys, the success and error shapes of each
family as shared components, and the ``Idempotency-Key`` header on every view that honours it.

Views describe only what they return (``responses={200: BookingSerializer}``); the family's
success envelope is wrapped around it here (``{"success": true, "data": …}`` for coliving,
with ``status`` for coworkies, nothing for Cobot's bare resources), as a named component
``<Name>Response``. A serializer that declares a ``success`` field describes a whole body
and is left alone. Error responses are added to every operation from what the view
declares (family, public or not, scopes, idempotency), so the document cannot drift from
the behaviour.

The document is also read by client generators (openapi-python-client, openapi-typescript;
``coliving/tests/test_generated_client.py``), so the postprocessing hooks at the end keep it
in the shape they read cleanly: enums are named components, never a primitive wrapped in a
one-member ``allOf``; a query parameter's enum refers to the component of the same values;
every response body is a named component; each operation documents one request content type.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance, is_list_serializer, is_serializer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from coliving.api import idempotency
from coliving.api.families import STATUS_CODES, Family
from coliving.api.routing import SANDBOX_PREFIX, registry


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
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait (429 and 503).")


class CoworkiesErrorBody(serializers.Serializer):
    code = serializers.ChoiceField(choices=sorted(set(STATUS_CODES.values())))
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

# Sent with every 429 and 503 (coliving/api/exceptions.py): when to try again. One component
# that those responses of every operation refer to.
RETRY_AFTER = ResolvedComponent(
    name="RetryAfter",
    type=ResolvedComponent.HEADER,
    schema={
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
    object="RetryAfter",
)


class AutoSchema(BaseAutoSchema):
    def _family(self) -> Family:
        return getattr(self.view, "family", Family.COLIVING)

    def _handler(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    # --- sandbox twins (/v2/sandbox/…, coliving/api/routing.py): the same operations, told apart ---

    def _sandbox_twin_of(self) -> str | None:
        """``/v2/me`` for ``/v2/sandbox/me``; None for a path that is no sandbox twin."""
        if not registry.is_sandbox_path(self.path):
            return None
        return "/v2/" + self.path.lstrip("/").removeprefix(SANDBOX_PREFIX).lstrip("/")

    def get_operation(self, *args, **kwargs):
        # After extend_schema's overrides (it replaces get_operation_id, get_tags… on the view's
        # schema): a twin shares its live operation's declaration, and differs only here.
        operation = super().get_operation(*args, **kwargs)
        live = self._sandbox_twin_of()
        if operation is None or live is None:
            return operation
        operation["operationId"] = f"{operation['operationId']}_sandbox"
        operation["tags"] = ["sandbox"]
        if operation.get("summary"):
            operation["summary"] = f"{operation['summary']} (sandbox)"
        note = (
            f"Sandbox twin of `{self.method} {live}`: the same operation on the key owner's sandbox data "
            "(seeded on first use; staff can reset it). Live keys and `sk_test_` keys may call it; nothing it "
            "writes is visible live."
        )
        description = operation.get("description")
        operation["description"] = f"{note}\n\n{description}" if description else note
        return operation

    def get_auth(self):
        if getattr(self.view, "public", False):
            return []
        return super().get_auth()

    def get_override_parameters(self):
        params = [*getattr(self.view, "schema_parameters", ()), *super().get_override_parameters()]
        if getattr(self._handler(), "idempotent", False):
            params.append(
                OpenApiParameter(
                    idempotency.HEADER,
                    idempotency.HEADER_SCHEMA,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="1 to 255 printable ASCII characters. A retry with the same key and body replays the "
                    "first 2xx response for 24 h; the same key with another body is 409 idempotency_key_mismatch.",
                )
            )
        return params

    def _get_request_body(self, direction="request"):
        # One request content type per operation: client generators cannot express a body that
        # may be sent in several encodings. JSON where the view takes it (every family's
        # documents send JSON); the other encodings it still accepts are named in the description.
        body = super()._get_request_body(direction)
        if not body or len(body.get("content", {})) < 2:
            return body
        content = body["content"]
        kept = "application/json" if "application/json" in content else next(iter(content))
        others = [media for media in dict.fromkeys([*content, *self.map_parsers()]) if media != kept]
        body["content"] = {kept: content[kept]}
        body["description"] = f"Also accepted as {' or '.join(others)}, with the same fields."
        return body

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """DRF's field plus the rules drf-spectacular leaves out: a list's length (``allow_empty``,
        ``min_length``/``max_length`` of ``many=True``) and a field's own ``schema_rules()``."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict):
            return schema
        if is_list_serializer(field):
            minimum = max(getattr(field, "min_length", None) or 0, 0 if field.allow_empty else 1)
            if minimum:
                schema["minItems"] = minimum
            if getattr(field, "max_length", None) is not None:
                schema["maxItems"] = field.max_length
        elif direction == "request" and hasattr(field, "schema_rules"):
            rules = field.schema_rules()
            if "enum" in rules and field.allow_null:
                rules["enum"] = [*rules["enum"], None]  # drf-spectacular then documents it as oneOf [enum, null]
            # A new dict, never the one an @extend_schema_field holds; a rule of None removes the key.
            schema = {key: value for key, value in {**schema, **rules}.items() if value is not None}
        return schema

    def _map_basic_serializer(self, serializer, direction):
        """A serializer's ``schema_one_of_required`` (at least one of these fields) stated in the
        request component's description, and its ``schema_response_optional`` fields left out of
        ``required`` in responses.

        Not as ``anyOf: [{required: [a]}, …]``, which JSON Schema could check: generators then
        give up on the object (openapi-python-client typed the rates push's items ``Any`` and
        made no model for them), and clients generated from the document are a documented use."""
        schema = super()._map_basic_serializer(serializer, direction)
        names = getattr(serializer, "schema_one_of_required", ())
        if direction == "request" and names:
            rule = f"At least one of {', '.join(names)} is required."
            schema["description"] = f"{schema['description']}\n\n{rule}" if schema.get("description") else rule
        optional = getattr(serializer, "schema_response_optional", ())
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_paginator(self):
        paginator = super()._get_paginator()
        if paginator is not None:
            paginator.family = self._family()
        return paginator

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        inner = serializer.response if isinstance(serializer, OpenApiResponse) else serializer
        if self._is_enveloped(force_instance(inner), status_code):
            for media in response.get("content", {}).values():
                media["schema"] = self._envelope(force_instance(inner), media["schema"])
        return response

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        paginator = self._get_paginator()
        if status_code.startswith("2") and hasattr(paginator, "get_schema_response_headers") and self._is_list_view():
            headers.update(paginator.get_schema_response_headers())  # a paginator that pages through headers
        return headers

    def _is_enveloped(self, serializer, status_code: str) -> bool:
        if self._family() is Family.COBOT or not status_code.startswith("2") or not is_serializer(serializer):
            return False
        if not getattr(self.view, "enveloped", True):
            return False  # a view that answers a bare document where its spec shows one
        if self._is_list_view(serializer) and self._get_paginator() is not None:
            return False  # the paginator's schema is the envelope
        fields = getattr(serializer.child if is_list_serializer(serializer) else serializer, "fields", {})
        return is_list_serializer(serializer) or "success" not in fields

    def _envelope(self, serializer, data_schema: dict) -> dict:
        family = self._family()
        name = self._get_serializer_name(serializer.child if is_list_serializer(serializer) else serializer, "response")
        name = f"{name}{'List' if is_list_serializer(serializer) else ''}Response"
        properties: dict = {"success": {"type": "boolean"}}
        if family is Family.COWORKIES:
            properties["status"] = {"type": "integer"}
        properties["data"] = data_schema
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            schema={"type": "object", "required": list(properties), "properties": properties},
            object=f"{family}:{name}",
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        family = self._family()
        error = ERROR_SERIALIZERS[family]
        validation = CobotValidationError if family is Family.COBOT else error
        validation_status = "400" if family is Family.COLIVING else "422"

        def add(status: str, serializer, description: str, *, retry_after: bool = False) -> None:
            if status not in responses:
                responses[status] = {
                    "content": {"application/json": {"schema": self.resolve_serializer(serializer, direction).ref}},
                    "description": description,
                }
                if retry_after:
                    self.registry.register_on_missing(RETRY_AFTER)
                    responses[status]["headers"] = {"Retry-After": RETRY_AFTER.ref}

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
        add("429", error, "Rate limit exceeded; see Retry-After", retry_after=True)
        add("503", error, "The database is unavailable; retry after Retry-After", retry_after=True)
        return responses


# --- postprocessing hooks (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) ---------------------

_PRIMITIVES = {"string", "integer", "number", "boolean"}


def _walk(node: Any):
    """Every dict in ``node``, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _is_primitive(schema: Any) -> bool:
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    return bool(kinds) and kinds <= _PRIMITIVES | {"null"}


def postprocess_unwrap_primitives(result, generator, request, public):
    """Merge ``{"allOf": [{"type": "string", "enum": […]}], "description": …}`` into one
    schema (runs before drf-spectacular's enum hook, which then names the enum).

    Such a wrapper (written to keep an enum out of that hook) makes generators build an
    object model for a string: openapi-python-client failed to parse ``"pending"``."""
    for node in _walk(result):
        members = node.get("allOf")
        if isinstance(members, list) and len(members) == 1 and _is_primitive(members[0]):
            del node["allOf"]
            for key, value in members[0].items():
                node.setdefault(key, value)
    return result


def _enum_key(schema: dict) -> tuple | None:
    if "enum" not in schema or "$ref" in schema:
        return None
    kind = schema.get("type")
    return (tuple(kind) if isinstance(kind, list) else kind, frozenset(v for v in schema["enum"] if v is not None))


def _camel(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", text) if word)


def postprocess_named_components(result, generator, request, public):
    """After drf-spectacular's enum hook: a query or path parameter whose enum has the values
    of a named enum refers to it; a response body that is not a ``$ref`` (a Cobot list, a
    text document) becomes a named component, ``<Item>List`` or ``<OperationId>Body``."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    enums: dict[tuple, list[str]] = {}
    for name, schema in schemas.items():
        key = _enum_key(schema)
        if key is not None:
            enums.setdefault(key, []).append(name)
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                items = schema.get("items") if schema.get("type") == "array" else None
                target, slot = (schema, "items") if isinstance(items, dict) else (parameter, "schema")
                key = _enum_key(target[slot])
                if key is not None and len(enums.get(key, ())) == 1:
                    target[slot] = {"$ref": f"#/components/schemas/{enums[key][0]}"}
            for status, response in operation["responses"].items():
                for media in response.get("content", {}).values():
                    schema = media.get("schema")
                    if not isinstance(schema, dict) or "$ref" in schema:
                        continue
                    item_ref = schema.get("items", {}).get("$ref") if schema.get("type") == "array" else None
                    if item_ref:
                        name = f"{item_ref.rsplit('/', 1)[-1]}List"
                    else:
                        name = f"{_camel(operation['operationId'])}{'' if status.startswith('2') else status}Body"
                    if schemas.setdefault(name, schema) != schema:
                        raise ValueError(f"Two response bodies want the component name {name}")
                    media["schema"] = {"$ref": f"#/components/schemas/{name}"}
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def _constant_name(value: str) -> str:
    """``"Etc/GMT+1"`` → ``"ETC_GMT_PLUS_1"``: a constant name that keeps what sets values apart."""
    text = value.replace("+", "_plus_").replace("-", "_minus_")
    name = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").upper()
    return name if name[:1].isalpha() else f"VALUE_{name}"


def postprocess_enum_varnames(result, generator, request, public):
    """Name the members of a string enum whose values only differ in punctuation or case
    (``GMT+0``, ``GMT-0``, ``GMT0``) with ``x-enum-varnames``, as generators read it:
    otherwise they derive one constant name for several values, and openapi-python-client
    refuses the whole document (or another generator silently keeps only one of them)."""
    for node in _walk(result):
        values = node.get("enum")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values if v is not None):
            continue
        present = [v for v in values if v is not None]
        # What generators keep of a value for its name: its letters and digits, in one case.
        if len({re.sub(r"[^0-9A-Z]", "", v.upper()) for v in present}) == len(present):
            continue
        names = [_constant_name(v) for v in present]
        taken: dict[str, int] = {}
        unique = []
        for name in names:
            taken[name] = taken.get(name, 0) + 1
            unique.append(name if taken[name] == 1 else f"{name}_{taken[name]}")
        node["x-enum-varnames"] = unique
    return result
