"""JSON rendering with orjson: encoding is a measurable share of a list response."""

from __future__ import annotations

from drf_orjson_renderer.renderers import ORJSONRenderer


class JSONRenderer(ORJSONRenderer):
    """orjson, never indented: an ``Accept: text/html`` client still gets compact JSON."""

    html_media_type = "text/html-never-indented"
