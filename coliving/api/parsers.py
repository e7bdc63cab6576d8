"""Request body parsing: orjson, plus the limits PostgreSQL and our own safety need.

- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413. DRF hands the raw request
  stream to its parsers, so Django's own body-size check never runs for JSON: the
  parser reads at most the limit plus one byte and refuses the rest.
- A body nested deeper than ``API_MAX_JSON_DEPTH`` or holding a NUL character anywhere
  (PostgreSQL refuses ``\\u0000`` in text) is a 400 before any view code runs.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


def check_json_value(value: Any, max_depth: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ParseError("Malformed request body: strings may not contain NUL (\\u0000) characters.")
            continue
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise ParseError(f"Malformed request body: nested deeper than {max_depth} levels.")
            if isinstance(item, dict):
                stack.extend((k, depth) for k in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"Request body larger than {limit} bytes.")
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"Malformed request body: JSON parse error - {exc}") from None
        check_json_value(data, settings.API_MAX_JSON_DEPTH)
        return data
