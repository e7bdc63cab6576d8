"""Request body parsing: orjson, plus the limits PostgreSQL and our own safety need.

A body nested deeper than ``API_MAX_JSON_DEPTH`` or holding a NUL character anywhere
(PostgreSQL refuses ``\\u0000`` in text) is a 400 parse error before any view code runs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_orjson_renderer.parsers import ORJSONParser
from rest_framework.exceptions import ParseError


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


class JSONParser(ORJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_json_value(data, settings.API_MAX_JSON_DEPTH)
        return data
