"""Booking versions: a change order that a poller of the bookings feed can never miss.

The problem. The integrations feed (``GET /v2/integrations/{provider}/bookings?since=…``)
hands out a cursor, and a poller asks for "everything after it". A timestamp cursor loses
changes twice over: two changes in the same second compare equal, and a transaction that
stamped its row *earlier* but commits *later* than another is invisible at the moment the
poller reads past it — the next poll starts after it and it is skipped for good. The same
holds for a bare sequence number: ``nextval()`` order is not commit order.

The approach: seq order = commit order. Every booking write, as its last step before
commit, bumps the single row of ``BookingChangeCounter``
(``UPDATE … SET seq = seq + 1 … RETURNING seq``) and stores that ``seq`` on the booking
(``change_seq``, unique, indexed). The UPDATE row-locks the counter until the transaction
ends, so a second writer waits at the bump until the first has committed (or rolled back)
and then reads the committed value. PostgreSQL makes a transaction visible to new
snapshots before it releases its locks, so by the time writer N+1 holds seq N+1, writer
N is already visible; hence every snapshot sees a *prefix* of the seq order (gaps only
from rollbacks, which never reappear). A poller that returns "seq > cursor, ordered by
seq" in one statement and moves its cursor to the last seq it returned can therefore never
skip a change. On SQLite the same code runs, and writers are serialised anyway
(``transaction_mode = IMMEDIATE``).

Why this and not the alternatives: a per-row ``txid_current()`` with a
``pg_snapshot_xmin`` watermark is correct too, but needs a cursor on ``(txid, seq)``
(seq alone is not safe under it: an open transaction may already hold a lower seq) and
holds every poller back behind any long-running transaction in the database, booking
or not; it is PostgreSQL-only. ``pg_advisory_xact_lock`` + a SEQUENCE gives the same
ordering as the counter row but is PostgreSQL-only as well and needs a lock key nobody else
uses. The counter row works on both engines with one code path, and it also carries
the last change time so version timestamps never go backwards (``GREATEST(at, now)``)
even if application servers' clocks disagree. The price is that booking writes are
serialised *from the bump to the commit* only; the bump comes at the end of each service
(in ``booking_create`` only the booking's INSERT follows it, which takes key-share locks
on the listing, room type, guest, key and provider rows it references), so the lock is
held for the tail of the transaction (a few milliseconds). Each transaction bumps at most
once per booking, always after taking its night rows, so there is no lock-order cycle with
the inventory updates. The constraint that keeps it so: never bump after locking a
listing, room type, user or API key row ``FOR UPDATE`` (nothing does today).

The wire format. ``version`` is exactly the spec's ``YYYY-MM-DD HH:MM:SS`` (UTC): the change
time truncated to the second. Two rules keep it useful with no sub-second part:

- a booking's next version is at least one second after its previous one: the bump takes the
  booking's previous change time (read under the booking's row lock) and moves the change
  time to at least the next whole second. A booking changed twice in one second thus gets a
  change time a second ahead of the clock; the counter carries that time forward, so
- versions never go backwards in seq order (``at`` = the greatest of the counter's last time,
  the clock and that floor), hence in commit order.

The never-miss cursor is the feed's own ``next_since``: the last returned change seq, encoded
(``encode_cursor``; opaque to clients). ``since`` also takes a plain ``YYYY-MM-DD HH:MM:SS``,
meaning changes whose version is at or after it. That is never-miss too: every change
committed after a poll has a seq above everything the poll saw, so its time is at least the
latest version the poll returned; the price is that the changes of that second come again.
Cursors handed out before (a version with ``.`` and the seq, ``2024-05-20 14:30:00.000000042``)
are still read as the seq they carry.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,18}))?$")
_CURSOR = re.compile(r"^seq:(\d{1,18})$")

# The ``since`` values ``parse_since`` takes, as one regular expression for the OpenAPI
# document: a real time ``YYYY-MM-DD HH:MM:SS`` (leap days included), or ``encode_cursor``'s
# unpadded URL-safe base64 of ``seq:`` and 1 to 18 digits. The base64 is spelled out
# sextet by sextet: ``seq`` is ``c2Vx``; ``:`` and two digits are ``Oj`` + a char for the first
# digit + one for the second; three digits are four chars, the first two of which share the
# first digit's bits (so ``O`` is only followed by ``D``/``T``: digits 8 and 9).
_YEAR = r"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_DAY_MONTH = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_DIGIT_HIGH = r"(?:[MN][DTjz]|O[DT])"  # a digit's first 6 + 2 bits, after a byte boundary
_DIGIT_MIDDLE = "[AEIMQUYcgk]"  # a digit's low 4 bits, then 00
_DIGIT_LOW = "[w-z0-5]"  # 11 + a digit's low 4 bits
_TRIPLE = f"{_DIGIT_HIGH}{_DIGIT_MIDDLE}{_DIGIT_LOW}"
_ONE = r"(?:[MN][AQgw]|O[AQ])"
_TWO = f"{_DIGIT_HIGH}{_DIGIT_MIDDLE}"
_CURSOR_TEXT = (
    f"c2VxOj{_DIGIT_MIDDLE}(?:{_DIGIT_LOW}(?:(?:{_TRIPLE}){{0,4}}(?:{_ONE}|{_TWO})?|(?:{_TRIPLE}){{5}}{_ONE}?))?"
)
SINCE_PATTERN = f"^(?:(?:{_YEAR}-{_DAY_MONTH}|{_LEAP_YEAR}-02-29) {_CLOCK}|{_CURSOR_TEXT})$"

_BUMP = """
UPDATE {counter}
   SET seq = seq + 1,
       at = CASE WHEN at IS NOT NULL AND at > %s THEN at ELSE %s END
 WHERE id = 1
RETURNING seq, at{extra}
"""


def next_change(*, previous: datetime) -> tuple[int, datetime]:
    """Take the next change number and its time for a booking whose last change was at
    ``previous``, locking the counter until commit: the time is at least the second after
    ``previous``'s, so the booking's version moves.

    Call it inside the transaction that writes the booking, as late as possible, with
    ``previous`` read under the booking's row lock.
    """
    seq, at, _ = _bump(draw_booking_id=False, floor=_second(previous) + timedelta(seconds=1))
    return seq, at


def next_change_and_booking_id() -> tuple[int, datetime, int | None]:
    """``next_change()`` and, on PostgreSQL, the id the new booking will have, drawn from
    the bookings' id sequence in the same statement (one round trip for both).

    ``None`` elsewhere: the caller lets the INSERT pick the id. Drawing the id first is
    what lets the booking's ``reference`` (``CO-<1000 + id>``) go into the INSERT itself.
    """
    return _bump(draw_booking_id=connection.vendor == "postgresql")


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _bump(*, draw_booking_id: bool, floor: datetime | None = None) -> tuple[int, datetime, int | None]:
    from bookings.models import Booking, BookingChangeCounter

    if not connection.in_atomic_block:
        raise RuntimeError("next_change() must run inside the booking's transaction")
    now = timezone.now()
    if floor is not None and floor > now:
        now = floor
    param = connection.ops.adapt_datetimefield_value(now)
    params: list[object] = [param, param]
    extra = ""
    if draw_booking_id:
        extra = ", nextval(pg_get_serial_sequence(%s, %s))"
        params += [Booking._meta.db_table, Booking._meta.pk.column]
    sql = _BUMP.format(counter=connection.ops.quote_name(BookingChangeCounter._meta.db_table), extra=extra)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:  # the counter row is missing (a flushed test database)
            BookingChangeCounter.objects.get_or_create(id=1)
            cursor.execute(sql, params)
            row = cursor.fetchone()
    seq, at = row[0], row[1]
    if isinstance(at, str):  # SQLite hands back text
        at = parse_datetime(at)
    if timezone.is_naive(at):
        at = timezone.make_aware(at, UTC)
    return int(seq), at, (int(row[2]) if draw_booking_id else None)


def format_version(changed_at: datetime) -> str:
    """A change's ``version``: ``YYYY-MM-DD HH:MM:SS`` (UTC). The change's seq is not part of
    it: the feed's cursor carries that (``encode_cursor``)."""
    return f"{changed_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def encode_cursor(seq: int) -> str:
    """The feed's ``next_since`` after change ``seq``: opaque to clients (URL-safe base64)."""
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Cursor:
    """Where a poller stands: after change ``seq``, or at ``changed_from`` (a whole second, included)."""

    seq: int | None = None
    changed_from: datetime | None = None

    def filter(self, queryset):
        if self.seq is not None:
            return queryset.filter(change_seq__gt=self.seq)
        if self.changed_from is not None:
            return queryset.filter(changed_at__gte=self.changed_from)
        return queryset


def parse_since(value: str) -> Cursor:
    """A ``next_since`` (``encode_cursor``) → after its seq; ``2024-05-20 14:30:00`` → changes at
    or after that second; an earlier cursor ``2024-05-20 14:30:00.000000042`` → after seq 42.

    Raises ``ValueError`` for anything else.
    """
    value = value.strip()
    match = _VERSION.match(value)
    if match is None:
        return Cursor(seq=_decode_cursor(value))
    day, clock, seq = match.groups()
    moment = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)  # ValueError if not a real time
    return Cursor(seq=int(seq)) if seq is not None else Cursor(changed_from=moment)


def _decode_cursor(value: str) -> int:
    try:  # binascii.Error and UnicodeDecodeError are ValueErrors
        text = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True).decode("ascii")
    except ValueError:
        raise ValueError(value) from None
    match = _CURSOR.match(text)
    if match is None:
        raise ValueError(value)
    return int(match.group(1))
