"""Reads of API keys; ``authenticate`` is the one lookup path every request goes through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connections, models
from django.db.models import Q
from django.db.models.query import get_related_populators
from django.utils import timezone

from apikeys import keys

if TYPE_CHECKING:
    from apikeys.models import ApiKey


class InvalidKey(Exception):
    """The presented key cannot be used; ``reason`` is a machine code for the error body."""

    @property
    def reason(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class _CompiledLookup:
    """``select_related("owner").get(key_id=…)``, compiled: its SQL and how to make its row
    into an ``ApiKey`` with its ``owner`` — what the ORM's model iterator does with a row."""

    sql: str
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression)
    init_list: tuple[str, ...]  # the key's attnames, in column order
    key_columns: slice
    populators: tuple[Any, ...]  # the owner's RelatedPopulator


_PLACEHOLDER = "\x00key_id"  # never a real key id (keys.parse only lets letters and digits through)
_compiled: dict[str, _CompiledLookup] = {}


def _compile(queryset: models.QuerySet, db: str) -> _CompiledLookup:
    query = queryset.model._base_manager.select_related("owner").filter(key_id=_PLACEHOLDER).order_by().query
    compiler = query.get_compiler(using=db)
    sql, params = compiler.as_sql()
    if list(params) != [_PLACEHOLDER]:  # the only parameter must be the key id we substitute
        raise RuntimeError(f"Unexpected parameters in the compiled key lookup: {params!r}")
    select, klass_info = compiler.select, compiler.klass_info
    columns = klass_info["select_fields"]
    key_columns = slice(columns[0], columns[-1] + 1)
    converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
    return _CompiledLookup(
        sql=sql,
        converters=tuple((pos, tuple(convs), expression) for pos, (convs, expression) in converters.items()),
        init_list=tuple(column[0].target.attname for column in select[key_columns]),
        key_columns=key_columns,
        populators=tuple(get_related_populators(klass_info, select, db)),
    )


class ApiKeyQuerySet(models.QuerySet):
    def with_status(self, status: str) -> ApiKeyQuerySet:
        """Keys whose ``ApiKey.status`` is ``status``: revoked, then inactive (the key or its
        owner), then expired, else active — the same precedence as the property."""
        now = timezone.now()
        live = Q(revoked_at__isnull=True)
        enabled = live & Q(is_active=True, owner__is_active=True)
        unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        match status:
            case "revoked":
                return self.filter(revoked_at__isnull=False)
            case "inactive":
                return self.filter(live).exclude(is_active=True, owner__is_active=True)
            case "expired":
                return self.filter(enabled, expires_at__lte=now)
            case "active":
                return self.filter(enabled & unexpired)
        raise ValueError(f"Unknown key status {status!r}")

    def authenticate(self, raw: str) -> ApiKey:
        """Return the usable key ``raw`` stands for, or raise ``InvalidKey``.

        Expiry, activity and revocation are checked here and nowhere else, so no caller
        can look a key up and forget one of them. One indexed query, on every call: a
        key revoked or deactivated a moment ago is refused on the very next request.
        """
        parsed = keys.parse(raw)
        if parsed is None:
            raise InvalidKey("invalid_api_key")
        key = self._by_key_id(parsed.key_id)
        if key is None or key.prefix != parsed.prefix or not keys.matches(raw, key.digest):
            raise InvalidKey("invalid_api_key")
        if key.revoked_at is not None:
            raise InvalidKey("api_key_revoked")
        if not key.is_active or not key.owner.is_active:
            raise InvalidKey("api_key_inactive")
        if key.expires_at is not None and key.expires_at <= timezone.now():
            raise InvalidKey("api_key_expired")
        return key

    def _by_key_id(self, key_id: str) -> ApiKey | None:
        """The key with ``key_id`` and its owner (one query), or ``None``.

        The same as ``self.select_related("owner").get(key_id=key_id)``, less compiling that
        query on every request: on the hottest query there is, building the SQL (the filter,
        the join, the select list) cost more worker CPU than running it. The SQL is compiled
        once per process and database, then executed with the new key id each time; the row
        goes through the ORM's own converters and ``from_db``, so the key is the model
        instance ``.get()`` would return. Only the manager's plain queryset is compiled: one
        narrowed or shaped by its caller (a filter, deferred fields, annotations, related
        tables, a slice) takes the ORM's path, so no caller's shape is cached for all others.
        """
        query = self.query
        shaped = (
            query.where
            or query.deferred_loading != (frozenset(), True)
            or query.annotations
            or query.select_related
            or query.extra
            or query.distinct
            or query.is_sliced
        )
        if shaped:
            try:
                return self.select_related("owner").get(key_id=key_id)
            except self.model.DoesNotExist:
                return None
        db = self.db
        compiled = _compiled.get(db)
        if compiled is None:  # two threads racing here both compile; setdefault keeps one
            compiled = _compiled.setdefault(db, _compile(self, db))
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, (key_id,))
            row = cursor.fetchone()  # key_id is unique
        if row is None:
            return None
        if compiled.converters:
            row = list(row)
            for pos, convs, expression in compiled.converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
        key = self.model.from_db(db, compiled.init_list, row[compiled.key_columns])
        for populator in compiled.populators:
            populator.populate(row, key)
        return key
