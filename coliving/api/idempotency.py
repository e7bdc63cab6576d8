"""``Idempotency-Key`` support that any POST handler opts into with ``@idempotent``.

The first 2xx response to a key is kept for ``IDEMPOTENCY_TTL_HOURS`` (24 h) per API key
and operation (method and path: the reference notes' "per API key and operation", so one
key sent to two endpoints, or to a sandbox twin, is two claims); a retry with the same JSON
body replays it (``Idempotent-Replayed:
true``), a different request with the same key is 409 ``idempotency_key_mismatch``.

How duplicates are kept out, even concurrent ones:

1. *Claim*: insert an ``in_progress`` record in its own committed transaction. The
   unique constraint (api key, method, path, idempotency key) lets exactly one request win; a loser
   finds the winner's record — still in progress: 409 with ``Retry-After``; completed:
   replay; another body: mismatch.
2. *Run*: the handler runs in one transaction with the update that marks the record
   ``completed`` and stores the response, so the record and the object it created
   commit together or not at all.
3. A non-2xx outcome or an exception deletes the claim: failures are not stored, and a
   retry after one is processed afresh. A claim left behind by a crashed process is
   taken over once it is older than ``STALE_AFTER``.

With or without a key, the handler runs in a transaction and its response body is
rendered *inside* it (``_render``): a body that cannot be rendered (a value the encoder
refuses) raises there and rolls the write back, so a client never sees a 500 for a write
that happened. The rendered bytes are what Django sends (it does not render twice) and
what a keyed response stores for replays.

Expired records are deleted by the ``idempotency_records_purge`` task, enqueued at most
once an hour when records are being written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import re
from datetime import timedelta

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from apikeys.models import IdempotencyRecord
from coliving.api.errors import ApplicationError, Conflict
from coliving.api.renderers import JSONRenderer

HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "Content-Location")
MAX_LENGTH = 255
STALE_AFTER = timedelta(minutes=5)
# Printable ASCII, not only spaces; the OpenAPI document states the same (``HEADER_SCHEMA``).
KEY_PATTERN = r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$"
_ACCEPTABLE_KEY = re.compile(KEY_PATTERN, re.ASCII)
HEADER_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": KEY_PATTERN}
_PATH_LENGTH = IdempotencyRecord._meta.get_field("path").max_length  # a longer path is stored truncated


class _Discard(Exception):
    def __init__(self, response):
        self.response = response


def _fingerprint(request) -> str:
    # A form body's QueryDict is a dict of lists underneath: orjson writes every value of a
    # field (and a file's content, through the renderer's ``default``).
    body = orjson.dumps(request.data, option=orjson.OPT_SORT_KEYS, default=JSONRenderer.default)
    # Keyed: bodies hold secrets (a new user's password), and a plain SHA-256 of a short
    # body could be reversed by guessing.
    message = b"\n".join([request.method.encode(), request.path.encode(), body])  # pragma: no mutate (any separator)
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _claim(request, value: str, fingerprint: str) -> tuple[IdempotencyRecord | None, Response | None]:
    key, path = request.auth, request.path[:_PATH_LENGTH]
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    api_key=key,
                    key=value,
                    fingerprint=fingerprint,
                    method=request.method,
                    path=path,
                )
            _schedule_purge()
            return record, None
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(
                api_key=key, method=request.method, path=path, key=value
            ).first()
        if existing is None:
            continue  # deleted between our insert and our read: claim again
        expired = existing.created_at < now - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
        stale = existing.state == IdempotencyRecord.State.IN_PROGRESS and existing.created_at < now - STALE_AFTER
        if expired or stale:
            IdempotencyRecord.objects.filter(pk=existing.pk).delete()  # a new claim would have a new pk
            continue
        if existing.fingerprint != fingerprint:
            raise Conflict(
                "Idempotency-Key was already used with a different request",
                code="idempotency_key_mismatch",
            )
        if existing.state == IdempotencyRecord.State.IN_PROGRESS:
            raise Conflict(
                "A request with this Idempotency-Key is still in progress",
                code="idempotency_request_in_progress",
                headers={"Retry-After": "1"},
            )
        replay = Response(
            orjson.loads(bytes(existing.response_body)),
            status=existing.status_code,
            headers=existing.response_headers or None,
        )
        replay["Idempotent-Replayed"] = "true"
        return None, replay
    raise Conflict(
        "Could not claim the Idempotency-Key, retry",
        code="idempotency_request_in_progress",
        headers={"Retry-After": "1"},
    )


def _schedule_purge() -> None:
    if cache.add("idempotency:purge-scheduled", 1, timeout=3600):
        from apikeys.tasks import idempotency_records_purge

        idempotency_records_purge.enqueue()


def _render(view, request, response):
    """Render ``response`` now, as DRF would once the view returned (``finalize_response``
    sets the same three attributes again; Django's own ``render()`` is then a no-op)."""
    if isinstance(response, Response):
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = view.get_renderer_context()
        response.render()
    return response


def run_idempotent(view, request, call):
    value = request.headers.get(HEADER)
    if value is None or request.auth is None:
        # A caller's transaction (a test's, ATOMIC_REQUESTS) already holds the write until
        # the body is rendered: no savepoint needed.
        outer = transaction.get_connection().in_atomic_block
        with contextlib.nullcontext() if outer else transaction.atomic():
            return _render(view, request, call())
    if len(value) > MAX_LENGTH or not _ACCEPTABLE_KEY.fullmatch(value):
        raise ApplicationError(  # a 400
            f"{HEADER} must be 1 to {MAX_LENGTH} printable ASCII characters",
            code="invalid_idempotency_key",
        )
    record, replay = _claim(request, value, _fingerprint(request))
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            response = call()
            if not status.is_success(response.status_code):
                raise _Discard(response)
            _render(view, request, response)
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                state=IdempotencyRecord.State.COMPLETED,
                status_code=response.status_code,
                response_body=bytes(response.content),
                response_headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
            )
            return response
    except _Discard as discard:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return discard.response
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise


def idempotent(handler):
    """Decorate a view's ``post``/``create`` to honour ``Idempotency-Key``."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        return run_idempotent(self, request, lambda: handler(self, request, *args, **kwargs))

    wrapper.idempotent = True
    return wrapper
