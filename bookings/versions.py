"""Booking versions: a change order that a poller of the bookings feed can never miss,
without a platform-wide serialisation point.

The problem. The integrations feed (``GET /v2/integrations/{provider}/bookings?since=…``)
hands out a cursor, and a poller asks for "everything after it". A timestamp cursor loses
changes twice over: two changes in the same second compare equal, and a transaction that
stamped its row *earlier* but commits *later* than another is invisible at the moment the
poller reads past it — the next poll starts after it and it is skipped for good. The same
holds for a bare sequence number: ``nextval()`` order is not commit order.

The approach: one change counter per feed tenant, seq order = commit order per tenant. A
feed's tenant is a user: the host of the listings, or a user staff granted some of them
(``ListingGrant``). A change of a booking is seen by its listing's *audience* — the host
and every grantee of the listing — and, as the last step before commit, bumps the counter
row (``BookingFeedCounter``) of every member of that audience, in user id order, in one
statement (``INSERT … ON CONFLICT DO UPDATE SET seq = seq + 1 … RETURNING``); the change's
``change_seq`` is the highest of the bumped values, and every bumped counter is moved to
it (a second statement, only when the listing has grantees). The row locks last until the
transaction ends, so two changes one tenant can see are serialised *from the bump to the
commit*: the second waits at the bump until the first has committed (or rolled back), and
then numbers itself above it. PostgreSQL makes a transaction visible to new snapshots
before it releases its locks, so every snapshot sees a *prefix* of each tenant's seq order
(gaps only from rollbacks, which never reappear). A poller that returns "seq > cursor,
ordered by seq" over its tenant's bookings in one statement, and moves its cursor to the
last seq it returned, therefore never skips a change: a later change it can see locked its
tenant's counter, so its seq is above every seq the counter had handed out — the cursor's
included.

Why grants cannot reorder: a grantee's feed mixes listings of several hosts, but every
change of a granted listing bumps the grantee's own counter too, so the grantee's changes
are serialised among themselves exactly like a host's. What grants cost is that they tie
the hosts of one grantee together (a change of a granted listing waits for the grantee's
other changes); tenants that share no listing never wait for each other, which is the
point: there is no longer a row every booking write in the platform goes through. (A
change whose transaction read the listing's grants before a new grant committed does not
bump the new grantee's counter; a newly granted listing's bookings reach the grantee's
feed from their next change on, or at once when their seq is above the grantee's cursor.)

Every bump also takes the change above every ``change_seq`` committed so far (the
table's highest, read from its index without a lock). That is what keeps a grant safe: a
grantee's cursor may come from the history of a newly granted listing, numbered by another
host's counter, and the grantee's next change must still number itself above it. A
counter row is made the first time its user's audience changes; the data migration that
replaced the single platform-wide counter seeded every host and grantee with its value.
Nothing is recreated behind anyone's back: a missing row is the normal state of a user
whose listings never had a booking.

On SQLite (``make run``, the SQLite test run) writers are serialised by the database
anyway (``transaction_mode = IMMEDIATE``): the next seq and the time floor are read from
the bookings table itself (``MAX(change_seq)``, ``MAX(changed_at)``), no counter rows.
``_draw`` is the one place that chooses.

Why this and not a transaction-id watermark (``pg_current_xact_id()`` stored per change,
the feed bounded by ``pg_snapshot_xmin(pg_current_snapshot())``): that removes every
serialisation point, and a cursor on ``(xid, seq)`` never misses — but a *plain time* in
``since`` (which the contract accepts) would: versions are clock times and, with no
common lock, a transaction can take its time before another that becomes visible to the
feed after it (and a booking's version may run a second ahead of the clock, below). A
poller holding the later version would skip the earlier one. Per-tenant counters keep the
plain-time path exact, because the time is carried along each tenant's counter too. The
watermark also holds every poller back behind any long-running transaction in the
database, booking or not, and is PostgreSQL-only.

Lock order. Each transaction bumps at most once per booking, always after taking its night
rows, and bumps its audience's counters in user id order, so there is no lock-order cycle
with the inventory updates nor between two bumps. The constraint that keeps it so: never
bump after locking a listing, room type, user or API key row ``FOR UPDATE`` (nothing does).

The wire format. ``version`` is exactly the spec's ``YYYY-MM-DD HH:MM:SS`` (UTC): the change
time truncated to the second. Two rules keep it useful with no sub-second part:

- a booking's next version is at least one second after its previous one: the bump takes the
  booking's previous change time (read under the booking's row lock) and moves the change
  time to at least the next whole second. A booking changed twice in one second thus gets a
  change time a second ahead of the clock; its audience's counters carry that time forward, so
- versions never go backwards in a tenant's seq order (``at`` = the greatest of the bumped
  counters' last time, the clock and that floor), hence in the commit order its feed sees,
  even if application servers' clocks disagree.

The never-miss cursor is the feed's own ``next_since``: the last returned change seq, encoded
(``encode_cursor``; opaque to clients). ``since`` also takes a plain ``YYYY-MM-DD HH:MM:SS``,
meaning changes whose version is at or after it. That is never-miss too: every change a
tenant can see committed after a poll has a seq above everything the poll saw, so its time
is at least the latest version the poll returned; the price is that the changes of that
second come again. Cursors handed out before (a version with ``.`` and the seq,
``2024-05-20 14:30:00.000000042``) are still read as the seq they carry.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Max
from django.utils import timezone

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

# PostgreSQL: bump the counters of the listing's audience (its host and grantees) in user id
# order, each to above its own value and above every committed change_seq (an index probe,
# no lock), creating a missing one; one row back.
_BUMP = """
WITH audience AS (
    SELECT host_id AS user_id FROM {listing} WHERE id = %(listing)s
    UNION
    SELECT grantee_id FROM {grant} WHERE listing_id = %(listing)s
), bumped AS (
    INSERT INTO {counter} AS c (user_id, seq, at)
    SELECT user_id, (SELECT COALESCE(MAX(change_seq), 0) FROM {booking}) + 1, %(at)s
      FROM audience
     ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET seq = GREATEST(c.seq + 1, EXCLUDED.seq), at = GREATEST(c.at, EXCLUDED.at)
    RETURNING c.user_id, c.seq, c.at
)
SELECT MAX(seq), MAX(at), ARRAY_AGG(user_id){extra} FROM bumped
"""
# With grantees: every bumped counter moves to the change's seq and time (rows already locked).
_ALIGN = "UPDATE {counter} SET seq = %s, at = %s WHERE user_id = ANY(%s)"


def next_change(*, listing_id: int, previous: datetime) -> tuple[int, datetime]:
    """Take the next change number and its time for a booking of listing ``listing_id``
    whose last change was at ``previous``, locking its audience's counters until commit: the
    time is at least the second after ``previous``'s, so the booking's version moves.

    Call it inside the transaction that writes the booking, as late as possible, with
    ``previous`` read under the booking's row lock.
    """
    seq, at, _ = _draw(listing_id=listing_id, draw_booking_id=False, floor=_second(previous) + timedelta(seconds=1))
    return seq, at


def next_change_and_booking_id(*, listing_id: int) -> tuple[int, datetime, int | None]:
    """``next_change()`` for a new booking of listing ``listing_id`` and, on PostgreSQL, the id
    the new booking will have, drawn from the bookings' id sequence in the same statement
    (one round trip for both).

    ``None`` elsewhere: the caller lets the INSERT pick the id. Drawing the id first is
    what lets the booking's ``reference`` (``CO-<1000 + id>``) go into the INSERT itself.
    """
    return _draw(listing_id=listing_id, draw_booking_id=connection.vendor == "postgresql")


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _aware(value) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _draw(*, listing_id: int, draw_booking_id: bool, floor: datetime | None = None) -> tuple[int, datetime, int | None]:
    """The change's seq and time (and the new booking's id): the one place that chooses
    between PostgreSQL's per-tenant counters and SQLite's single writer."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_change() must run inside the booking's transaction")
    now = timezone.now()
    if floor is not None and floor > now:
        now = floor
    if connection.vendor != "postgresql":
        return _draw_single_writer(now)
    from bookings.models import Booking, BookingFeedCounter
    from listings.models import Listing, ListingGrant

    quote = connection.ops.quote_name
    tables = {
        "listing": quote(Listing._meta.db_table),
        "grant": quote(ListingGrant._meta.db_table),
        "counter": quote(BookingFeedCounter._meta.db_table),
        "booking": quote(Booking._meta.db_table),
    }
    params: dict[str, object] = {"listing": listing_id, "at": now}
    extra = ""
    if draw_booking_id:
        extra = ", nextval(pg_get_serial_sequence(%(table)s, %(pk)s))"
        params.update(table=Booking._meta.db_table, pk=Booking._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(_BUMP.format(extra=extra, **tables), params)
        row = cursor.fetchone()
        seq, at, audience = int(row[0]), _aware(row[1]), row[2]
        if len(audience) > 1:
            cursor.execute(_ALIGN.format(counter=tables["counter"]), [seq, at, audience])
    return seq, at, (int(row[3]) if draw_booking_id else None)


def _draw_single_writer(now: datetime) -> tuple[int, datetime, None]:
    """SQLite: the database lets one writer in at a time, so the bookings table's own
    highest seq and latest change time are the counter."""
    from bookings.models import Booking

    latest = Booking.objects.aggregate(seq=Max("change_seq"), at=Max("changed_at"))
    at = now if latest["at"] is None or latest["at"] <= now else _aware(latest["at"])
    return (latest["seq"] or 0) + 1, at, None


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
