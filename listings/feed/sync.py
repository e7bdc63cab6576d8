"""Importing host JSON feed listings: create or update a host's listings from feed documents.

``feed_import(host=…, documents=[…], source=…)`` is the one entry point: the API's
``POST /v2/listings``, ``manage.py import_feed`` and scheduled pulls call it alike. It takes
parsed JSON (one object per listing), never a request, and returns an ``ImportReport``: per
listing, its index, ``original_id``, listing id, action (``created`` / ``updated`` /
``unchanged`` / ``failed``), errors and warnings (``FieldError``s with feed paths).

Rules (shared/spec/coliving-json-feed.txt, reference-notes.md "field guide"):

- **Matching, within the host only** (sync keys are per host): by ``original_id``; else by
  ``original_url`` (a listing known by another ``original_id`` is never taken); else, when
  the document has neither, by name — a fallback reported as a warning.
- **Children**: room types are matched by their ``id``, rooms by theirs (across the
  listing's room types: a room may move). Fees, photos, FAQ entries and catalogue links are
  replaced. Room types or rooms missing from the new version are deleted, except a room type
  that bookings refer to (current or future ones, and past ones, whose history keeps their
  room type) and the rooms of a room type with current or future bookings: those are
  deactivated (partners no longer see them) and come back if a later version lists them.
  A room type's ``amount`` is the number of rooms listed; a change moves its stored nights
  through ``listings.inventory.room_type_amount_change``.
- **Atomic per listing**: each listing is written in its own transaction (a savepoint
  inside a caller's); a listing with errors, or whose write fails half-way, is not touched
  and its previous version stays live; the others apply.
- **Unchanged**: a document byte-for-byte equal (keys sorted) to the last one imported is
  unchanged without validating it again (``source_hash``); otherwise it is validated and its
  canonical form's hash compared with ``content_hash``. Either way nothing is written.
- **Staff edits**: a listing edited in the admin has ``sync_source = staff``; the next
  import applies in full and reports (and keeps in ``overwritten_fields``) the fields whose
  staff value it replaced.

Cost: three queries load the catalogues per run, one query per 500 documents finds their
listings; a new listing is about ten statements, an update about twenty, none per field
or per night.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import orjson
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from coliving.api.errors import FieldError
from listings import inventory, limits
from listings.feed import registry
from listings.feed.catalogues import Catalogues
from listings.feed.export import content_hash, listing_export, to_db
from listings.feed.validation import listing_validate
from listings.models import FaqEntry, Listing, ListingFee, Photo, Room, RoomType

logger = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
ACTIONS = (CREATED, UPDATED, UNCHANGED, FAILED)
LOOKUP_CHUNK = 500
_SYNC_COLUMNS = ("id", "original_id", "original_url", "name", "content_hash", "source_hash", "sync_source")


@dataclass
class ListingResult:
    """What the import did with one document of the feed."""

    index: int
    original_id: str | None
    listing_id: int | None = None
    action: str = FAILED
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    results: list[ListingResult]
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for result in self.results:
            counts[result.action] += 1
        return counts


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def source_hash(document: Any) -> str:
    try:
        return content_hash(document)
    except (TypeError, orjson.JSONEncodeError):  # not JSON data (e.g. an integer beyond 64 bits)
        return ""


def _values(documents: list[Any], key: str) -> set[str]:
    """The non-blank values of ``key`` across the documents: a listing is never looked up by a blank key."""
    return {value for document in documents if isinstance(document, dict) if (value := _text(document.get(key)))}


class _Candidates:
    """The host's listings a chunk of documents may match, found with one query."""

    def __init__(self, host, documents: list[Any], sandbox: bool):
        # Every listing whose original_id, original_url or name a document names; of those
        # found by name, the loop below keeps only the ones without keys (see match()).
        query = (
            Q(original_id__in=_values(documents, "original_id"))
            | Q(original_url__in=_values(documents, "original_url"))
            | Q(name__in=_values(documents, "name"))
        )
        rows = list(
            Listing.objects.filter(host=host, is_sandbox=sandbox).filter(query).order_by("id").values(*_SYNC_COLUMNS)
        )
        self.by_id = {row["original_id"]: row for row in rows if row["original_id"]}
        self.by_url: dict[str, list[dict]] = {}
        self.by_name: dict[str, list[dict]] = {}
        for row in rows:
            if row["original_url"]:
                self.by_url.setdefault(row["original_url"], []).append(row)
            if not row["original_id"] and not row["original_url"]:
                self.by_name.setdefault(row["name"], []).append(row)

    def match(self, document: dict) -> tuple[dict | None, FieldError | None, FieldError | None]:
        """``(row, warning, error)``: the listing ``document`` updates, if any."""
        original_id, url = _text(document.get("original_id")), _text(document.get("original_url"))
        if original_id and original_id in self.by_id:
            return self.by_id[original_id], None, None
        if url:
            # A listing known under another original_id is another listing.
            rows = [row for row in self.by_url.get(url, ()) if not original_id or not row["original_id"]]
            if len(rows) > 1:
                message = f"{len(rows)} of your listings have this original_url; send original_id."
                return None, None, FieldError(("original_url",), message, "ambiguous_match")
            return (rows[0] if rows else None), None, None
        if original_id:
            return None, None, None
        rows = self.by_name.get(_text(document.get("name")), [])
        if len(rows) > 1:
            message = f"{len(rows)} of your listings have this name; send original_id to tell them apart."
            return None, None, FieldError(("name",), message, "ambiguous_match")
        if rows:
            message = "Matched by name: send original_id (or original_url) so renaming cannot break the sync."
            return rows[0], FieldError(("name",), message, "matched_by_name"), None
        return None, None, None

    def remember(self, row: dict) -> None:
        """Let later documents of the same run match a listing this run created or changed."""
        if row["original_id"]:
            self.by_id[row["original_id"]] = row
        if row["original_url"]:
            self.by_url.setdefault(row["original_url"], []).append(row)


def feed_import(
    *,
    host,
    documents: Iterable[Any],
    source: str = Listing.SyncSource.FEED,
    dry_run: bool = False,
    progress: Callable[[ListingResult], None] | None = None,
    sandbox: bool = False,
) -> ImportReport:
    """Import ``documents`` (parsed JSON, one listing each) as ``host``'s listings.

    Never raises for bad input: every document gets a ``ListingResult``. ``dry_run``
    validates and reports what would change without writing. ``progress`` is called with
    each result as it is made (a command's progress bar). ``sandbox``: import into the host's
    sandbox (``POST /v2/sandbox/listings``): only its sandbox listings are matched and written."""
    documents = list(documents)
    report = ImportReport(results=[], dry_run=dry_run)
    catalogues: Catalogues | None = None
    seen: dict[int, int] = {}  # listing id → index of the document that took it in this run
    now = timezone.now()
    for start in range(0, len(documents), LOOKUP_CHUNK):
        chunk = documents[start : start + LOOKUP_CHUNK]
        candidates = _Candidates(host, chunk, sandbox)
        for offset, document in enumerate(chunk):
            index = start + offset
            result = ListingResult(index=index, original_id=None)
            if not isinstance(document, dict):
                result.errors.append(FieldError((), "Each listing must be an object.", "type"))
                _done(report, result, progress)
                continue
            result.original_id = _text(document.get("original_id")) or None
            row, warning, error = candidates.match(document)
            if error is not None:
                # Every problem at once: the document's own errors come with the match's.
                if catalogues is None:
                    catalogues = Catalogues.load()
                result.errors.append(error)
                result.errors.extend(listing_validate(document, catalogues=catalogues).errors)
                _done(report, result, progress)
                continue
            if warning is not None:
                result.warnings.append(warning)
            if row is not None:
                result.listing_id = row["id"]
                if row["id"] in seen:
                    message = f"The same listing as listings.{seen[row['id']]} of this feed."
                    result.errors.append(FieldError((), message, "duplicate"))
                    _done(report, result, progress)
                    continue
                seen[row["id"]] = index
            raw_hash = source_hash(document)
            # A listing staff edited since is applied again in full, whatever the feed says.
            edited = row is not None and row["sync_source"] == Listing.SyncSource.STAFF
            if row is not None and not edited and raw_hash and row["source_hash"] == raw_hash:
                result.action = UNCHANGED
                _done(report, result, progress)
                continue
            if catalogues is None:
                catalogues = Catalogues.load()
            checked = listing_validate(document, catalogues=catalogues)
            result.warnings.extend(checked.warnings)
            if checked.errors:
                result.errors.extend(checked.errors)
                _done(report, result, progress)
                continue
            canonical = checked.document
            digest = content_hash(canonical)
            if row is not None and not edited and row["content_hash"] == digest:
                result.action = UNCHANGED
                _done(report, result, progress)
                continue
            result.action = UPDATED if row is not None else CREATED
            if dry_run:
                if edited:
                    result.overwritten = _overwritten(Listing.objects.get(pk=row["id"]), canonical)
                _done(report, result, progress)
                continue
            write = partial(
                _write,
                host=host,
                sandbox=sandbox,
                document=canonical,
                hashes=(digest, raw_hash),
                source=source,
                now=now,
                result=result,
            )
            try:
                try:
                    with transaction.atomic():
                        listing = write(listing_id=None if row is None else row["id"])
                except IntegrityError:
                    # A concurrent push created the same listing first (the host's unique
                    # original_id): apply this version to it, once.
                    if row is not None:
                        raise
                    again, _, _ = _Candidates(host, [document], sandbox).match(document)
                    if again is None:
                        raise
                    result.action = UPDATED
                    with transaction.atomic():
                        listing = write(listing_id=again["id"])
            except Exception:
                # pragma: no mutate start (the log's wording and arguments)
                logger.exception("Feed import: listing %s (index %s) could not be written", result.original_id, index)
                # pragma: no mutate end
                message = "The listing could not be saved; its previous version stays live."
                result.errors.append(FieldError((), message, "write_failed"))
                _done(report, result, progress)
                continue
            result.listing_id = listing.pk
            seen[listing.pk] = index
            candidates.remember({"id": listing.pk, **{k: getattr(listing, k) for k in _SYNC_COLUMNS[1:]}})
            _done(report, result, progress)
    return report


def listing_import(*, host, document: Any) -> ListingResult:
    """Import one listing document from the feed; see ``feed_import``."""
    return feed_import(host=host, documents=[document]).results[0]


def _done(report: ImportReport, result: ListingResult, progress) -> None:
    if result.errors:
        result.action = FAILED
    report.results.append(result)
    if progress is not None:
        progress(result)


# --- staff edits ----------------------------------------------------------------------------


def changed_paths(before: Any, after: Any, prefix: tuple = ()) -> list[str]:
    """Dotted paths where two canonical documents differ (a list of another length is one path)."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths: list[str] = []
        for key in [*before, *(key for key in after if key not in before)]:
            paths += changed_paths(before.get(key), after.get(key), (*prefix, key))
        return paths
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            path
            for index in range(len(before))
            for path in changed_paths(before[index], after[index], (*prefix, index))
        ]
    if before != after:
        return [".".join(map(str, prefix))]
    return []


def _overwritten(listing: Listing, document: dict) -> list[str]:
    return changed_paths(listing_export(listing, read_only=False), document)


# --- the write --------------------------------------------------------------------------------


def _dig(item: dict, path: tuple[str, ...]) -> Any:
    for name in path:
        item = item.get(name)  # a canonical document has an object or nothing on a column's path
        if item is None:
            return None
    return item


def _set_columns(obj: models.Model, pattern: str, item: dict) -> None:
    meta = obj._meta
    for path, spec in registry.columns(pattern):
        setattr(obj, spec.column, to_db(spec, _dig(item, path), meta.get_field(spec.column)))


def _ids(item: dict, path: tuple[str, ...]) -> list[int]:
    return [ref["id"] for ref in _dig(item, path) or ()]


def _write(*, host, listing_id, document, hashes, source, now, result: ListingResult, sandbox: bool) -> Listing:
    """Write one canonical document (inside the caller's transaction)."""
    from bookings.models import Booking

    created = listing_id is None
    if created:
        listing = Listing(host=host, is_sandbox=sandbox)
    else:
        listing = Listing.objects.select_for_update(of=("self",)).get(pk=listing_id)
        if listing.sync_source == Listing.SyncSource.STAFF:
            result.overwritten = _overwritten(listing, document)
            for path in result.overwritten:
                result.warnings.append(FieldError(tuple(path.split(".")), "Overwrote a staff edit.", "staff_edit"))
    _set_columns(listing, "", document)
    listing.deposit = listing.security_deposit if listing.security_deposit_type == "fixed" else None
    listing.content_hash, listing.source_hash = hashes
    listing.sync_source = source
    listing.last_imported_at = now
    listing.overwritten_fields = result.overwritten
    listing.save()

    # Catalogue links, fees, FAQ and photos are replaced as a whole.
    for path, spec in registry.refs(""):
        through = getattr(Listing, spec.column).through
        if not created:
            through.objects.filter(listing_id=listing.pk).delete()
        target = _target(through)
        through.objects.bulk_create(
            [through(listing_id=listing.pk, **{target.attname: pk}) for pk in _ids(document, path)]
        )
    if not created:
        ListingFee.objects.filter(listing=listing).delete()
        FaqEntry.objects.filter(listing=listing).delete()
        Photo.objects.filter(listing=listing).delete()
    fees = []
    for position, item in enumerate(_dig(document, ("prices", "extra_fees")) or ()):
        fee = ListingFee(listing=listing, position=position)
        _set_columns(fee, "prices.extra_fees.*", item)
        fees.append(fee)
    ListingFee.objects.bulk_create(fees)
    faq = []
    for position, item in enumerate(document.get("faq") or ()):
        entry = FaqEntry(listing=listing, position=position)
        _set_columns(entry, "faq.*", item)
        faq.append(entry)
    FaqEntry.objects.bulk_create(faq)
    photos = []
    for kind in (Photo.Kind.PROPERTY, Photo.Kind.COMMUNITY):
        for position, item in enumerate(_dig(document, ("media", "photos", kind)) or ()):
            photo = Photo(listing=listing, kind=kind, position=position)
            _set_columns(photo, f"media.photos.{kind}.*", item)
            photos.append(photo)

    room_types = _write_room_types(listing, document, created=created, booking_model=Booking)
    for room_type, item in room_types:
        for position, photo_item in enumerate(item.get("photos") or ()):
            photo = Photo(listing=listing, room_type=room_type, kind=Photo.Kind.ROOM, position=position)
            _set_columns(photo, "room_types.*.photos.*", photo_item)
            photos.append(photo)
    Photo.objects.bulk_create(photos)
    return listing


def _target(through) -> models.Field:
    """The foreign key of an automatic many-to-many table that points at the catalogue."""
    return next(f for f in through._meta.get_fields() if f.is_relation and f.name != "listing")


def _write_room_types(listing: Listing, document: dict, *, created: bool, booking_model) -> list[tuple[RoomType, dict]]:
    items = document["room_types"]
    existing: dict[str, RoomType] = {}
    rooms_existing: dict[str, Room] = {}
    if not created:
        existing = {rt.original_id: rt for rt in RoomType.objects.filter(listing=listing).select_for_update()}
        rooms_existing = {room.original_id: room for room in Room.objects.filter(room_type__listing=listing)}
    currency = listing.currency
    fields = [spec.column for _, spec in registry.columns("room_types.*")]
    fresh, kept, amounts = [], [], {}
    pairs: list[tuple[RoomType, dict]] = []
    for position, item in enumerate(items):
        room_type = existing.pop(item["id"], None)
        if room_type is None:
            room_type = RoomType(listing=listing)
            fresh.append(room_type)
        else:
            kept.append(room_type)
        _set_columns(room_type, "room_types.*", item)
        room_type.position, room_type.is_active, room_type.currency = position, True, currency
        rooms = item.get("rooms") or ()
        if room_type.pk is None:
            room_type.amount = len(rooms) or 1
        elif rooms and len(rooms) != room_type.amount:
            amounts[room_type.pk] = len(rooms)
        pairs.append((room_type, item))
    RoomType.objects.bulk_create(fresh)
    if kept:
        now = timezone.now()
        for room_type in kept:
            room_type.updated_at = now
        RoomType.objects.bulk_update(kept, [*fields, "position", "is_active", "currency", "updated_at"])
    for room_type in kept:
        if room_type.pk in amounts:
            inventory.room_type_amount_change(room_type=room_type, amount=amounts[room_type.pk])

    # Rooms: matched by id across the listing's room types.
    new_rooms, kept_rooms = [], []
    for room_type, item in pairs:
        for position, room_item in enumerate(item.get("rooms") or ()):
            room = rooms_existing.pop(room_item["id"], None)
            if room is None:
                room = Room()
                new_rooms.append(room)
            else:
                kept_rooms.append(room)
            _set_columns(room, "room_types.*.rooms.*", room_item)
            room.room_type, room.position, room.is_active = room_type, position, True
    Room.objects.bulk_create(new_rooms)
    if kept_rooms:
        room_fields = [spec.column for _, spec in registry.columns("room_types.*.rooms.*")]
        Room.objects.bulk_update(kept_rooms, [*room_fields, "room_type", "position", "is_active"])

    removed_types = list(existing.values())
    removed_rooms = [room for room in rooms_existing.values() if room.is_active]
    if removed_types or removed_rooms:
        _remove(removed_types, removed_rooms, booking_model)

    # Room amenities, replaced.
    through = RoomType.amenities.through
    if not created:
        through.objects.filter(roomtype__listing_id=listing.pk).delete()
    through.objects.bulk_create(
        [
            through(roomtype_id=room_type.pk, amenity_id=ref["id"])
            for room_type, item in pairs
            for ref in item.get("amenities") or ()
        ]
    )
    return pairs


def _remove(room_types: list[RoomType], rooms: list[Room], booking_model) -> None:
    """Delete what a new version left out, or deactivate what bookings still need."""
    ids = [room_type.pk for room_type in room_types]
    booked = set(booking_model.objects.filter(room_type_id__in=ids).values_list("room_type_id", flat=True))
    RoomType.objects.filter(pk__in=[pk for pk in ids if pk not in booked]).delete()
    RoomType.objects.filter(pk__in=booked).update(is_active=False, updated_at=timezone.now())
    if not rooms:
        return
    room_type_ids = {room.room_type_id for room in rooms}
    current = booking_model.objects.filter(
        room_type_id__in=room_type_ids,  # pragma: no mutate (narrows the query: busy is only read for these)
        status__in=booking_model.HOLDING,
        checkout__gt=limits.today(),
    )
    busy = set(current.values_list("room_type_id", flat=True))
    Room.objects.filter(pk__in=[room.pk for room in rooms if room.room_type_id not in busy]).delete()
    Room.objects.filter(pk__in=[room.pk for room in rooms if room.room_type_id in busy]).update(is_active=False)
