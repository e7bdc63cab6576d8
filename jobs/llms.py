"""``/llms.txt`` and ``/llms-full.txt``: the Coworkies API described for AI agents.

Both are generated from the OpenAPI document (drf-spectacular's generator, the same one
that serves ``/schema``) and from the views themselves (scopes), never hand-written:
an endpoint appears, changes or disappears here the moment it does in the code. The
text is generated on the first request of a process for a given base URL and kept in
memory after that (the schema only changes with a deploy, which restarts the process).

- ``llms.txt`` (https://llmstxt.org): what the API is, how to authenticate, one line per
  endpoint, links to the rest.
- ``llms-full.txt``: every endpoint with its parameters, request body fields, responses
  and errors, plus the envelopes, the error codes and the limits.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

from coliving.api.families import STATUS_CODES, Family
from coliving.api.permissions import required_scopes
from coliving.api.routing import registry

TITLE = "Coworkies API"
SUMMARY = (
    "REST API for the coworking, workspace and hospitality job board, space directory and community platform: "
    "post and manage job listings, search coworking spaces across cities, read events and blog posts."
)
METHODS = ("get", "post", "put", "patch", "delete")
MAX_DEPTH = 4


def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]):
    """``(path, method, operation, view)`` of every Coworkies operation, in path order."""
    for path, item in sorted(schema.get("paths", {}).items()):
        if registry.family_of_path(path) is not Family.COWORKIES:
            continue
        try:
            view = resolve(re.sub(r"\{[^}]+\}", "1", path)).func.cls
        except (Resolver404, AttributeError):
            view = None
        for method in METHODS:
            if method in item:
                yield path, method, item[method], view


def _access(view, method: str) -> str:
    if view is None or getattr(view, "public", False):
        return "public, no key"
    scopes = required_scopes(view, method.upper())
    if getattr(view, "any_key", False) or not scopes:
        return "any valid key"
    return "key with scope " + " or ".join(f"`{scope}`" for scope in scopes)


_ENUM_LINE = re.compile(r"^\s*\* `[^`]*` - .*$", re.MULTILINE)


def _text(value: str | None) -> str:
    """A description on one line, without the enum value list drf-spectacular appends."""
    return " ".join(_ENUM_LINE.sub("", value or "").split())


def _first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


class _Describer:
    """Schema objects as indented field lists."""

    def __init__(self, schema: dict[str, Any]):
        self.components = schema.get("components", {}).get("schemas", {})

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        for _ in range(10):
            if "$ref" in node:
                node = self.components.get(node["$ref"].rsplit("/", 1)[-1], {})
            elif len(node.get("allOf", ())) == 1:  # {"allOf": [{"$ref": …}], "default": …}
                node = {**self.resolve(node["allOf"][0]), **{k: v for k, v in node.items() if k != "allOf"}}
            else:
                break
        return node

    def type_of(self, node: dict[str, Any]) -> str:
        node = self.resolve(node)
        if "enum" in node:
            return "one of " + ", ".join(f"`{value}`" for value in node["enum"] if value is not None)
        if "oneOf" in node or "anyOf" in node:
            options = [self.type_of(option) for option in node.get("oneOf") or node.get("anyOf")]
            return " | ".join(options)
        kind = node.get("type", "object")
        if isinstance(kind, list):
            kind = " | ".join(str(k) for k in kind)
        if kind == "array":
            return f"array of {self.type_of(node.get('items', {}))}"
        if node.get("format"):
            return f"{kind} ({node['format']})"
        return str(kind)

    def fields(self, node: dict[str, Any], indent: int = 0, depth: int = 0) -> list[str]:
        node = self.resolve(node)
        if "oneOf" in node or "anyOf" in node:
            lines = []
            for number, option in enumerate(node.get("oneOf") or node.get("anyOf"), start=1):
                lines.append(f"{'  ' * indent}- variant {number}:")
                lines += self.fields(option, indent + 1, depth + 1)
            return lines
        if node.get("type") == "array":
            return self.fields(node.get("items", {}), indent, depth)
        required = set(node.get("required", ()))
        lines = []
        for name, prop in node.get("properties", {}).items():
            resolved = self.resolve(prop)
            notes = [self.type_of(prop), "required" if name in required else "optional"]
            if resolved.get("nullable"):
                notes.append("nullable")
            for key, label in (("maxLength", "max length"), ("minimum", "min"), ("maximum", "max")):
                if key in resolved:
                    notes.append(f"{label} {resolved[key]}")
            if "default" in resolved:
                notes.append(f"default {resolved['default']!r}")
            description = _text(resolved.get("description") or prop.get("description"))
            lines.append(f"{'  ' * indent}- `{name}` ({', '.join(notes)}){': ' + description if description else ''}")
            inner = resolved.get("items", {}) if resolved.get("type") == "array" else resolved
            if depth < MAX_DEPTH and self.resolve(inner).get("properties"):
                lines += self.fields(inner, indent + 1, depth + 1)
        return lines


def render_short(base: str) -> str:
    schema = _schema()
    lines = [
        f"# {TITLE}",
        "",
        f"> {SUMMARY}",
        "",
        f"Base URL: {base}/v2. JSON in and out. Send the API key as `X-API-Key: <key>`, "
        "`Authorization: Bearer <key>` or `?api_key=<key>`; `cwk_live_` keys read and write, `cwk_rstr_` keys "
        'only read. Success: `{"success": true, "status": 200, "data": …}`; error: `{"success": false, '
        '"status": N, "error": {"code", "message", "details": [...]}}`.',
        "",
        "## Endpoints",
        "",
    ]
    for path, method, operation, view in _operations(schema):
        summary = operation.get("summary") or operation.get("operationId", "")
        description = _first_sentence(operation.get("description", ""))
        lines.append(
            f"- `{method.upper()} {path}` — {summary} ({_access(view, method)})"
            + (f": {description}" if description else "")
        )
    lines += [
        "",
        "## Docs",
        "",
        f"- [Complete reference]({base}/llms-full.txt): every endpoint with parameters, bodies, responses and errors",
        f"- [OpenAPI 3.1 schema]({base}/schema): for code generation, Swagger UI and Postman",
        f"- [Swagger UI]({base}/schema/swagger-ui/)",
        "",
    ]
    return "\n".join(lines)


def render_full(base: str) -> str:
    schema = _schema()
    describe = _Describer(schema)
    codes = sorted(STATUS_CODES.items())
    lines = [
        f"# {TITLE} — complete reference",
        "",
        f"> {SUMMARY}",
        "",
        f"Base URL: {base}/v2. Generated from the OpenAPI document at {base}/schema.",
        "",
        "## Authentication",
        "",
        "Send the API key in one of: `X-API-Key: <key>` (recommended), `Authorization: Bearer <key>`, or the "
        "query parameter `?api_key=<key>`. Two different keys in one request are refused. `cwk_live_` keys read "
        "and write; `cwk_rstr_` keys are read-only whatever their scopes. Scopes: `read` (all reads), `write` "
        "(all reads and writes), `jobs:read`, `jobs:write`, `spaces:read`, `events:read`. A key bound to a space "
        "sees only that space's jobs, profile and events; another space's job is 403.",
        "",
        "## Envelopes",
        "",
        'Success: `{"success": true, "status": <HTTP status>, "data": …}` (sometimes with a `message`).',
        'Error: `{"success": false, "status": <HTTP status>, "error": {"code": "<code>", "message": "<text>", '
        '"details": ["<problem>", …]}}` (`details` on validation errors).',
        "",
        "## Error codes",
        "",
        *[f"- {status} `{code}`" for status, code in codes],
        "",
        "## Limits",
        "",
        f"- {settings.RATELIMIT_PER_MINUTE} requests per minute and {settings.RATELIMIT_COWORKIES_PER_HOUR} per "
        "hour per key (verified integrations may have a higher per-minute limit); public endpoints are limited per "
        "client IP. Over a limit: 429 `rate_limit_exceeded` with `Retry-After` (seconds); every response carries "
        "`X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`.",
        "- `Idempotency-Key` (at most 255 characters) on POSTs that create: a retry with the same body replays "
        "the first answer for 24 h; another body with the same key is 409.",
        "",
        "## Endpoints",
    ]
    for path, method, operation, view in _operations(schema):
        summary = operation.get("summary") or operation.get("operationId", "")
        lines += ["", f"### {method.upper()} {path} — {summary}", ""]
        if operation.get("description"):
            lines += [" ".join(operation["description"].split()), ""]
        lines.append(f"Access: {_access(view, method)}.")
        parameters = operation.get("parameters", [])
        if parameters:
            lines += ["", "Parameters:"]
            for parameter in parameters:
                notes = [parameter.get("in", ""), describe.type_of(parameter.get("schema", {}))]
                notes.append("required" if parameter.get("required") else "optional")
                description = _text(parameter.get("description"))
                lines.append(f"- `{parameter['name']}` ({', '.join(notes)}){': ' + description if description else ''}")
        body = operation.get("requestBody", {}).get("content", {})
        if body:
            media, content = next(iter(body.items()))
            also = [other for other in body if other != media]
            lines += ["", f"Request body ({media}{', or ' + ', '.join(also) if also else ''}):"]
            if operation["requestBody"].get("description"):  # the other encodings it still accepts
                lines.append(operation["requestBody"]["description"])
            lines += describe.fields(content.get("schema", {}))
        lines += ["", "Responses:"]
        for status, response in sorted(operation.get("responses", {}).items()):
            description = " ".join((response.get("description") or "").split())
            if status.startswith("2"):
                lines.append(f"- {status}{': ' + description if description else ''}")
                content = response.get("content", {}).get("application/json", {})
                lines += describe.fields(content.get("schema", {}), indent=1)
            else:
                code = STATUS_CODES.get(int(status), "error") if status.isdigit() else "error"
                lines.append(f"- {status} `{code}`{': ' + description if description else ''}")
    lines.append("")
    return "\n".join(lines)


@functools.lru_cache(maxsize=16)
def _cached(kind: str, base: str) -> bytes:
    return (render_full(base) if kind == "full" else render_short(base)).encode()


def _respond(request, kind: str) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(_cached(kind, base), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def llms_txt(request):
    return _respond(request, "short")


@require_safe
def llms_full_txt(request):
    return _respond(request, "full")
